import { describe, expect, it } from 'vitest';
import { SqsQueue } from '../../lib/adapters/aws/sqs-queue.js';
import { MemoryQueue } from '../../lib/adapters/local/memory-queue.js';
import { QueueDispatcher } from '../../lib/adapters/queue-dispatcher.js';
import { ValidationError } from '../../lib/domain/errors.js';
import { executionMessageSchema } from '../../lib/ports/queue.js';
import { startFakeSqs } from './fake-sqs.js';

const tenant = '0196a1b2-0000-7000-8000-0000000000aa';
const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => `0196a1b2-0000-7000-8000-${String(i).padStart(12, '0')}`);

describe('QueueDispatcher', () => {
  it('sends the dispatches of one tick together, in batches of 10, to their priority queue', async () => {
    const backing = new MemoryQueue();
    const fake = await startFakeSqs(backing);
    const client = fake.client();
    try {
      const dispatcher = new QueueDispatcher(new SqsQueue({ client, urls: fake.urls }));
      await Promise.all([
        ...ids(25).map((id) => dispatcher.dispatch(tenant, id, 'P1')),
        dispatcher.dispatch(tenant, ids(1)[0]!, 'P3'),
      ]);
      expect(fake.calls.filter((c) => c === 'SendMessageBatch')).toHaveLength(4);
      expect(await backing.stats('P1')).toMatchObject({ visible: 25 });
      const [m] = await backing.receive('P3');
      expect(executionMessageSchema.parse(JSON.parse(m!.body))).toEqual({
        v: 1,
        tenantId: tenant,
        executionId: ids(1)[0],
        priority: 'P3',
      });
    } finally {
      client.destroy();
      await fake.close();
    }
  });

  it('refuses a message the worker could not parse, before sending anything', async () => {
    const queue = new MemoryQueue();
    const dispatcher = new QueueDispatcher(queue);
    await expect(dispatcher.dispatch('not-a-tenant', ids(1)[0]!, 'P0')).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await queue.stats('P0')).toEqual({ visible: 0, inFlight: 0, deadLetter: 0 });
  });

  it('rejects every dispatch of a batch the queue refused', async () => {
    const fake = await startFakeSqs(new MemoryQueue());
    const client = fake.client();
    try {
      const dispatcher = new QueueDispatcher(new SqsQueue({ client, urls: { P0: fake.urls.P0 } }));
      const results = await Promise.allSettled(ids(2).map((id) => dispatcher.dispatch(tenant, id, 'P2')));
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    } finally {
      client.destroy();
      await fake.close();
    }
  });
});
