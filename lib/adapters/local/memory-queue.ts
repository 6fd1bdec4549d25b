/**
 * In-process queue of the embedded default with the SQS semantics the engine relies on:
 * visibility timeout, receive count, a fresh receipt handle per receive, redrive to the
 * DLQ when a message is received again after MAX_RECEIVE_COUNT receives, long polling and
 * batches of up to 10. The clock is injectable so tests expire visibility deterministically.
 */
import { randomUUID } from 'node:crypto';
import { MAX_BATCH, QUEUE_NAMES, QUEUES, type QueueName } from '../../config/queues.js';
import {
  ReceiptHandleInvalidError,
  UnknownQueueError,
  type Queue,
  type QueueMessage,
  type QueueStats,
  type ReceiveOptions,
} from '../../ports/queue.js';

interface Stored {
  readonly messageId: string;
  readonly body: string;
  receiveCount: number;
  visibleAt: number;
  receiptHandle?: string;
  /** Deleted or moved to the DLQ: skipped when met in `ready`. */
  gone?: boolean;
}

/**
 * Visible messages wait in `ready` (a FIFO read from `head`); received or delayed ones sit in
 * `hidden` until their visibility ends; `byHandle` finds a message by its latest receipt
 * handle. Every operation is O(1) or O(messages hidden), never O(backlog): at the 10,000
 * message backpressure depth a receive must not scan the whole queue.
 */
interface Channel {
  ready: Stored[];
  head: number;
  hidden: Set<Stored>;
  byHandle: Map<string, Stored>;
  /** Messages in the queue (ready + hidden), not counting the DLQ. */
  live: number;
  dead: Stored[];
  waiters: Set<() => void>;
}

export interface MemoryQueueOptions {
  /** Milliseconds since the epoch; default Date.now. */
  readonly clock?: () => number;
  readonly maxReceiveCount?: number;
}

export class MemoryQueue implements Queue {
  private readonly channels = new Map<QueueName, Channel>();
  private readonly clock: () => number;
  private readonly maxReceiveCount: number;

  constructor(options: MemoryQueueOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.maxReceiveCount = options.maxReceiveCount ?? QUEUES.P0.maxReceiveCount;
    for (const name of QUEUE_NAMES) {
      this.channels.set(name, {
        ready: [],
        head: 0,
        hidden: new Set(),
        byHandle: new Map(),
        live: 0,
        dead: [],
        waiters: new Set(),
      });
    }
  }

  send(queue: QueueName, bodies: readonly string[]): Promise<void> {
    const ch = this.channel(queue);
    for (const body of bodies) {
      ch.ready.push({ messageId: randomUUID(), body, receiveCount: 0, visibleAt: 0 });
      ch.live++;
    }
    this.wake(ch);
    return Promise.resolve();
  }

  async receive(queue: QueueName, options: ReceiveOptions = {}): Promise<QueueMessage[]> {
    const ch = this.channel(queue);
    const max = Math.min(Math.max(options.maxMessages ?? 1, 1), MAX_BATCH);
    const visibilityMs = options.visibilityTimeoutMs ?? QUEUES[queue].visibilityTimeoutSeconds * 1000;
    const deadline = Date.now() + (options.waitTimeMs ?? 0);
    for (;;) {
      // An abandoned long poll takes nothing: the message would be hidden from everyone.
      if (options.signal?.aborted) return [];
      const got = this.take(queue, ch, max, visibilityMs);
      const left = deadline - Date.now();
      if (got.length > 0 || left <= 0) return got;
      await this.waitFor(ch, left, options.signal);
    }
  }

  delete(queue: QueueName, receiptHandle: string): Promise<void> {
    const ch = this.channel(queue);
    const m = ch.byHandle.get(receiptHandle);
    // A stale handle (the message was received again since) deletes nothing, as in SQS.
    if (m) this.remove(ch, m);
    return Promise.resolve();
  }

  changeVisibility(queue: QueueName, receiptHandle: string, timeoutMs: number): Promise<void> {
    const ch = this.channel(queue);
    const m = ch.byHandle.get(receiptHandle);
    // SQS refuses a handle that is stale or whose message is visible again (not in flight).
    if (!m || m.visibleAt <= this.clock()) return Promise.reject(new ReceiptHandleInvalidError(queue));
    m.visibleAt = this.clock() + timeoutMs;
    if (timeoutMs === 0) {
      ch.hidden.delete(m);
      ch.ready.push(m);
      this.wake(ch);
    }
    return Promise.resolve();
  }

  stats(queue: QueueName): Promise<QueueStats> {
    const ch = this.channel(queue);
    this.reveal(ch, this.clock());
    return Promise.resolve({
      visible: ch.live - ch.hidden.size,
      inFlight: ch.hidden.size,
      deadLetter: ch.dead.length,
    });
  }

  async redrive(queue: QueueName): Promise<number> {
    const ch = this.channel(queue);
    const moved = ch.dead.splice(0);
    await this.send(
      queue,
      moved.map((m) => m.body),
    );
    return moved.length;
  }

  /** Received messages become invisible; those received too often go to the DLQ instead. */
  private take(queue: QueueName, ch: Channel, max: number, visibilityMs: number): QueueMessage[] {
    const now = this.clock();
    this.reveal(ch, now);
    const out: QueueMessage[] = [];
    while (out.length < max && ch.head < ch.ready.length) {
      const m = ch.ready[ch.head++]!;
      if (m.gone || m.visibleAt > now) continue;
      if (m.receiveCount >= this.maxReceiveCount) {
        this.remove(ch, m);
        ch.dead.push({ messageId: m.messageId, body: m.body, receiveCount: m.receiveCount, visibleAt: 0 });
        continue;
      }
      if (m.receiptHandle) ch.byHandle.delete(m.receiptHandle);
      m.receiveCount++;
      m.visibleAt = now + visibilityMs;
      m.receiptHandle = randomUUID();
      ch.byHandle.set(m.receiptHandle, m);
      ch.hidden.add(m);
      out.push({
        queue,
        messageId: m.messageId,
        receiptHandle: m.receiptHandle,
        body: m.body,
        receiveCount: m.receiveCount,
      });
    }
    // Drop the consumed prefix once it dominates, so the array does not grow without bound.
    if (ch.head > 1024 && ch.head * 2 > ch.ready.length) {
      ch.ready = ch.ready.slice(ch.head);
      ch.head = 0;
    }
    return out;
  }

  /** Hidden messages whose visibility has ended become ready again. */
  private reveal(ch: Channel, now: number): void {
    for (const m of ch.hidden) {
      if (m.visibleAt > now) continue;
      ch.hidden.delete(m);
      ch.ready.push(m);
    }
  }

  private remove(ch: Channel, m: Stored): void {
    if (m.gone) return;
    m.gone = true;
    if (m.receiptHandle) ch.byHandle.delete(m.receiptHandle);
    ch.hidden.delete(m);
    ch.live--;
  }

  /** Sleeps until a send, a visibility reset, an abort or the timeout; never longer than 1 s so
   * visibility that expires on its own (real clock) is noticed. */
  private waitFor(ch: Channel, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        ch.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, 1000));
      ch.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(ch: Channel): void {
    for (const w of [...ch.waiters]) w();
  }

  private channel(queue: QueueName): Channel {
    const ch = this.channels.get(queue);
    if (!ch) throw new UnknownQueueError(queue);
    return ch;
  }
}
