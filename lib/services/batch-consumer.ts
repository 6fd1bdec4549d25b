/**
 * The batch queue's consumer in a long-running process (local mode): it aggregates messages
 * the way the Lambda event source does for the batch queue (BATCH_QUEUE: up to 100 messages,
 * or whatever arrived within the batching window after the first one), then hands every
 * message of the aggregate to the worker (the same WorkerService, run step and cache as the
 * priority queues) and deletes or re-times each one by its result. Messages are received
 * hidden for the window plus the visibility timeout, so none reappears while it waits for
 * its aggregate to fill; the worker's heartbeat extends them while they run.
 */
import { BATCH_QUEUE, MAX_BATCH, SHUTDOWN_GRACE_MS, VISIBILITY_TIMEOUT_SECONDS } from '../config/queues.js';
import type { Queue, QueueMessage } from '../ports/queue.js';
import type { HandleResult } from './worker-outcome.js';
import { silentLog, type WorkerLog } from './worker-support.js';

export interface BatchConsumerOptions {
  readonly queue: Queue;
  /** Usually WorkerService.handle. */
  readonly handle: (message: QueueMessage, signal: AbortSignal) => Promise<HandleResult>;
  /** Messages per aggregate. @default BATCH_QUEUE.batchSize (100) */
  readonly batchSize?: number;
  /** How long an aggregate may wait to fill after its first message. @default 60 s */
  readonly windowMs?: number;
  /** Messages of an aggregate handled at once. @default 32 */
  readonly concurrency?: number;
  /** Long-poll wait for the first message of an aggregate (stop() cuts it short). @default 20 s */
  readonly waitTimeMs?: number;
  readonly log?: WorkerLog;
}

export class BatchConsumer {
  private running = false;
  private readonly pollAbort = new AbortController();
  private readonly shutdown = new AbortController();
  private current: Promise<void> = Promise.resolve();
  private readonly windowMs: number;
  private readonly log: WorkerLog;
  /** Aggregates handled so far, with their sizes (local metrics, tests). */
  readonly aggregates: number[] = [];

  constructor(private readonly o: BatchConsumerOptions) {
    this.windowMs = o.windowMs ?? BATCH_QUEUE.maxBatchingWindowSeconds * 1000;
    this.log = o.log ?? silentLog;
  }

  /** Runs until stop(). */
  async start(): Promise<void> {
    this.running = true;
    while (this.running) {
      try {
        const messages = await this.collect();
        if (!this.running) {
          // Stopped while the aggregate was filling: give its messages back untouched.
          await Promise.all(
            messages.map((m) => this.o.queue.changeVisibility('batch', m.receiptHandle, 0).catch(() => {})),
          );
          break;
        }
        if (messages.length === 0) continue;
        this.aggregates.push(messages.length);
        this.current = this.handleAll(messages);
        await this.current;
      } catch (err) {
        this.log.error('batch queue receive failed; polling again', { error: String(err) });
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  /**
   * No new aggregates; the one under way gets `graceMs`, then its runs are released. The
   * caller then awaits start()'s promise, which ends once the loop has let go of everything.
   */
  async stop(graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
    this.running = false;
    this.pollAbort.abort();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.shutdown.abort();
        resolve();
      }, graceMs);
    });
    await Promise.race([this.current, deadline]);
    clearTimeout(timer);
    await this.current;
  }

  /** One aggregate: the first message (long poll), then more until full or the window closes. */
  async collect(): Promise<QueueMessage[]> {
    const size = this.o.batchSize ?? BATCH_QUEUE.batchSize;
    const hideMs = this.windowMs + VISIBILITY_TIMEOUT_SECONDS * 1000;
    const signal = this.pollAbort.signal;
    const got = await this.o.queue.receive('batch', {
      maxMessages: Math.min(MAX_BATCH, size),
      waitTimeMs: this.o.waitTimeMs ?? 20_000,
      visibilityTimeoutMs: hideMs,
      signal,
    });
    if (got.length === 0) return got;
    const closesAt = Date.now() + this.windowMs;
    while (got.length < size && !signal.aborted) {
      const left = closesAt - Date.now();
      if (left <= 0) break;
      got.push(
        ...(await this.o.queue.receive('batch', {
          maxMessages: Math.min(MAX_BATCH, size - got.length),
          waitTimeMs: Math.min(left, 20_000),
          visibilityTimeoutMs: hideMs,
          signal,
        })),
      );
    }
    return got;
  }

  private async handleAll(messages: readonly QueueMessage[]): Promise<void> {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < messages.length) await this.process(messages[next++]!);
    };
    const lanes = Math.min(this.o.concurrency ?? 32, messages.length);
    await Promise.all(Array.from({ length: lanes }, lane));
  }

  private async process(message: QueueMessage): Promise<void> {
    try {
      const result = await this.o.handle(message, this.shutdown.signal);
      if (result.delete) await this.o.queue.delete('batch', message.receiptHandle);
      else await this.o.queue.changeVisibility('batch', message.receiptHandle, result.visibilityMs ?? 0);
    } catch (err) {
      // Left alone, the message becomes visible again when its visibility timeout ends.
      this.log.error('handling a batch message failed', { messageId: message.messageId, error: String(err) });
    }
  }
}
