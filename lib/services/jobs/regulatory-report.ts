/**
 * Monthly regulatory report: per tenant, the calculations completed in the past month, per
 * agent and agent version: how many, the summed numeric `output.totals` (e.g. `co2e_kg`),
 * how many did not complete (failed, timed out, cancelled), and the month's usage counters, under
 * `reports/tenant_id=<id>/month=<YYYY-MM>.json`. It is the tenant's evidence base for its
 * filings (CBAM quarterly reports, Scope 1 inventories), not a filing in a regulator's format.
 * Reads the hot store, so it must run within the 90-day window (it runs on the 1st).
 */
import type { ExecutionStore } from '../../ports/execution-store.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { TenantStore } from '../../ports/tenant-store.js';
import { numericTotals } from '../batches.js';
import { windowJson, type JobResult } from './job-result.js';
import { finishedIn, tenantsWithData } from './sources.js';
import { monthOf, previousMonth } from './windows.js';

export interface RegulatoryReportDeps {
  readonly tenants: Pick<TenantStore, 'list'>;
  readonly executions: Pick<ExecutionStore, 'list' | 'getUsage'>;
  readonly objects: ObjectStore;
}

interface AgentLine {
  completed: number;
  notCompleted: number;
  totals: Record<string, number>;
}

export async function regulatoryReport(deps: RegulatoryReportDeps, scheduledTime: Date): Promise<JobResult> {
  const window = previousMonth(scheduledTime);
  const month = monthOf(window.start);
  const objects: string[] = [];
  let tenants = 0;
  let records = 0;
  for await (const tenant of tenantsWithData(deps.tenants)) {
    tenants += 1;
    const agents = new Map<string, AgentLine>();
    let count = 0;
    for await (const e of finishedIn(deps.executions, tenant.id, window)) {
      const id = `${e.agentId}@${e.agentVersion}`;
      const line = agents.get(id) ?? { completed: 0, notCompleted: 0, totals: {} };
      agents.set(id, line);
      count += 1;
      if (e.status !== 'COMPLETED') {
        line.notCompleted += 1;
        continue;
      }
      line.completed += 1;
      for (const [k, v] of Object.entries(numericTotals(e))) line.totals[k] = (line.totals[k] ?? 0) + v;
    }
    if (count === 0) continue;
    const body = {
      format: 'glaf-regulatory-report/1',
      tenantId: tenant.id,
      tenantName: tenant.name,
      month,
      agents: Object.fromEntries([...agents].sort(([a], [b]) => a.localeCompare(b))),
      usage: await deps.executions.getUsage(tenant.id, month),
    };
    const key = `reports/tenant_id=${tenant.id}/month=${month}.json`;
    objects.push(await deps.objects.put(key, JSON.stringify(body), 'application/json'));
    records += count;
  }
  return { job: 'regulatory-report', window: windowJson(window), tenants, records, objects, details: {} };
}
