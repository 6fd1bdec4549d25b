/**
 * Local mode's lake feed, the counterpart of the stream processor: it listens on the
 * in-process bus for executions reaching a terminal state, reads the execution as stored,
 * and hands it to the same LakeWriter the stream processor uses, with Parquet files under
 * `<lakeDir>` as the sink. Audit entries arrive through `recordAudit`. Writes are queued so
 * the bus never waits on disk; `idle()` waits for the queue, `close()` drains and closes.
 */
import type { AuditEntry } from '../../domain/audit.js';
import type { DomainEvent } from '../../domain/events/envelope.js';
import type { ExecutionStore } from '../../ports/execution-store.js';
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
  readonly recordAudit: (entry: AuditEntry) => void;
  /** Resolves when every row queued so far is on disk. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface LocalLakeOptions {
  readonly lakeDir: string;
  readonly bus: MemoryBus;
  readonly store: ExecutionStore;
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
  let closing: Promise<void> | undefined;
  return {
    lakeDir: options.lakeDir,
    recordAudit: (entry) => enqueue(() => writer.writeAudit([entry])),
    idle: async () => {
      let seen: Promise<void>;
      do {
        seen = queue;
        await seen;
      } while (seen !== queue);
    },
    close: () =>
      (closing ??= (async () => {
        unsubscribe();
        await queue;
        await sink.close();
      })()),
  };
}
