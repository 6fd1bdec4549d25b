import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisResultCache } from '../../lib/adapters/aws/redis-result-cache.js';
import { LruResultCache } from '../../lib/adapters/local/lru-result-cache.js';
import { sha256Hex } from '../../lib/agents/provenance.js';
import type { CacheStats, SharedCacheLevel } from '../../lib/ports/result-cache.js';
import { TwoLevelResultCache } from '../../lib/services/result-cache.js';
import { openTestRedis, redisUrl, type TestRedis } from './redis-harness.js';

const TENANT = randomUUID();
const hash = (n: number | string) => sha256Hex(`redis-input-${n}-${randomUUID()}`);

function manualClock(start = new Date('2026-03-01T12:00:00Z')) {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

describe('result cache with L2 on real Redis', () => {
  let redis: TestRedis;
  let conn: Redis;
  /** A cache "process": its own Redis connection, its own L1, its own in-flight map. */
  const instance = async (options: { l1Bytes?: number; clock?: () => Date; l2?: SharedCacheLevel } = {}) => {
    const l2 =
      options.l2 ??
      new RedisResultCache({
        redis: await redis.connect(),
        prefix: redis.prefix,
        ...(options.clock ? { clock: options.clock } : {}),
      });
    const l1 = new LruResultCache({
      ...(options.l1Bytes ? { maxBytes: options.l1Bytes } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    return { cache: new TwoLevelResultCache({ l1, l2 }), l1, l2 };
  };

  beforeAll(async () => {
    redis = openTestRedis();
    conn = await redis.connect();
  });
  afterAll(async () => redis?.close());

  describe('RedisResultCache adapter', () => {
    it('stores under the prefix with a 1 h expiry in Redis', async () => {
      const l2 = new RedisResultCache({ redis: conn, prefix: redis.prefix });
      await l2.set(`{${TENANT}}:result:abc`, '{"a":1}');

      expect(await l2.get(`{${TENANT}}:result:abc`)).toBe('{"a":1}');
      const pttl = await conn.pttl(`${redis.prefix}{${TENANT}}:result:abc`);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(60 * 60 * 1000);
    });

    it('getOrLock: one lock holder at a time; only the holding token releases it', async () => {
      const l2 = new RedisResultCache({ redis: conn, prefix: redis.prefix });
      const first = await l2.getOrLock('k-lock', 10_000);

      expect(first).toEqual({ kind: 'locked', token: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown });
      expect(await l2.getOrLock('k-lock', 10_000)).toEqual({ kind: 'busy' });
      await l2.release('k-lock', 'not-the-token', '"intruder"');
      expect(await l2.getOrLock('k-lock', 10_000)).toEqual({ kind: 'value', value: '"intruder"' });
      await l2.delete('k-lock');
      expect(await l2.getOrLock('k-lock', 10_000)).toEqual({ kind: 'busy' }); // still the first holder's
      await l2.release('k-lock', first.kind === 'locked' ? first.token : '', '"done"');
      expect(await l2.getOrLock('k-lock', 10_000)).toEqual({ kind: 'value', value: '"done"' });
      expect(await conn.exists(`${redis.prefix}k-lock:lock`)).toBe(0);
    });

    it('release without a value frees the lock and stores nothing (failed computation)', async () => {
      const l2 = new RedisResultCache({ redis: conn, prefix: redis.prefix });
      const lock = await l2.getOrLock('k-fail', 10_000);
      await l2.release('k-fail', lock.kind === 'locked' ? lock.token : '');
      expect(await l2.get('k-fail')).toBeUndefined();
      expect((await l2.getOrLock('k-fail', 10_000)).kind).toBe('locked');
    });

    it('getOrLock treats an entry past its expiry (on our clock) as absent', async () => {
      const clock = manualClock();
      const l2 = new RedisResultCache({ redis: conn, prefix: redis.prefix, clock: clock.now });
      await l2.set('k-exp', '1');
      expect(await l2.getOrLock('k-exp', 10_000)).toEqual({ kind: 'value', value: '1' });
      clock.advance(60 * 60_000);
      expect((await l2.getOrLock('k-exp', 10_000)).kind).toBe('locked');
    });
  });

  it('serves an L2 hit after the entry was evicted from L1', async () => {
    const { cache, l1 } = await instance({ l1Bytes: 1_500 });
    const first = hash('first');
    await cache.getOrCompute(TENANT, first, () => Promise.resolve({ v: 'first' }));
    for (let i = 0; i < 30; i++)
      await cache.getOrCompute(TENANT, hash(i), () => Promise.resolve('x'.repeat(100)));
    expect(l1.sizeBytes).toBeLessThanOrEqual(1_500);

    const again = await cache.getOrCompute(TENANT, first, () => Promise.resolve({ v: 'recomputed' }));

    expect(again).toEqual({ source: 'l2', value: { v: 'first' } });
    expect((await cache.getOrCompute(TENANT, first, () => Promise.resolve(0))).source).toBe('l1');
  });

  it('L1 expires after 5 min, L2 after 1 h, on the injected clock', async () => {
    const clock = manualClock();
    const { cache } = await instance({ clock: clock.now });
    const key = hash('ttl');
    let n = 0;
    const compute = () => Promise.resolve(`v${++n}`);

    await cache.getOrCompute(TENANT, key, compute);
    clock.advance(5 * 60_000 + 1);
    expect(await cache.getOrCompute(TENANT, key, compute)).toEqual({ source: 'l2', value: 'v1' });
    clock.advance(60 * 60_000);
    expect(await cache.getOrCompute(TENANT, key, compute)).toEqual({ source: 'computed', value: 'v2' });
    expect(cache.stats()).toMatchObject({ misses: 2, l2Hits: 1, l1Hits: 0 });
  });

  it('50 concurrent identical requests in one process compute once', async () => {
    const { cache } = await instance();
    const key = hash('hot');
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const compute = async () => {
      calls++;
      await gate;
      return { total: 7 };
    };

    const all = Promise.all(Array.from({ length: 50 }, () => cache.getOrCompute(TENANT, key, compute)));
    release();
    await all;

    expect(calls).toBe(1);
    expect(cache.stats()).toMatchObject({ misses: 1, waits: 49, l1Hits: 0, l2Hits: 0, errors: 0 });
  });

  it('two cache instances sharing one Redis compute once; counters exact', async () => {
    const key = hash('shared');
    // B's L2 is the real adapter; the wrapper only tells the test when B found the lock taken.
    const realB = new RedisResultCache({ redis: await redis.connect(), prefix: redis.prefix });
    let bBlocked!: () => void;
    const bWaiting = new Promise<void>((r) => (bBlocked = r));
    const observedB: SharedCacheLevel = {
      get: (k) => realB.get(k),
      set: (k, v) => realB.set(k, v),
      delete: (k) => realB.delete(k),
      release: (k, t, v) => realB.release(k, t, v),
      getOrLock: async (k, ttl) => {
        const answer = await realB.getOrLock(k, ttl);
        if (answer.kind === 'busy') bBlocked();
        return answer;
      },
    };
    const A = await instance();
    const B = await instance({ l2: observedB });
    let calls = 0;
    const compute = async () => {
      calls++;
      await bWaiting; // hold A's lock until B is provably waiting on it
      return { shared: true };
    };

    const fromA = Array.from({ length: 25 }, () => A.cache.getOrCompute(TENANT, key, compute));
    await new Promise((r) => setImmediate(r)); // let A take the lock first
    await expect.poll(() => calls).toBe(1);
    const fromB = Array.from({ length: 25 }, () => B.cache.getOrCompute(TENANT, key, compute));
    const results = await Promise.all([...fromA, ...fromB]);

    expect(calls).toBe(1);
    expect(results.every((r) => r.value.shared)).toBe(true);
    expect(A.cache.stats()).toMatchObject({ misses: 1, waits: 24, l1Hits: 0, l2Hits: 0, errors: 0 });
    expect(B.cache.stats()).toMatchObject({ misses: 0, waits: 25, l1Hits: 0, l2Hits: 0, errors: 0 });
  });

  it('takes over when the lock holder died: its lock expires and the next one computes', async () => {
    const key = hash('orphan');
    const dead = new RedisResultCache({ redis: conn, prefix: redis.prefix });
    expect((await dead.getOrLock(`{${TENANT}}:result:${key}`, 150)).kind).toBe('locked'); // never released

    const { cache } = await instance();
    const outcome = await cache.getOrCompute(TENANT, key, () => Promise.resolve('mine'));

    expect(outcome).toEqual({ source: 'computed', value: 'mine' });
  });

  it('keeps working, L1 only, when Redis is unreachable (counted in l2Errors)', async () => {
    const down = new Redis({ port: 1, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false });
    const l2 = new RedisResultCache({ redis: down, prefix: redis.prefix });
    const cache = new TwoLevelResultCache({ l1: new LruResultCache(), l2 });
    const key = hash('down');

    expect((await cache.getOrCompute(TENANT, key, () => Promise.resolve(1))).source).toBe('computed');
    expect((await cache.getOrCompute(TENANT, key, () => Promise.resolve(2))).source).toBe('l1');
    expect(cache.stats().l2Errors).toBeGreaterThan(0);
    down.disconnect();
  });
});

describe('across real processes', () => {
  let redis: TestRedis;
  beforeAll(() => {
    redis = openTestRedis();
  });
  afterAll(async () => redis?.close());

  it('two Node processes sharing one Redis compute a key once; counters exact', async () => {
    const key = hash('processes');
    const script = fileURLToPath(new URL('./cache-process.ts', import.meta.url));
    const env = {
      ...process.env,
      REDIS_URL: redisUrl(),
      PREFIX: redis.prefix,
      TENANT,
      HASH: key,
      REQUESTS: '25',
    };
    const children = [0, 1].map(() => spawn(process.execPath, ['--import', 'tsx', script], { env }));
    const outputs = children.map(
      (child) =>
        new Promise<string[]>((resolve, reject) => {
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(err))));
        }),
    );
    const ready = children.map(
      (child) => new Promise<void>((resolve) => child.stdout.once('data', () => resolve())),
    );
    await Promise.all(ready);
    const conn = await redis.connect();
    await conn.set(`${redis.prefix}go`, '1');

    const reports = (await Promise.all(outputs)).map(
      (lines) => JSON.parse(lines.at(-1)!) as { stats: CacheStats; values: number[] },
    );

    expect(await conn.get(`${redis.prefix}computations`)).toBe('1');
    const values = new Set(reports.flatMap((r) => r.values));
    expect(values.size).toBe(1); // everyone got the one computed result
    expect(reports.map((r) => r.stats.misses).sort()).toEqual([0, 1]);
    for (const { stats } of reports) {
      expect(stats.l1Hits + stats.l2Hits + stats.waits + stats.misses).toBe(25);
      expect(stats.errors).toBe(0);
    }
  }, 30_000);
});
