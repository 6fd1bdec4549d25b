import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecutionConflictError } from '../../lib/domain/execution.js';
import type { HookName } from '../../lib/services/worker.js';
import {
  fuelInput,
  gatedAgent,
  openBenchFactory,
  settle,
  throwingAgent,
  type BenchFactory,
} from './harness.js';

describe('WorkerService over dynalite, the in-process queue and the shipped agents', () => {
  let factory: BenchFactory;
  beforeAll(async () => {
    factory = await openBenchFactory();
  });
  afterAll(async () => factory.close());

  describe('a normal run', () => {
    it('claims, runs the hooks in order and completes with provenance', async () => {
      const b = factory.bench();
      const calls: HookName[] = [];
      const hook = (name: HookName) => () => void calls.push(name);
      const worker = b.worker({
        hooks: {
          preInit: hook('preInit'),
          postInit: hook('postInit'),
          preExec: hook('preExec'),
          postExec: hook('postExec'),
          cleanup: hook('cleanup'),
        },
      });
      const id = await b.submit('fuel-emissions', fuelInput);
      const result = await worker.handle(await b.receiveOne());
      expect(result).toMatchObject({ outcome: 'completed', delete: true });
      expect(calls).toEqual(['preInit', 'postInit', 'preExec', 'postExec', 'cleanup']);
      const done = await b.store.get(b.tenant, id);
      expect(done).toMatchObject({ status: 'COMPLETED', attempts: 1 });
      expect(done.output).toMatchObject({
        provenance: { agent_id: 'fuel-emissions', algorithm: 'sha256/rfc8785' },
      });
      expect(b.metrics.get('ExecutionCompleted')).toBe(1);
      expect(b.scheduler.live).toBe(0);
    });

    it('lets only one of two concurrent claimers run the agent', async () => {
      const b = factory.bench();
      const slow = gatedAgent('slow-agent', 10_000);
      const worker = b.worker({ fixtures: [slow.agent] });
      const id = await b.submit('slow-agent', { n: 1 });
      const copy = JSON.stringify({ v: 1, tenantId: b.tenant, executionId: id, priority: 'P2' });
      await b.queue.send('P2', [copy]);
      const [m1, m2] = await b.queue.receive('P2', { maxMessages: 2 });
      const first = worker.handle(m1!);
      while (slow.state.runs === 0) await settle();
      const second = await worker.handle(m2!);
      expect(second).toMatchObject({ outcome: 'deferred', delete: false });
      slow.state.open();
      expect(await first).toMatchObject({ outcome: 'completed' });
      expect(slow.state.runs).toBe(1);
      await expect(b.store.claim(b.tenant, id, 10_000)).rejects.toBeInstanceOf(ExecutionConflictError);
    });

    it('re-checks the tenant: a message naming another tenant touches nothing', async () => {
      const b = factory.bench();
      const other = factory.bench();
      const id = await b.submit('fuel-emissions', fuelInput);
      await b.queue.send('P0', [
        JSON.stringify({ v: 1, tenantId: other.tenant, executionId: id, priority: 'P0' }),
      ]);
      const result = await b.worker().handle(await b.receiveOne('P0'));
      expect(result).toMatchObject({ outcome: 'poison', delete: false });
      expect(await b.store.get(b.tenant, id)).toMatchObject({ status: 'PENDING', attempts: 0 });
    });
  });

  describe('timeouts from the agent manifest', () => {
    it('warns with a metric at 80 % and times out at 100 %', async () => {
      const b = factory.bench();
      const slow = gatedAgent('slow-agent', 10_000);
      const id = await b.submit('slow-agent', {});
      const running = b.worker({ fixtures: [slow.agent] }).handle(await b.receiveOne());
      while (slow.state.runs === 0) await settle();
      b.scheduler.advance(7_999);
      expect(b.metrics.get('ExecutionTimeoutWarning')).toBe(0);
      b.scheduler.advance(1);
      expect(b.metrics.get('ExecutionTimeoutWarning')).toBe(1);
      expect(b.log.lines).toContainEqual(
        expect.objectContaining({ level: 'warn', message: 'execution reached 80 % of its time budget' }),
      );
      b.scheduler.advance(2_000);
      expect(await running).toMatchObject({ outcome: 'timed_out', delete: true });
      expect(await b.store.get(b.tenant, id)).toMatchObject({
        status: 'TIMED_OUT',
        error: { code: 'timed_out' },
      });
      slow.state.open();
    });
  });

  describe('cancellation', () => {
    it('drops a PENDING execution that was cancelled before delivery', async () => {
      const b = factory.bench();
      const id = await b.submit('fuel-emissions', fuelInput);
      await b.store.cancel(b.tenant, id);
      expect(await b.worker().handle(await b.receiveOne())).toMatchObject({
        outcome: 'cancelled',
        delete: true,
      });
      expect(await b.store.get(b.tenant, id)).toMatchObject({ status: 'CANCELLED', attempts: 0 });
    });

    it('stops a RUNNING execution at the next check between hooks, before the agent runs', async () => {
      const b = factory.bench();
      let postExec = 0;
      const id = await b.submit('fuel-emissions', fuelInput);
      const worker = b.worker({
        hooks: {
          postInit: () => b.store.cancel(b.tenant, id).then(() => {}),
          postExec: () => void postExec++,
        },
      });
      expect(await worker.handle(await b.receiveOne())).toMatchObject({ outcome: 'cancelled', delete: true });
      expect(postExec).toBe(0);
      expect(await b.store.get(b.tenant, id)).toMatchObject({ status: 'CANCELLED' });
    });

    it('does not complete a run cancelled while the agent was running', async () => {
      const b = factory.bench();
      let id = '';
      const slow = gatedAgent('slow-agent', 10_000, () => b.store.cancel(b.tenant, id).then(() => {}));
      id = await b.submit('slow-agent', {});
      slow.state.open();
      const result = await b.worker({ fixtures: [slow.agent] }).handle(await b.receiveOne());
      expect(result).toMatchObject({ outcome: 'cancelled', delete: true });
      expect(slow.state.runs).toBe(1);
      const after = await b.store.get(b.tenant, id);
      expect(after.status).toBe('CANCELLED');
      expect(after.output).toBeUndefined();
    });
    it('ends as cancelled when a cancel beats the write of a failing run', async () => {
      const b = factory.bench();
      let id = '';
      const broken = {
        ...throwingAgent('broken-agent'),
        run: async () => {
          await b.store.cancel(b.tenant, id);
          throw new Error('late failure');
        },
      };
      id = await b.submit('broken-agent', {});
      const result = await b.worker({ fixtures: [broken] }).handle(await b.receiveOne());
      expect(result).toMatchObject({ outcome: 'cancelled', delete: true });
      expect(await b.store.get(b.tenant, id)).toMatchObject({ status: 'CANCELLED' });
    });
  });

  describe('visibility and shutdown', () => {
    it('extends the message visibility every half period while the agent runs', async () => {
      const b = factory.bench();
      const slow = gatedAgent('slow-agent', 600_000);
      await b.submit('slow-agent', {});
      const running = b.worker({ fixtures: [slow.agent] }).handle(await b.receiveOne());
      while (slow.state.runs === 0) await settle();
      b.advance(50_000);
      b.scheduler.advance(30_000);
      await settle();
      b.advance(50_000); // 100 s after receive: past the 60 s visibility without the heartbeat
      expect(await b.queue.receive('P2')).toEqual([]);
      slow.state.open();
      expect(await running).toMatchObject({ outcome: 'completed' });
    });

    it('releases the run on shutdown: back to PENDING, message visible at once', async () => {
      const b = factory.bench();
      const slow = gatedAgent('slow-agent', 10_000);
      const id = await b.submit('slow-agent', {});
      const stop = new AbortController();
      const running = b.worker({ fixtures: [slow.agent] }).handle(await b.receiveOne(), stop.signal);
      while (slow.state.runs === 0) await settle();
      stop.abort();
      expect(await running).toMatchObject({ outcome: 'released', delete: false, visibilityMs: 0 });
      expect(await b.store.get(b.tenant, id)).toMatchObject({ status: 'PENDING' });
    });
  });

  describe('failures', () => {
    it('retries a throwing agent and fails it on the 3rd receive with the reason', async () => {
      const b = factory.bench();
      const worker = b.worker({ fixtures: [throwingAgent('broken-agent')] });
      const id = await b.submit('broken-agent', {});
      for (const n of [1, 2]) {
        const m = await b.receiveOne();
        expect(m.receiveCount).toBe(n);
        const r = await worker.handle(m);
        expect(r).toMatchObject({ outcome: 'retry', delete: false, visibilityMs: 5_000 * 2 ** (n - 1) });
        await b.queue.changeVisibility('P2', m.receiptHandle, r.visibilityMs!);
        expect(await b.store.get(b.tenant, id)).toMatchObject({ status: 'PENDING', attempts: n });
        b.advance(r.visibilityMs!);
      }
      expect(await worker.handle(await b.receiveOne())).toMatchObject({ outcome: 'failed', delete: false });
      expect(await b.store.get(b.tenant, id)).toMatchObject({
        status: 'FAILED',
        attempts: 3,
        error: { code: 'agent_error', message: 'division by zero in step 3' },
      });
    });
  });
});
