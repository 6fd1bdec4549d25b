/**
 * The API's backpressure probe over SQS, against the fake SQS endpoint (JSON protocol) on an
 * in-process queue: it reads the waiting messages of the queue itself (the API may not read
 * the DLQs, so it is given no DLQ URL here), and one GetQueueAttributes per queue per TTL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsQueueDepth } from '../../lib/adapters/aws/sqs-queue-depth.js';
import { MemoryQueue } from '../../lib/adapters/local/memory-queue.js';
import { UnknownQueueError } from '../../lib/ports/queue.js';
import { startFakeSqs, type FakeSqs } from './fake-sqs.js';

describe('sqsQueueDepth', { timeout: 30_000 }, () => {
  const backing = new MemoryQueue();
  let sqs: FakeSqs;

  beforeAll(async () => {
    sqs = await startFakeSqs(backing);
  });
  afterAll(async () => sqs.close());

  it("counts the batch queue's waiting messages, one call per queue per TTL", async () => {
    const client = sqs.client();
    try {
      const depth = sqsQueueDepth({
        client,
        urls: { batch: { url: sqs.urls.batch.url }, P3: { url: sqs.urls.P3.url } },
        ttlMs: 60_000,
      });
      await backing.send('batch', ['a', 'b', 'c']);
      await backing.send('P3', ['x']);
      const before = sqs.calls.length;

      expect(await Promise.all([depth('batch'), depth('batch'), depth('P3')])).toEqual([3, 3, 1]);
      await backing.send('batch', ['d']);
      expect(await depth('batch')).toBe(3); // remembered within the TTL

      expect(sqs.calls.slice(before)).toEqual(['GetQueueAttributes', 'GetQueueAttributes']);
      await expect(depth('P0')).rejects.toBeInstanceOf(UnknownQueueError);
    } finally {
      client.destroy();
    }
  });

  it('reads again once the TTL has passed', async () => {
    const client = sqs.client();
    try {
      const depth = sqsQueueDepth({ client, urls: { P1: { url: sqs.urls.P1.url } }, ttlMs: 1 });
      expect(await depth('P1')).toBe(0);
      await backing.send('P1', ['m']);
      await new Promise((r) => setTimeout(r, 5));
      expect(await depth('P1')).toBe(1);
    } finally {
      client.destroy();
    }
  });
});
