/**
 * The queue contract: every Queue adapter must pass this, so the in-process queue behaves
 * like SQS (visibility, receive count, DLQ after 3 receives, long polling, batches of 10).
 */
import { describe, expect, it } from 'vitest';
import { ReceiptHandleInvalidError, type Queue } from '../../lib/ports/queue.js';

export interface QueueHarness {
  readonly queue: Queue;
  /** Moves the queue's clock forward (visibility timeouts). */
  readonly advance: (ms: number) => void;
  readonly close: () => Promise<void>;
}

const bodiesOf = (ms: { body: string }[]) => ms.map((m) => m.body);

export function queueContract(name: string, open: () => Promise<QueueHarness>): void {
  describe(`Queue contract: ${name}`, () => {
    const withQueue = (fn: (h: QueueHarness) => Promise<void>) => async () => {
      const h = await open();
      try {
        await fn(h);
      } finally {
        await h.close();
      }
    };

    it(
      'sends and receives in batches of at most 10, each body once',
      withQueue(async ({ queue }) => {
        const sent = Array.from({ length: 25 }, (_, i) => `m${i}`);
        await queue.send('P1', sent);
        const first = await queue.receive('P1', { maxMessages: 50 });
        expect(first).toHaveLength(10);
        const rest = [
          ...(await queue.receive('P1', { maxMessages: 10 })),
          ...(await queue.receive('P1', { maxMessages: 10 })),
        ];
        expect([...bodiesOf(first), ...bodiesOf(rest)].sort()).toEqual([...sent].sort());
        expect(first.every((m) => m.receiveCount === 1 && m.queue === 'P1')).toBe(true);
        expect(await queue.receive('P1', { maxMessages: 10 })).toEqual([]);
        expect(await queue.stats('P1')).toEqual({ visible: 0, inFlight: 25, deadLetter: 0 });
      }),
    );

    it(
      'hides a received message for its visibility timeout, then redelivers it with a new handle',
      withQueue(async ({ queue, advance }) => {
        await queue.send('P0', ['work']);
        const [first] = await queue.receive('P0', { visibilityTimeoutMs: 30_000 });
        advance(29_000);
        expect(await queue.receive('P0')).toEqual([]);
        advance(2_000);
        const [again] = await queue.receive('P0', { visibilityTimeoutMs: 30_000 });
        expect(again).toMatchObject({ body: 'work', receiveCount: 2, messageId: first!.messageId });
        expect(again!.receiptHandle).not.toBe(first!.receiptHandle);
        // A stale handle deletes nothing (SQS: "succeeds, but the message might not be deleted").
        await queue.delete('P0', first!.receiptHandle);
        expect((await queue.stats('P0')).inFlight).toBe(1);
        await queue.delete('P0', again!.receiptHandle);
        advance(60_000);
        expect(await queue.receive('P0')).toEqual([]);
        expect(await queue.stats('P0')).toEqual({ visible: 0, inFlight: 0, deadLetter: 0 });
      }),
    );

    it(
      'extends visibility while work runs and makes a message visible at once with 0',
      withQueue(async ({ queue, advance }) => {
        await queue.send('P2', ['long', 'short']);
        const [long, short] = await queue.receive('P2', { maxMessages: 2, visibilityTimeoutMs: 30_000 });
        advance(20_000);
        await queue.changeVisibility('P2', long!.receiptHandle, 30_000);
        await queue.changeVisibility('P2', short!.receiptHandle, 0);
        expect(bodiesOf(await queue.receive('P2', { maxMessages: 10 }))).toEqual(['short']);
        advance(20_000);
        expect(await queue.receive('P2')).toEqual([]);
        advance(11_000);
        expect(bodiesOf(await queue.receive('P2'))).toEqual(['long']);
        await expect(queue.changeVisibility('P2', long!.receiptHandle, 10_000)).rejects.toBeInstanceOf(
          ReceiptHandleInvalidError,
        );
      }),
    );

    it(
      'moves a message to the DLQ when it comes back after 3 receives, and redrives it',
      withQueue(async ({ queue, advance }) => {
        await queue.send('P3', ['poison']);
        for (const n of [1, 2, 3]) {
          const [m] = await queue.receive('P3', { visibilityTimeoutMs: 1_000 });
          expect(m).toMatchObject({ body: 'poison', receiveCount: n });
          advance(1_000);
        }
        expect(await queue.receive('P3')).toEqual([]);
        expect(await queue.stats('P3')).toEqual({ visible: 0, inFlight: 0, deadLetter: 1 });
        expect(await queue.redrive('P3')).toBe(1);
        const [back] = await queue.receive('P3');
        expect(back).toMatchObject({ body: 'poison', receiveCount: 1 });
        expect((await queue.stats('P3')).deadLetter).toBe(0);
        expect(await queue.redrive('P3')).toBe(0);
      }),
    );

    it(
      'long-polls: a receive waiting on an empty queue returns the message sent meanwhile',
      withQueue(async ({ queue }) => {
        const waiting = queue.receive('batch', { waitTimeMs: 10_000 });
        await new Promise((r) => setTimeout(r, 50));
        await queue.send('batch', ['late']);
        expect(bodiesOf(await waiting)).toEqual(['late']);
        expect(await queue.receive('batch', { waitTimeMs: 1_000 })).toEqual([]);
      }),
    );
  });
}
