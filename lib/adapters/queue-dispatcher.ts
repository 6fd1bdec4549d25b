/**
 * ExecutionDispatcher over the queue port: a stored PENDING execution becomes one message on
 * its priority's queue. Dispatches made in the same tick are sent together (SendMessageBatch
 * of up to 10), which is what lets one API process queue thousands per second. With a
 * `target` every message goes to that queue instead (batch items: the batch queue).
 */
import type { QueueName } from '../config/queues.js';
import { parseOrThrow } from '../domain/execution-request.js';
import type { ExecutionDispatcher, ExecutionPriority } from '../ports/execution-dispatcher.js';
import { executionMessageSchema, type ExecutionMessage, type Queue } from '../ports/queue.js';

interface Pending {
  readonly body: string;
  resolve(): void;
  reject(err: unknown): void;
}

export class QueueDispatcher implements ExecutionDispatcher {
  private readonly pending = new Map<QueueName, Pending[]>();
  private scheduled = false;

  constructor(
    private readonly queue: Queue,
    private readonly target?: QueueName,
  ) {}

  async dispatch(tenantId: string, executionId: string, priority: ExecutionPriority): Promise<void> {
    const message: ExecutionMessage = parseOrThrow(executionMessageSchema, {
      v: 1,
      tenantId,
      executionId,
      priority,
    });
    await new Promise<void>((resolve, reject) => {
      const name = this.target ?? priority;
      const list = this.pending.get(name) ?? [];
      list.push({ body: JSON.stringify(message), resolve, reject });
      this.pending.set(name, list);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const work = [...this.pending];
    this.pending.clear();
    await Promise.all(
      work.map(async ([name, list]) => {
        try {
          await this.queue.send(
            name,
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
