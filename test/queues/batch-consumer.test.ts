/**
 * BatchConsumer over the real in-process queue: aggregates of at most `batchSize` messages,
 * a partial aggregate closes when its window ends, each message is deleted or re-timed by
 * its handler's result, and messages collected when stop() comes are given back untouched.
 * The handler is a test function (the worker itself is tested in test/workers).
 */
import { describe, expect, it } from 'vitest';
import { MemoryQueue } from '../../lib/adapters/local/memory-queue.js';
import type { QueueMessage } from '../../lib/ports/queue.js';
import { BatchConsumer } from '../../lib/services/batch-consumer.js';
import type { HandleResult } from '../../lib/services/worker-outcome.js';

const bodies = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `m${from + i}`);
const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
};
const untilAsync = async (check: () => Promise<boolean>): Promise<void> => {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
};

describe('BatchConsumer', () => {
  it('hands over aggregates of at most batchSize messages and deletes each handled one', async () => {
    const queue = new MemoryQueue();
    await queue.send('batch', bodies(250));
    const seen: string[] = [];
    const consumer = new BatchConsumer({
      queue,
      batchSize: 100,
      windowMs: 200,
      waitTimeMs: 50,
      handle: (m: QueueMessage): Promise<HandleResult> => {
        seen.push(m.body);
        return Promise.resolve({ outcome: 'completed', delete: true });
      },
    });
    const loop = consumer.start();
    await until(() => seen.length === 250);
    await consumer.stop(1_000);
    await loop;

    // 250 waiting messages: two full aggregates fill at once, the last 50 when the window closes.
    expect(consumer.aggregates).toEqual([100, 100, 50]);
    expect(new Set(seen)).toEqual(new Set(bodies(250)));
    expect(await queue.stats('batch')).toEqual({ visible: 0, inFlight: 0, deadLetter: 0 });
  });

  it('closes a partial aggregate when the window ends', async () => {
    const queue = new MemoryQueue();
    await queue.send('batch', bodies(7));
    let handled = 0;
    const consumer = new BatchConsumer({
      queue,
      batchSize: 100,
      windowMs: 30,
      waitTimeMs: 50,
      handle: () => {
        handled++;
        return Promise.resolve({ outcome: 'completed', delete: true });
      },
    });
    const loop = consumer.start();
    await until(() => handled === 7);
    await consumer.stop(1_000);
    await loop;
    expect(consumer.aggregates).toEqual([7]);
  });

  it('re-times a message its handler keeps, and gives back what it collected when stopped', async () => {
    const queue = new MemoryQueue();
    await queue.send('batch', ['keep', 'done']);
    const handled: string[] = [];
    const consumer = new BatchConsumer({
      queue,
      batchSize: 2,
      windowMs: 10_000,
      waitTimeMs: 50,
      handle: (m) => {
        handled.push(m.body);
        return Promise.resolve(
          m.body === 'keep'
            ? { outcome: 'retry', delete: false, visibilityMs: 0 }
            : { outcome: 'completed', delete: true },
        );
      },
    });
    const loop = consumer.start();
    await until(() => handled.length === 2);
    // 'keep' is visible again at once: the next aggregate takes it and waits for a second message.
    await untilAsync(async () => (await queue.stats('batch')).inFlight === 1);
    await consumer.stop(1_000);
    await loop;

    expect(handled.sort()).toEqual(['done', 'keep']);
    const left = await queue.receive('batch', { maxMessages: 10 });
    // Received by the first aggregate, by the unfinished second one, and now: never run twice.
    expect(left.map((m) => [m.body, m.receiveCount])).toEqual([['keep', 3]]);
  });
});
