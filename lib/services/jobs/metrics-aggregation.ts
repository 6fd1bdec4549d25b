/**
 * Hourly metrics aggregation: per tenant, the executions that finished in the past hour,
 * counted by status and by agent, with end-to-end latency (created -> finished) p50/p95/max,
 * under `metrics/tenant_id=<id>/dt=<day>/hour=<HH>.json`. The platform-wide totals come back
 * in `details` for the caller to publish as metrics (no tenant dimension: unbounded cardinality).
 */
import type { Execution } from '../../domain/execution.js';
import type { ExecutionStore } from '../../ports/execution-store.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { TenantStore } from '../../ports/tenant-store.js';
import { windowJson, type JobResult } from './job-result.js';
import { finishedIn, tenantsWithData } from './sources.js';
import { dayOf, hourOf, previousHour } from './windows.js';

export interface MetricsAggregationDeps {
  readonly tenants: Pick<TenantStore, 'list'>;
  readonly executions: Pick<ExecutionStore, 'list'>;
  readonly objects: ObjectStore;
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

function summarize(latencies: number[]): LatencySummary {
  const sorted = latencies.sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    maxMs: sorted[sorted.length - 1] ?? 0,
  };
}

export function aggregate(executions: readonly Execution[]) {
  const byStatus: Record<string, number> = {};
  const latencies = new Map<string, number[]>();
  for (const e of executions) {
    byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
    const ms = Date.parse(e.updatedAt) - Date.parse(e.createdAt);
    latencies.set(e.agentId, [...(latencies.get(e.agentId) ?? []), ms]);
  }
  const byAgent = Object.fromEntries(
    [...latencies].sort(([a], [b]) => a.localeCompare(b)).map(([agent, ms]) => [agent, summarize(ms)]),
  );
  return { executions: executions.length, byStatus, byAgent };
}

export async function metricsAggregation(
  deps: MetricsAggregationDeps,
  scheduledTime: Date,
): Promise<JobResult> {
  const window = previousHour(scheduledTime);
  const objects: string[] = [];
  const totals: Record<string, number> = {};
  let tenants = 0;
  let records = 0;
  for await (const tenant of tenantsWithData(deps.tenants)) {
    tenants += 1;
    const finished: Execution[] = [];
    for await (const e of finishedIn(deps.executions, tenant.id, window)) finished.push(e);
    if (finished.length === 0) continue;
    const summary = aggregate(finished);
    for (const [status, n] of Object.entries(summary.byStatus)) totals[status] = (totals[status] ?? 0) + n;
    const body = { format: 'glaf-metrics/1', tenantId: tenant.id, window: windowJson(window), ...summary };
    const key = `metrics/tenant_id=${tenant.id}/dt=${dayOf(window.start)}/hour=${hourOf(window.start)}.json`;
    objects.push(await deps.objects.put(key, JSON.stringify(body), 'application/json'));
    records += finished.length;
  }
  return {
    job: 'metrics-aggregation',
    window: windowJson(window),
    tenants,
    records,
    objects,
    details: { byStatus: totals },
  };
}
