/**
 * Backpressure probe over SQS: the messages waiting (ApproximateNumberOfMessages) on one of
 * the platform's queues, read with GetQueueAttributes on the queue itself only (the API
 * functions may not touch the DLQs) and remembered for `ttlMs`, so a batch of 10,000 inputs or
 * a burst of submissions costs one call per queue per second, not one per execution. SQS's
 * own figure is approximate (eventually consistent within about a minute) anyway.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueName } from '../../config/queues.js';
import { UnknownQueueError } from '../../ports/queue.js';
import { TtlMemo } from '../../services/ttl-memo.js';

export interface SqsQueueDepthOptions {
  readonly client: SQSClient;
  readonly urls: Partial<Record<QueueName, { readonly url: string }>>;
  /** @default 1000 */
  readonly ttlMs?: number;
}

export function sqsQueueDepth(o: SqsQueueDepthOptions): (queue: QueueName) => Promise<number> {
  const memo = new TtlMemo<{ visible: number }>({ ttlMs: o.ttlMs ?? 1_000, max: 16 });
  return async (queue) => {
    const url = o.urls[queue]?.url;
    if (!url) throw new UnknownQueueError(queue);
    const { visible } = await memo.get(queue, async () => {
      const out = await o.client.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      return { visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) };
    });
    return visible;
  };
}
