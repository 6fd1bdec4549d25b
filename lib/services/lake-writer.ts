/**
 * The one path into the lake, shared by the DynamoDB stream processor (AWS) and the local
 * platform: terminal executions and audit entries -> rows (lib/lake/rows.ts) -> merged per
 * table and partition -> the sink. Non-terminal executions write nothing.
 */
import type { AuditEntry } from '../domain/audit.js';
import { isTerminal, type Execution } from '../domain/execution.js';
import { rowsOfAudit, rowsOfExecution, type ExecutionRowOptions } from '../lake/rows.js';
import type { LakeBatch } from '../lake/row-types.js';
import type { LakeSink } from '../ports/lake-sink.js';
import type { KeyedChange } from './execution-events.js';

export interface LakeExecution extends ExecutionRowOptions {
  readonly execution: Execution;
}

export class LakeWriter {
  constructor(private readonly sink: LakeSink) {}

  /** Writes the rows of the terminal executions among `items`; returns how many rows. */
  async writeExecutions(items: readonly LakeExecution[]): Promise<number> {
    return this.flush(items.flatMap(({ execution, ...options }) => rowsOfExecution(execution, options)));
  }

  /**
   * The stream processor's entry: the changes that reach a terminal state are written. On a
   * sink failure the first such change's key comes back, so the stream restarts from it
   * (at-least-once: a retried record may land twice; rows carry execution_id to dedupe).
   */
  async writeChanges(
    changes: readonly KeyedChange[],
  ): Promise<{ readonly failedKeys: readonly string[]; readonly error?: string }> {
    const finished = changes.filter(
      ({ change }) => isTerminal(change.after.status) && change.before?.status !== change.after.status,
    );
    if (finished.length === 0) return { failedKeys: [] };
    try {
      await this.writeExecutions(finished.map(({ change }) => ({ execution: change.after })));
      return { failedKeys: [] };
    } catch (err) {
      return { failedKeys: [finished[0]!.key], error: err instanceof Error ? err.message : String(err) };
    }
  }

  async writeAudit(entries: readonly AuditEntry[]): Promise<number> {
    return this.flush(entries.map(rowsOfAudit));
  }

  private async flush(batches: readonly LakeBatch[]): Promise<number> {
    const merged = mergePartitions(batches);
    if (merged.length === 0) return 0;
    await this.sink.write(merged);
    return merged.reduce((n, b) => n + b.rows.length, 0);
  }
}

/** One batch per (table, tenant, dt), rows in the order given: fewer, larger files. */
export function mergePartitions(batches: readonly LakeBatch[]): LakeBatch[] {
  const byKey = new Map<string, { head: LakeBatch; rows: LakeBatch['rows'][number][] }>();
  for (const b of batches) {
    if (b.rows.length === 0) continue;
    const key = `${b.table}\u0000${b.tenantId}\u0000${b.dt}`;
    const slot = byKey.get(key) ?? { head: b, rows: [] };
    for (const row of b.rows) slot.rows.push(row);
    byKey.set(key, slot);
  }
  return [...byKey.values()].map(({ head, rows }) => ({ ...head, rows }));
}
