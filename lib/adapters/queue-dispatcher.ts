/**
 * ExecutionDispatcher over the queue port: a stored PENDING execution becomes one message on
 * its priority's queue. Dispatches made in the same tick are sent together (SendMessageBatch
 * of up to 10), which is what lets one API process queue thousands per second.
 */
import { PRIORITIES, type Priority } from '../config/queues.js';
import { parseOrThrow } from '../domain/execution-request.js';
import type { ExecutionDispatcher, ExecutionPriority } from '../ports/execution-dispatcher.js';
import { executionMessageSchema, type ExecutionMessage, type Queue } from '../ports/queue.js';

interface Pending {
  readonly body: string;
  resolve(): void;
  reject(err: unknown): void;
}

export class QueueDispatcher implements ExecutionDispatcher {
  private readonly pending = new Map<Priority, Pending[]>();
  private scheduled = false;

  constructor(private readonly queue: Queue) {}

  async dispatch(tenantId: string, executionId: string, priority: ExecutionPriority): Promise<void> {
    const message: ExecutionMessage = parseOrThrow(executionMessageSchema, {
      v: 1,
      tenantId,
      executionId,
      priority,
    });
    await new Promise<void>((resolve, reject) => {
      const list = this.pending.get(priority) ?? [];
      list.push({ body: JSON.stringify(message), resolve, reject });
      this.pending.set(priority, list);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const work = PRIORITIES.map((p) => [p, this.pending.get(p) ?? []] as const).filter(([, l]) => l.length);
    this.pending.clear();
    await Promise.all(
      work.map(async ([priority, list]) => {
        try {
          await this.queue.send(
            priority,
            list.map((p) => p.body),
          );
          for (const p of list) p.resolve();
        } catch (err) {
          for (const p of list) p.reject(err);
        }
      }),
    );
  }
}
