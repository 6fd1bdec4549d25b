/**
 * The queue engine of local mode, in one process: the in-process queue (one channel per
 * priority, each with its DLQ, and the batch queue), the QueueDispatchers the services send
 * to, N workers (PriorityPoller + WorkerService each) that claim, run and complete executions
 * with the same code the Fargate and Lambda workers run, and the batch queue's consumer
 * (aggregates of up to 100 messages or one window, run by the same WorkerService).
 *
 * The in-process queue is not durable. On start, before any worker polls, the store is
 * scanned for every tenant's PENDING executions, and RUNNING ones whose lease has expired
 * (a process that died mid-run) are released; all of them are queued again. A message for an
 * execution that already finished is a duplicate the worker deletes, so recovery can never
 * run anything twice.
 */
import { PRIORITIES } from '../../config/queues.js';
import type { AgentContext } from '../../agents/types.js';
import type { Agent } from '../../agents/types.js';
import { ExecutionConflictError, type Execution } from '../../domain/execution.js';
import type { EventBus } from '../../ports/event-bus.js';
import type { ExecutionStore } from '../../ports/execution-store.js';
import type { ResultCache } from '../../ports/result-cache.js';
import type { AgentRegistryService } from '../../services/agent-registry.js';
import { BatchConsumer } from '../../services/batch-consumer.js';
import { PriorityPoller, type StopReport } from '../../services/priority-poller.js';
import { WorkerService, type WorkerHooks } from '../../services/worker.js';
import {
  CountingMetrics,
  registryAgentResolver,
  type WorkerLog,
  type WorkerMetric,
  type WorkerMetrics,
} from '../../services/worker-support.js';
import { QueueDispatcher } from '../queue-dispatcher.js';
import { MemoryQueue } from './memory-queue.js';

export interface LocalEngineOptions {
  /** Worker loops in this process; 0 = queue only (nothing runs until a restart with workers). @default 2 */
  readonly workers?: number;
  /** Executions each worker runs at once. @default 32 */
  readonly concurrency?: number;
  /** How long close() lets in-flight work finish before releasing it. @default 30 000 */
  readonly shutdownGraceMs?: number;
  /** Long-poll wait of an idle worker (stop() cuts it short). @default 20 000 */
  readonly waitTimeMs?: number;
  readonly log?: WorkerLog;
  /** Lifecycle hooks of every run (pre-init ... cleanup), e.g. to observe or slow down a run. */
  readonly hooks?: WorkerHooks;
  /** Batch queue: an aggregate waits this long after its first message to fill. @default 60 000 */
  readonly batchWindowMs?: number;
  /** Batch queue: messages per aggregate. @default 100 */
  readonly batchSize?: number;
}

export interface EngineDeps {
  readonly store: ExecutionStore;
  readonly registry: AgentRegistryService;
  readonly builtins: readonly Agent[];
  readonly context: AgentContext;
  /** Every tenant id (from SQL), for the recovery scan. */
  readonly tenantIds: () => Promise<readonly string[]>;
  readonly clock?: () => Date;
  /** The result cache the sync path uses too. */
  readonly cache?: ResultCache;
  /** Where the workers publish execution.started / completed / failed / timed_out. */
  readonly bus?: EventBus;
}

export interface RecoveryReport {
  readonly requeued: number;
  /** RUNNING executions with an expired lease, released (RUNNING -> PENDING) and requeued. */
  readonly released: number;
}

/** Worker counters (ExecutionCompleted, ...) with a listener, for the bench and tests. */
export class EngineMetrics extends CountingMetrics implements WorkerMetrics {
  private readonly listeners = new Set<(name: WorkerMetric) => void>();
  override count(name: WorkerMetric, value = 1): void {
    super.count(name, value);
    for (const l of this.listeners) l(name);
  }
  onCount(listener: (name: WorkerMetric) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export class LocalEngine {
  readonly queue = new MemoryQueue();
  readonly dispatcher = new QueueDispatcher(this.queue);
  /** Batch items: every message goes to the batch queue. */
  readonly batchDispatcher = new QueueDispatcher(this.queue, 'batch');
  readonly metrics = new EngineMetrics();
  /** The batch queue's consumer once started (its `aggregates` show how messages were grouped). */
  batches: BatchConsumer | undefined;
  private readonly pollers: PriorityPoller[] = [];
  private readonly loops: Promise<void>[] = [];
  private closing: Promise<StopReport> | undefined;
  /** What the start-up scan re-queued. */
  recovery: RecoveryReport = { requeued: 0, released: 0 };

  constructor(
    private readonly deps: EngineDeps,
    private readonly options: LocalEngineOptions = {},
  ) {}

  /** Recovery scan, then the workers start polling. */
  async start(): Promise<RecoveryReport> {
    const report = (this.recovery = await this.recover());
    const worker = new WorkerService({
      store: this.deps.store,
      queue: this.queue,
      agents: registryAgentResolver(this.deps.registry, this.deps.builtins, this.deps.context),
      context: this.deps.context,
      metrics: this.metrics,
      ...(this.deps.clock ? { clock: this.deps.clock } : {}),
      ...(this.deps.cache ? { cache: this.deps.cache } : {}),
      ...(this.deps.bus ? { bus: this.deps.bus } : {}),
      ...(this.options.log ? { log: this.options.log } : {}),
      ...(this.options.hooks ? { hooks: this.options.hooks } : {}),
    });
    for (let i = 0; i < (this.options.workers ?? 2); i++) {
      const poller = new PriorityPoller({
        queue: this.queue,
        handle: (m, signal) => worker.handle(m, signal),
        concurrency: this.options.concurrency ?? 32,
        waitTimeMs: this.options.waitTimeMs ?? 20_000,
        ...(this.options.log ? { log: this.options.log } : {}),
      });
      this.pollers.push(poller);
      this.loops.push(poller.start());
    }
    if ((this.options.workers ?? 2) > 0) {
      this.batches = new BatchConsumer({
        queue: this.queue,
        handle: (m, signal) => worker.handle(m, signal),
        concurrency: this.options.concurrency ?? 32,
        waitTimeMs: this.options.waitTimeMs ?? 20_000,
        ...(this.options.batchWindowMs !== undefined ? { windowMs: this.options.batchWindowMs } : {}),
        ...(this.options.batchSize !== undefined ? { batchSize: this.options.batchSize } : {}),
        ...(this.options.log ? { log: this.options.log } : {}),
      });
      this.loops.push(this.batches.start());
    }
    return report;
  }

  /** Stops taking work; in-flight work finishes within the grace period or is released. Idempotent. */
  stop(): Promise<StopReport> {
    return (this.closing ??= (async () => {
      const [reports] = await Promise.all([
        Promise.all(this.pollers.map((p) => p.stop(this.options.shutdownGraceMs))),
        this.batches?.stop(this.options.shutdownGraceMs),
      ]);
      await Promise.all(this.loops);
      return reports.reduce(
        (a, r) => ({ finished: a.finished + r.finished, released: a.released + r.released }),
        {
          finished: 0,
          released: 0,
        },
      );
    })());
  }

  /** Queue every tenant's PENDING executions and the RUNNING ones whose lease expired. */
  async recover(): Promise<RecoveryReport> {
    const { store } = this.deps;
    const now = (this.deps.clock ?? (() => new Date()))().getTime();
    let requeued = 0;
    let released = 0;
    for (const tenantId of await this.deps.tenantIds()) {
      // Collected before releasing: a release moves the item out of the RUNNING listing.
      const running = await collect(store, tenantId, 'RUNNING');
      for (const e of running) {
        if (!e.leaseExpiresAt || Date.parse(e.leaseExpiresAt) > now) continue;
        try {
          await store.release(tenantId, e.executionId, {});
          released++;
        } catch (err) {
          if (!(err instanceof ExecutionConflictError)) throw err;
        }
      }
      const pending = await collect(store, tenantId, 'PENDING');
      await Promise.all(
        pending.map((e) => this.dispatcher.dispatch(tenantId, e.executionId, PRIORITIES[e.priority] ?? 'P2')),
      );
      requeued += pending.length;
    }
    return { requeued, released };
  }
}

async function collect(
  store: ExecutionStore,
  tenantId: string,
  status: 'PENDING' | 'RUNNING',
): Promise<Execution[]> {
  const all: Execution[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(tenantId, { status, limit: 100, ...(cursor ? { cursor } : {}) });
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return all;
}
