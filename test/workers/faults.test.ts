/**
 * Fault tests of the execution engine over the real store (dynalite), the in-process queue
 * with SQS semantics, the shipped agents and the poller the Fargate entry runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecutionConflictError } from '../../lib/domain/execution.js';
import { PriorityPoller } from '../../lib/services/priority-poller.js';
import type { WorkerService } from '../../lib/services/worker.js';
import { fuelInput, openBenchFactory, type Bench, type BenchFactory } from './harness.js';

const pollerFor = (b: Bench, worker: WorkerService, concurrency = 4) =>
  new PriorityPoller({
    queue: b.queue,
    handle: (m, s) => worker.handle(m, s),
    concurrency,
    scheduler: b.scheduler,
  });

async function pollRound(poller: PriorityPoller): Promise<number> {
  const taken = await poller.pollOnce();
  await poller.idle();
  return taken;
}

describe('engine fault tests', () => {
  let factory: BenchFactory;
  beforeAll(async () => {
    factory = await openBenchFactory();
  });
  afterAll(async () => factory.close());

  it('a worker killed mid-execution: the message is redelivered and the execution completes exactly once', async () => {
    const b = factory.bench();
    const id = await b.submit('fuel-emissions', fuelInput);
    // Worker A claims, then its process dies before running the agent: the hook never returns.
    const dying = b.worker({ hooks: { preExec: () => new Promise<void>(() => {}) } });
    void dying.handle(await b.receiveOne());
    await expect.poll(async () => (await b.store.get(b.tenant, id)).status).toBe('RUNNING');
    const zombieLease = (await b.store.get(b.tenant, id)).leaseToken!;

    let runs = 0;
    const survivor = pollerFor(b, b.worker({ hooks: { postExec: () => void runs++ } }));
    expect(await pollRound(survivor)).toBe(0); // still invisible: visibility 60 s
    b.advance(61_000); // past the visibility timeout and A's 40 s lease
    expect(await pollRound(survivor)).toBe(1);

    const done = await b.store.get(b.tenant, id);
    expect(done).toMatchObject({ status: 'COMPLETED', attempts: 2 });
    expect(runs).toBe(1);
    // Had A been only slow, not dead, its late write is refused: it no longer holds the lease.
    await expect(b.store.complete(b.tenant, id, zombieLease, { late: true })).rejects.toBeInstanceOf(
      ExecutionConflictError,
    );
    b.advance(600_000);
    expect(await pollRound(survivor)).toBe(0);
    expect(await b.queue.stats('P2')).toEqual({ visible: 0, inFlight: 0, deadLetter: 0 });
  });

  it('a poison input: FAILED with the reason after 3 receives, the message in the DLQ, redrive acknowledged', async () => {
    const b = factory.bench();
    const poller = pollerFor(b, b.worker());
    const id = await b.submit('fuel-emissions', { factor_source: 'DESNZ', lines: 'not a list' });
    for (const n of [1, 2]) {
      expect(await pollRound(poller)).toBe(1);
      expect(await b.store.get(b.tenant, id)).toMatchObject({ status: 'PENDING', attempts: n });
      b.advance(5_000 * 2 ** (n - 1));
    }
    expect(await pollRound(poller)).toBe(1);
    const failed = await b.store.get(b.tenant, id);
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 3, error: { code: 'invalid_input' } });
    expect(failed.error?.issues?.[0]?.path).toContain('lines');
    expect(await pollRound(poller)).toBe(0);
    expect(await b.queue.stats('P2')).toEqual({ visible: 0, inFlight: 0, deadLetter: 1 });
    expect(b.metrics.get('ExecutionRetried')).toBe(2);
    expect(b.metrics.get('ExecutionFailed')).toBe(1);

    // Redriven, it is recognised as finished and removed instead of running a 4th time.
    expect(await b.queue.redrive('P2')).toBe(1);
    expect(await pollRound(poller)).toBe(1);
    expect(await b.queue.stats('P2')).toEqual({ visible: 0, inFlight: 0, deadLetter: 0 });
    expect(await b.store.get(b.tenant, id)).toMatchObject({ status: 'FAILED', attempts: 3 });
  });

  it('a poison message body lands in the DLQ after 3 receives without stopping the worker', async () => {
    const b = factory.bench();
    const poller = pollerFor(b, b.worker());
    await b.queue.send('P1', ['{"v":1,"tenantId":"not-a-uuid"}']);
    for (const n of [1, 2, 3]) {
      expect(await pollRound(poller)).toBe(1);
      b.advance(5_000 * 2 ** (n - 1));
    }
    expect(await pollRound(poller)).toBe(0);
    expect(await b.queue.stats('P1')).toEqual({ visible: 0, inFlight: 0, deadLetter: 1 });
    expect(b.metrics.get('PoisonMessage')).toBe(3);
  });

  it('a duplicate delivery runs the agent once', async () => {
    const b = factory.bench();
    let runs = 0;
    const poller = pollerFor(b, b.worker({ hooks: { postExec: () => void runs++ } }), 2);
    const id = await b.submit('fuel-emissions', fuelInput);
    await b.dispatcher.dispatch(b.tenant, id, 'P2'); // the same execution queued twice
    expect(await pollRound(poller)).toBe(2);
    b.advance(120_000);
    while ((await pollRound(poller)) > 0) b.advance(120_000);
    expect(runs).toBe(1);
    expect(await b.store.get(b.tenant, id)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    expect(await b.queue.stats('P2')).toEqual({ visible: 0, inFlight: 0, deadLetter: 0 });
    expect(b.metrics.get('DuplicateDelivery')).toBeGreaterThanOrEqual(1);
  });
});
