import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryQueue } from '../../lib/adapters/local/memory-queue.js';
import type { Priority } from '../../lib/config/queues.js';
import type { QueueMessage } from '../../lib/ports/queue.js';
import { PriorityPoller } from '../../lib/services/priority-poller.js';
import type { HandleResult } from '../../lib/services/worker.js';
import { gatedAgent, ManualScheduler, openBenchFactory, settle, type BenchFactory } from './harness.js';

const ack = (): Promise<HandleResult> => Promise.resolve({ outcome: 'completed', delete: true });

describe('PriorityPoller', () => {
  describe('weighted choice (8:4:2:1)', () => {
    it('prefers queues in a fixed, smooth sequence: 8 P0, 4 P1, 2 P2, 1 P3 in every 15 polls', () => {
      const poller = new PriorityPoller({ queue: new MemoryQueue(), handle: ack });
      const picks = Array.from({ length: 45 }, () => poller.nextChoice());
      expect(picks.slice(0, 15).join(' ')).toBe('P0 P1 P0 P2 P0 P1 P0 P3 P0 P1 P0 P2 P0 P1 P0');
      for (let start = 0; start + 15 <= picks.length; start++) {
        const window = picks.slice(start, start + 15);
        const count = (p: Priority) => window.filter((x) => x === p).length;
        expect([count('P0'), count('P1'), count('P2'), count('P3')]).toEqual([8, 4, 2, 1]);
      }
      // P0 is never more than one poll away.
      expect(picks.every((p, i) => p === 'P0' || picks[i + 1] === 'P0' || picks[i - 1] === 'P0')).toBe(true);
    });

    it('serves P0 before a larger, older P3 backlog, and P3 still progresses', async () => {
      const queue = new MemoryQueue();
      await queue.send(
        'P3',
        Array.from({ length: 50 }, (_, i) => `p3-${i}`),
      );
      await queue.send(
        'P0',
        Array.from({ length: 50 }, (_, i) => `p0-${i}`),
      );
      const served: string[] = [];
      const poller = new PriorityPoller({
        queue,
        concurrency: 1,
        handle: (m: QueueMessage) => {
          served.push(m.queue);
          return ack();
        },
      });
      for (let i = 0; i < 30; i++) {
        await poller.pollOnce();
        await poller.idle();
      }
      // P1 and P2 are empty, so their turns fall through to P0; P3 keeps its 1 in 15.
      expect(served.slice(0, 15).join(' ')).toBe('P0 P0 P0 P0 P0 P0 P0 P3 P0 P0 P0 P0 P0 P0 P0');
      expect(served.filter((q) => q === 'P3')).toHaveLength(2);
      expect(await queue.stats('P0')).toMatchObject({ visible: 22, inFlight: 0 });
    });
  });

  describe('the loop and SIGTERM', () => {
    let factory: BenchFactory;
    beforeAll(async () => {
      factory = await openBenchFactory();
    });
    afterAll(async () => factory.close());

    it('long-polls, then on stop takes no new work and lets in-flight work finish', async () => {
      const b = factory.bench();
      const slow = gatedAgent('slow-agent', 10_000);
      const worker = b.worker({ fixtures: [slow.agent] });
      const poller = new PriorityPoller({
        queue: b.queue,
        handle: (m, s) => worker.handle(m, s),
        waitTimeMs: 5_000,
      });
      const loop = poller.start();
      const id = await b.submit('slow-agent', {}, '1.0.0', 3);
      while (slow.state.runs === 0) await settle();
      const stopping = poller.stop();
      const late = await b.submit('fuel-emissions', {}, '1.0.0', 0);
      slow.state.open();
      expect(await stopping).toEqual({ finished: 1, released: 0 });
      await loop;
      expect(await b.store.get(b.tenant, id)).toMatchObject({ status: 'COMPLETED' });
      expect(await b.store.get(b.tenant, late)).toMatchObject({ status: 'PENDING' });
      expect(await b.queue.stats('P3')).toEqual({ visible: 0, inFlight: 0, deadLetter: 0 });
      expect((await b.queue.stats('P0')).visible).toBe(1);
    });

    it('releases work still running when the grace period ends', async () => {
      const b = factory.bench();
      const slow = gatedAgent('slow-agent', 600_000);
      const worker = b.worker({ fixtures: [slow.agent] });
      const scheduler = new ManualScheduler();
      const poller = new PriorityPoller({
        queue: b.queue,
        handle: (m, s) => worker.handle(m, s),
        scheduler,
        waitTimeMs: 5_000,
      });
      const loop = poller.start();
      const id = await b.submit('slow-agent', {});
      while (slow.state.runs === 0) await settle();
      const stopping = poller.stop(30_000);
      scheduler.advance(29_999);
      await settle();
      expect(await b.store.get(b.tenant, id)).toMatchObject({ status: 'RUNNING' });
      scheduler.advance(1);
      expect(await stopping).toEqual({ finished: 0, released: 1 });
      await loop;
      expect(await b.store.get(b.tenant, id)).toMatchObject({ status: 'PENDING' });
      const [again] = await b.queue.receive('P2');
      expect(again).toMatchObject({ receiveCount: 2 });
    });
  });
});
