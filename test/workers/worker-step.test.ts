/**
 * The async path shares the sync path's run step: WorkerService over the real store
 * (dynalite), the in-process queue, the two-level result cache (L1 LRU) and the in-process
 * bus. A repeated input is served from the cache and the record says so; concurrent identical
 * runs compute once; every transition is announced with a schema-valid event, and a run
 * cancelled while its agent ran announces no completion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LruResultCache } from '../../lib/adapters/local/lru-result-cache.js';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import type { DomainEvent } from '../../lib/domain/events/envelope.js';
import { validateEvent } from '../../lib/domain/events/validate.js';
import { TwoLevelResultCache } from '../../lib/services/result-cache.js';
import { fuelInput, gatedAgent, openBenchFactory, settle, type BenchFactory } from './harness.js';

describe('WorkerService through the shared run step', () => {
  let factory: BenchFactory;
  beforeAll(async () => {
    factory = await openBenchFactory();
  });
  afterAll(async () => {
    await factory.close();
  });

  function parts() {
    const bus = new MemoryBus();
    const events: DomainEvent[] = [];
    bus.subscribe('*', (e) => {
      events.push(e);
    });
    const cache = new TwoLevelResultCache({ l1: new LruResultCache() });
    return { bus, events, cache };
  }

  it('serves a repeated input from the cache, marks the record and announces started/completed', async () => {
    const b = factory.bench();
    const { bus, events, cache } = parts();
    const worker = b.worker({ cache, bus });
    const first = await b.submit('fuel-emissions', fuelInput);
    const second = await b.submit('fuel-emissions', fuelInput);

    expect((await worker.handle(await b.receiveOne())).outcome).toBe('completed');
    expect((await worker.handle(await b.receiveOne())).outcome).toBe('completed');

    const [e1, e2] = [await b.store.get(b.tenant, first), await b.store.get(b.tenant, second)];
    expect(e1.servedFromCache).toBeUndefined();
    expect(e2.servedFromCache).toBe(true);
    expect(e2.output).toEqual(e1.output);
    expect(cache.stats()).toMatchObject({ misses: 1, l1Hits: 1 });
    expect(events.map((e) => [e.type, e.detail['executionId']])).toEqual([
      ['execution.started', first],
      ['execution.completed', first],
      ['execution.started', second],
      ['execution.completed', second],
    ]);
    expect(events.filter((e) => e.type === 'execution.completed').map((e) => e.detail['fromCache'])).toEqual([
      false,
      true,
    ]);
    for (const e of events) expect(() => validateEvent(e)).not.toThrow();
  });

  it('computes once for concurrent identical runs (stampede protection)', async () => {
    const b = factory.bench();
    const { bus, cache } = parts();
    const slow = gatedAgent('slow-agent', 60_000);
    const worker = b.worker({ cache, bus, fixtures: [slow.agent] });
    const ids = [await b.submit('slow-agent', { n: 7 }), await b.submit('slow-agent', { n: 7 })];
    const runs = [worker.handle(await b.receiveOne()), worker.handle(await b.receiveOne())];
    while (slow.state.runs === 0) await settle();
    slow.state.open();

    expect((await Promise.all(runs)).map((r) => r.outcome)).toEqual(['completed', 'completed']);
    expect(slow.state.runs).toBe(1);
    const marks = await Promise.all(ids.map(async (id) => (await b.store.get(b.tenant, id)).servedFromCache));
    expect(marks.sort()).toEqual([true, undefined]);
  });

  it('announces no completion for a run cancelled while its agent ran', async () => {
    const b = factory.bench();
    const { bus, events, cache } = parts();
    const slow = gatedAgent('slow-agent', 60_000);
    const worker = b.worker({ cache, bus, fixtures: [slow.agent] });
    const id = await b.submit('slow-agent', { n: 8 });
    const run = worker.handle(await b.receiveOne());
    while (slow.state.runs === 0) await settle();

    await b.store.cancel(b.tenant, id);
    slow.state.open();

    expect((await run).outcome).toBe('cancelled');
    expect((await b.store.get(b.tenant, id)).status).toBe('CANCELLED');
    expect(events.map((e) => e.type)).toEqual(['execution.started']);
  });
});
