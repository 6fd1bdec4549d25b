/**
 * Local mode's lake feed, the counterpart of the stream processor and the audit-lake-export
 * job: it listens on the in-process bus for executions reaching a terminal state, reads the
 * execution as stored, and hands it to the same LakeWriter the stream processor uses, with
 * Parquet files under `<lakeDir>` as the sink. Audit entries come from the audit log itself,
 * past each tenant's cursor, through the same export the scheduled job runs in AWS
 * (lib/services/audit-lake-export.ts), so entries the tenant store writes in its own
 * transaction (`tenant.created`, user changes, offboarding) land too. The export runs at
 * start, when the audit service reports an append (`auditAppended`), every
 * `auditIntervalMs`, and in `idle()`. Writes are queued so the bus never waits on disk;
 * `idle()` waits for the queue, `close()` exports once more, drains and closes.
 */
import type { DomainEvent } from '../../domain/events/envelope.js';
import type { AuditLakeFeed } from '../../ports/audit-lake-feed.js';
import type { ExecutionStore } from '../../ports/execution-store.js';
import { exportAuditToLake } from '../../services/audit-lake-export.js';
import { LakeWriter } from '../../services/lake-writer.js';
import type { MemoryBus } from './memory-bus.js';
import { ParquetLakeSink } from './parquet-lake-sink.js';

const TERMINAL_EVENTS = new Set([
  'execution.completed',
  'execution.failed',
  'execution.timed_out',
  'execution.cancelled',
]);

export interface LocalLake {
  readonly lakeDir: string;
  /** An audit entry was appended: export soon (the entry itself is read back from the log). */
  readonly auditAppended: () => void;
  /** Resolves when every row queued so far is on disk. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface LocalLakeOptions {
  readonly lakeDir: string;
  readonly bus: MemoryBus;
  readonly store: ExecutionStore;
  /** The audit log past each tenant's lake cursor. */
  readonly audit: AuditLakeFeed;
  /** Export audit entries at least this often. @default 2000 */
  readonly auditIntervalMs?: number;
  /** @default stderr */
  readonly onError?: (error: unknown) => void;
}

export async function startLocalLake(options: LocalLakeOptions): Promise<LocalLake> {
  const sink = await ParquetLakeSink.open(options.lakeDir);
  const writer = new LakeWriter(sink);
  const onError =
    options.onError ??
    ((error: unknown) =>
      process.stderr.write(
        `local lake: rows not written: ${error instanceof Error ? error.message : String(error)}\n`,
      ));
  const written = new Set<string>();
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<unknown>): void => {
    queue = queue.then(work).then(
      () => undefined,
      (error: unknown) => onError(error),
    );
  };
  const onEvent = (event: DomainEvent): void => {
    if (!TERMINAL_EVENTS.has(event.type)) return;
    const executionId = (event.detail as Record<string, unknown>)['executionId'];
    if (typeof executionId !== 'string') return;
    enqueue(async () => {
      const execution = await options.store.get(event.tenantId, executionId);
      // A redelivered stream or a repeated event writes an execution once per process.
      const key = `${execution.tenantId}/${execution.executionId}/${execution.status}`;
      if (written.has(key)) return;
      written.add(key);
      await writer.writeExecutions([{ execution }]);
    });
  };
  const unsubscribe = options.bus.subscribe('execution.*', onEvent);
  // At most one export waits in the queue: several appends before it runs share it.
  let exportQueued = false;
  const exportAudit = (): void => {
    if (exportQueued) return;
    exportQueued = true;
    enqueue(async () => {
      exportQueued = false;
      const r = await exportAuditToLake(options.audit, writer);
      for (const f of r.failures) onError(new Error(`audit entries of ${f.tenantId}: ${f.error}`));
    });
  };
  exportAudit();
  const timer = setInterval(exportAudit, options.auditIntervalMs ?? 2000);
  timer.unref();
  let closing: Promise<void> | undefined;
  return {
    lakeDir: options.lakeDir,
    auditAppended: exportAudit,
    idle: async () => {
      exportAudit();
      let seen: Promise<void>;
      do {
        seen = queue;
        await seen;
      } while (seen !== queue);
    },
    close: () =>
      (closing ??= (async () => {
        unsubscribe();
        clearInterval(timer);
        exportAudit();
        await queue;
        await sink.close();
      })()),
  };
}
