/**
 * The SqsQueue adapter through a fake SQS endpoint on loopback (AWS JSON protocol, backed by
 * the MemoryQueue): proves the adapter's wire mapping; SQS itself is not reachable here.
 */
import { expect, it } from 'vitest';
import { SqsQueue } from '../../lib/adapters/aws/sqs-queue.js';
import { MemoryQueue } from '../../lib/adapters/local/memory-queue.js';
import { UnknownQueueError } from '../../lib/ports/queue.js';
import { startFakeSqs } from './fake-sqs.js';
import { queueContract } from './queue.contract.js';

queueContract('SqsQueue over a fake SQS endpoint', async () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const fake = await startFakeSqs(new MemoryQueue({ clock: () => now }));
  const client = fake.client();
  return {
    queue: new SqsQueue({ client, urls: fake.urls }),
    advance: (ms) => void (now += ms),
    close: async () => {
      client.destroy();
      await fake.close();
    },
  };
});

it('uses batch sends of 10 and refuses queues it has no URL for', async () => {
  const fake = await startFakeSqs(new MemoryQueue());
  const client = fake.client();
  try {
    const queue = new SqsQueue({ client, urls: { P0: fake.urls.P0 } });
    await queue.send(
      'P0',
      Array.from({ length: 21 }, (_, i) => String(i)),
    );
    expect(fake.calls.filter((c) => c === 'SendMessageBatch')).toHaveLength(3);
    await expect(queue.send('P1', ['x'])).rejects.toBeInstanceOf(UnknownQueueError);
  } finally {
    client.destroy();
    await fake.close();
  }
});
