/**
 * Hourly execution archive: each tenant's executions that finished in the past hour, as JSON
 * Lines under `executions-archive/tenant_id=<id>/dt=<day>/hour=<HH>.jsonl`, so they outlive the
 * 90-day TTL of the hot store. Lease fields stay behind (worker bookkeeping, not history).
 * Re-running a window writes the same key with the same content.
 */
import type { Execution } from '../../domain/execution.js';
import type { ExecutionStore } from '../../ports/execution-store.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { TenantStore } from '../../ports/tenant-store.js';
import { windowJson, type JobResult } from './job-result.js';
import { finishedIn, tenantsWithData } from './sources.js';
import { dayOf, hourOf, previousHour } from './windows.js';

export interface ExecutionArchiveDeps {
  readonly tenants: Pick<TenantStore, 'list'>;
  readonly executions: Pick<ExecutionStore, 'list'>;
  readonly objects: ObjectStore;
}

export function archiveRecord(e: Execution): Record<string, unknown> {
  const kept: Record<string, unknown> = { ...e };
  delete kept.leaseToken;
  delete kept.leaseExpiresAt;
  return kept;
}

export async function executionArchive(deps: ExecutionArchiveDeps, scheduledTime: Date): Promise<JobResult> {
  const window = previousHour(scheduledTime);
  const objects: string[] = [];
  let tenants = 0;
  let records = 0;
  for await (const tenant of tenantsWithData(deps.tenants)) {
    tenants += 1;
    const lines: string[] = [];
    for await (const e of finishedIn(deps.executions, tenant.id, window)) {
      lines.push(JSON.stringify(archiveRecord(e)));
    }
    if (lines.length === 0) continue;
    // Oldest first: the order a reader replays them in.
    lines.reverse();
    const key = `executions-archive/tenant_id=${tenant.id}/dt=${dayOf(window.start)}/hour=${hourOf(window.start)}.jsonl`;
    objects.push(await deps.objects.put(key, `${lines.join('\n')}\n`, 'application/x-ndjson'));
    records += lines.length;
  }
  return { job: 'execution-archive', window: windowJson(window), tenants, records, objects, details: {} };
}
