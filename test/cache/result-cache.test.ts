import { randomUUID } from 'node:crypto';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { LruResultCache } from '../../lib/adapters/local/lru-result-cache.js';
import { sha256Hex } from '../../lib/agents/provenance.js';
import { TwoLevelResultCache } from '../../lib/services/result-cache.js';

const T1 = randomUUID();
const T2 = randomUUID();
const hash = (n: number | string) => sha256Hex(`input-${n}`);

function counter<T>(value: (n: number) => T) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    fn: () => {
      calls++;
      return Promise.resolve(value(calls));
    },
  };
}

/** A clock the test moves by hand. */
function manualClock(start = new Date('2026-03-01T12:00:00Z')) {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

describe('TwoLevelResultCache with L1 only (local mode without Redis)', () => {
  it('computes on a miss, then serves L1 hits with equal but independent copies', async () => {
    const cache = new TwoLevelResultCache({ l1: new LruResultCache() });
    const compute = counter(() => ({ co2eKg: 12.5, lines: [1, 2] }));

    const first = await cache.getOrCompute(T1, hash(1), compute.fn);
    first.value.lines.push(99); // a caller mutating its copy must not change the cache
    const second = await cache.getOrCompute(T1, hash(1), compute.fn);

    expect(first.source).toBe('computed');
    expect(second).toEqual({ source: 'l1', value: { co2eKg: 12.5, lines: [1, 2] } });
    expect(compute.calls).toBe(1);
    expect(cache.stats()).toEqual({
      l1Hits: 1,
      l2Hits: 0,
      waits: 0,
      misses: 1,
      errors: 0,
      l2Errors: 0,
      hitRatio: 0.5,
    });
  });

  it('50 concurrent identical requests compute once; counters exact', async () => {
    const cache = new TwoLevelResultCache({ l1: new LruResultCache() });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const compute = async () => {
      calls++;
      await gate;
      return { total: 42 };
    };

    const all = Promise.all(Array.from({ length: 50 }, () => cache.getOrCompute(T1, hash('hot'), compute)));
    release();
    const results = await all;

    expect(calls).toBe(1);
    expect(results.every((r) => r.value.total === 42)).toBe(true);
    expect(results.filter((r) => r.source === 'computed')).toHaveLength(1);
    expect(results.filter((r) => r.source === 'waited')).toHaveLength(49);
    expect(cache.stats()).toMatchObject({ misses: 1, waits: 49, l1Hits: 0, l2Hits: 0, errors: 0 });
    await cache.getOrCompute(T1, hash('hot'), compute);
    expect(cache.stats()).toMatchObject({ misses: 1, waits: 49, l1Hits: 1, hitRatio: 50 / 51 });
  });

  it('different keys and different tenants compute separately (no cross-tenant sharing)', async () => {
    const cache = new TwoLevelResultCache({ l1: new LruResultCache() });
    const compute = counter((n) => n);

    const values = await Promise.all([
      cache.getOrCompute(T1, hash(1), compute.fn),
      cache.getOrCompute(T1, hash(2), compute.fn),
      cache.getOrCompute(T2, hash(1), compute.fn),
    ]);

    expect(compute.calls).toBe(3);
    expect(new Set(values.map((v) => v.value)).size).toBe(3);
    expect(cache.stats().misses).toBe(3);
  });

  it('a failed computation reaches every waiter, is not cached, and counts as errors', async () => {
    const cache = new TwoLevelResultCache({ l1: new LruResultCache() });
    let calls = 0;
    const failing = async () => {
      calls++;
      await Promise.resolve();
      throw new Error('agent failed');
    };

    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => cache.getOrCompute(T1, hash('bad'), failing)),
    );

    expect(calls).toBe(1);
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(cache.stats()).toMatchObject({ errors: 5, misses: 0, waits: 0 });
    const retried = await cache.getOrCompute(T1, hash('bad'), () => Promise.resolve('ok now'));
    expect(retried).toEqual({ source: 'computed', value: 'ok now' });
  });

  it('expires L1 entries after 5 minutes on the injected clock', async () => {
    const clock = manualClock();
    const cache = new TwoLevelResultCache({ l1: new LruResultCache({ clock: clock.now }) });
    const compute = counter((n) => `v${n}`);

    await cache.getOrCompute(T1, hash(1), compute.fn);
    clock.advance(5 * 60_000 - 1);
    expect(await cache.getOrCompute(T1, hash(1), compute.fn)).toEqual({ source: 'l1', value: 'v1' });
    clock.advance(2);
    expect(await cache.getOrCompute(T1, hash(1), compute.fn)).toEqual({ source: 'computed', value: 'v2' });
  });

  it('keeps L1 within its byte bound, evicting the least recently used', async () => {
    const l1 = new LruResultCache({ maxBytes: 2_000 });
    const cache = new TwoLevelResultCache({ l1 });
    const payload = (n: number) => ({ n, pad: 'x'.repeat(100) });

    for (let i = 0; i < 40; i++) {
      await cache.getOrCompute(T1, hash(i), () => Promise.resolve(payload(i)));
      expect(l1.sizeBytes).toBeLessThanOrEqual(2_000);
    }

    expect(l1.entries).toBeGreaterThan(5);
    expect(l1.entries).toBeLessThan(40);
    expect((await cache.getOrCompute(T1, hash(39), () => Promise.resolve(payload(-1)))).source).toBe('l1');
    expect((await cache.getOrCompute(T1, hash(0), () => Promise.resolve(payload(-1)))).source).toBe(
      'computed',
    );
  });

  it('does not store an entry larger than the whole bound', async () => {
    const l1 = new LruResultCache({ maxBytes: 1_000 });
    const cache = new TwoLevelResultCache({ l1 });
    const big = () => Promise.resolve('y'.repeat(5_000));

    await cache.getOrCompute(T1, hash('big'), big);

    expect(l1.entries).toBe(0);
    expect((await cache.getOrCompute(T1, hash('big'), big)).source).toBe('computed');
  });

  it('publishes the counts since the last publish as Count metrics', async () => {
    const cache = new TwoLevelResultCache({ l1: new LruResultCache() });
    const published: Record<string, number>[] = [];
    const sink = () => {
      const batch: Record<string, number> = {};
      published.push(batch);
      return {
        addMetric: (name: string, unit: 'Count', value: number) => void (batch[`${name}/${unit}`] = value),
      };
    };
    await cache.getOrCompute(T1, hash('m'), () => Promise.resolve(1));
    await cache.getOrCompute(T1, hash('m'), () => Promise.resolve(1));
    cache.publishMetrics(sink());
    await cache.getOrCompute(T1, hash('m'), () => Promise.resolve(1));
    cache.publishMetrics(sink());

    expect(published).toEqual([
      {
        'ResultCacheL1Hits/Count': 1,
        'ResultCacheL2Hits/Count': 0,
        'ResultCacheWaits/Count': 0,
        'ResultCacheMisses/Count': 1,
        'ResultCacheErrors/Count': 0,
        'ResultCacheL2Errors/Count': 0,
      },
      {
        'ResultCacheL1Hits/Count': 1,
        'ResultCacheL2Hits/Count': 0,
        'ResultCacheWaits/Count': 0,
        'ResultCacheMisses/Count': 0,
        'ResultCacheErrors/Count': 0,
        'ResultCacheL2Errors/Count': 0,
      },
    ]);
  });

  it('publishes into a Powertools Metrics instance (EMF)', async () => {
    const cache = new TwoLevelResultCache({ l1: new LruResultCache() });
    await cache.getOrCompute(T1, hash('emf'), () => Promise.resolve(1));
    const metrics = new Metrics({ namespace: 'glaf-test', serviceName: 'result-cache' });

    cache.publishMetrics(metrics);

    const emf = metrics.serializeMetrics() as unknown as Record<string, unknown>;
    expect(emf).toMatchObject({ ResultCacheMisses: 1, ResultCacheL1Hits: 0 });
  });

  it('refuses a key that is not a sha256 provenance hash', async () => {
    const cache = new TwoLevelResultCache({ l1: new LruResultCache() });
    await expect(cache.getOrCompute(T1, 'abc', () => Promise.resolve(1))).rejects.toThrow(/64 lowercase hex/);
  });
});
