/**
 * The Fargate worker's receive loop: weighted priority polling over P0..P3 and graceful
 * shutdown. Weights 8:4:2:1 via smooth weighted round robin (nginx's algorithm): out of every
 * 15 polls P0 is preferred 8 times and P3 once, so a P3 backlog cannot starve P0 and P3 still
 * progresses while P0 is busy. An empty preferred queue falls through to the others in
 * priority order, so no poll is wasted. When every queue is empty it long-polls all four at
 * once and keeps what arrives first. stop(): no new receives; in-flight work gets the grace
 * period to finish, then is released (RUNNING -> PENDING, message visible again). A long poll
 * cut short at shutdown may still have taken a message server-side; SQS shows it again after
 * its visibility timeout, so it is delayed, never lost.
 */
import {
  POLL_WEIGHTS,
  PRIORITIES,
  SHUTDOWN_GRACE_MS,
  LONG_POLL_SECONDS,
  MAX_BATCH,
  type Priority,
} from '../config/queues.js';
import type { Queue, QueueMessage } from '../ports/queue.js';
import type { HandleResult } from './worker.js';
import { realScheduler, silentLog, type Scheduler, type WorkerLog } from './worker-support.js';

export interface PollerOptions {
  readonly queue: Queue;
  /** Usually WorkerService.handle; the poller deletes or re-times the message afterwards. */
  readonly handle: (message: QueueMessage, signal: AbortSignal) => Promise<HandleResult>;
  readonly weights?: Readonly<Record<Priority, number>>;
  /** Messages handled at once; default 4. */
  readonly concurrency?: number;
  readonly waitTimeMs?: number;
  readonly scheduler?: Scheduler;
  readonly log?: WorkerLog;
}

export interface StopReport {
  /** In-flight messages that finished within the grace period. */
  readonly finished: number;
  /** In-flight messages still running at the deadline, released for another worker. */
  readonly released: number;
}

export class PriorityPoller {
  private readonly weights: Readonly<Record<Priority, number>>;
  private readonly current: Record<Priority, number> = { P0: 0, P1: 0, P2: 0, P3: 0 };
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private pollAbort = new AbortController();
  private running = false;
  private slotFreed: () => void = () => {};

  constructor(private readonly o: PollerOptions) {
    this.weights = o.weights ?? POLL_WEIGHTS;
  }

  /** The queue the next poll prefers (smooth weighted round robin). */
  nextChoice(): Priority {
    const total = PRIORITIES.reduce((s, p) => s + this.weights[p], 0);
    let best: Priority = 'P0';
    for (const p of PRIORITIES) {
      this.current[p] += this.weights[p];
      if (this.current[p] > this.current[best]) best = p;
    }
    this.current[best] -= total;
    return best;
  }

  /** The preferred queue first, then the others from P0 down. */
  pollOrder(): Priority[] {
    const first = this.nextChoice();
    return [first, ...PRIORITIES.filter((p) => p !== first)];
  }

  /** One poll without waiting: takes up to the free slots from the first non-empty queue in pollOrder. */
  async pollOnce(): Promise<number> {
    const free = Math.min(this.free(), MAX_BATCH);
    if (free <= 0) return 0;
    for (const q of this.pollOrder()) {
      const messages = await this.o.queue.receive(q, { maxMessages: free });
      for (const m of messages) this.begin(m);
      if (messages.length > 0) return messages.length;
    }
    return 0;
  }

  /** Runs until stop(). */
  async start(): Promise<void> {
    this.running = true;
    while (this.running) {
      if (this.free() <= 0) {
        await new Promise<void>((r) => (this.slotFreed = r));
        continue;
      }
      try {
        if ((await this.pollOnce()) === 0 && this.running) await this.longPoll();
      } catch (err) {
        this.log().error('receive failed; polling again', { error: String(err) });
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  /** Stop taking work; let in-flight work finish within `graceMs`, then release what is left. */
  async stop(graceMs = SHUTDOWN_GRACE_MS): Promise<StopReport> {
    this.running = false;
    this.pollAbort.abort();
    this.slotFreed();
    const pending = [...this.inFlight];
    let timedOut = false;
    await new Promise<void>((resolve) => {
      const cancel = (this.o.scheduler ?? realScheduler).after(graceMs, () => {
        timedOut = true;
        resolve();
      });
      void Promise.all(pending).then(() => {
        cancel();
        resolve();
      });
    });
    const left = [...this.inFlight].length;
    if (timedOut && left > 0) this.shutdown.abort();
    await Promise.all(this.inFlight);
    return { finished: pending.length - (timedOut ? left : 0), released: timedOut ? left : 0 };
  }

  /** Resolves when nothing is in flight (tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private async longPoll(): Promise<void> {
    const ac = new AbortController();
    this.pollAbort = ac;
    const waitTimeMs = this.o.waitTimeMs ?? LONG_POLL_SECONDS * 1000;
    await Promise.all(
      PRIORITIES.map(async (q) => {
        const messages = await this.o.queue.receive(q, { maxMessages: 1, waitTimeMs, signal: ac.signal });
        if (messages.length > 0) ac.abort();
        for (const m of messages) this.begin(m);
      }),
    );
  }

  private begin(message: QueueMessage): void {
    const work = this.process(message).finally(() => {
      this.inFlight.delete(work);
      this.slotFreed();
    });
    this.inFlight.add(work);
  }

  private async process(message: QueueMessage): Promise<void> {
    const { queue, receiptHandle, messageId } = message;
    try {
      const result = await this.o.handle(message, this.shutdown.signal);
      if (result.delete) await this.o.queue.delete(queue, receiptHandle);
      else await this.o.queue.changeVisibility(queue, receiptHandle, result.visibilityMs ?? 0);
    } catch (err) {
      // Left alone, the message becomes visible again when its visibility timeout ends.
      this.log().error('handling a message failed', { messageId, queue, error: String(err) });
    }
  }

  private free(): number {
    return (this.o.concurrency ?? 4) - this.inFlight.size;
  }

  private log(): WorkerLog {
    return this.o.log ?? silentLog;
  }
}
