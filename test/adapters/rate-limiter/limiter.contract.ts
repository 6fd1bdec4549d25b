/**
 * The one behaviour both rate limiter adapters must have (in-process and Redis). Time is a
 * fake clock stepped by the tests, so nothing here depends on how fast the machine is.
 * Windows are 60 s so a Redis key's real TTL never expires between two steps of a test.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rateLimitKey, type RateLimiter } from '../../../lib/ports/rate-limiter.js';

export interface FakeClock {
  readonly now: () => Date;
  set(ms: number): void;
  advance(ms: number): void;
}

export function fakeClock(start = Date.UTC(2026, 0, 1)): FakeClock {
  let t = start;
  return {
    now: () => new Date(t),
    set: (ms) => {
      t = ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

const W = 60_000;
const T0 = Date.UTC(2026, 0, 1);

export function limiterContract(name: string, create: (clock: () => Date) => Promise<RateLimiter>): void {
  describe(`RateLimiter contract: ${name}`, () => {
    let clock: FakeClock;
    let limiter: RateLimiter;
    let key: (op?: string) => string;

    beforeEach(async () => {
      // Prepare: a fresh tenant per test, so Redis state of other tests never interferes.
      const tenant = randomBytes(8).toString('hex');
      key = (op = 'all') => rateLimitKey(tenant, op);
      clock = fakeClock(T0);
      limiter = await create(clock.now);
    });
    afterEach(async () => {
      await limiter.close();
    });

    it('allows exactly `limit` hits in a window and counts remaining down', async () => {
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await limiter.hit(key(), 3, W));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
      expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
      expect(results.every((r) => r.limit === 3)).toBe(true);
      expect(results.slice(0, 3).map((r) => r.retryAfterMs)).toEqual([0, 0, 0]);
    });

    it('reports when the oldest hit leaves the window as resetAt and retry-after', async () => {
      await limiter.hit(key(), 2, W);
      clock.advance(10_000);
      const second = await limiter.hit(key(), 2, W);
      expect(second).toMatchObject({ allowed: true, remaining: 0, resetAt: T0 + W });
      clock.advance(5_000);
      const refused = await limiter.hit(key(), 2, W);
      expect(refused).toEqual({
        allowed: false,
        limit: 2,
        remaining: 0,
        resetAt: T0 + W,
        retryAfterMs: 45_000,
      });
    });

    it('slides: a hit becomes possible exactly when the oldest counted hit is windowMs old', async () => {
      await limiter.hit(key(), 2, W); // t = 0
      clock.advance(30_000);
      await limiter.hit(key(), 2, W); // t = 30 s
      clock.set(T0 + W - 1);
      expect((await limiter.hit(key(), 2, W)).allowed).toBe(false);
      clock.set(T0 + W);
      const next = await limiter.hit(key(), 2, W);
      // A fixed window would have reset both hits; the sliding log still counts the one at 30 s.
      expect(next).toMatchObject({ allowed: true, remaining: 0, resetAt: T0 + 30_000 + W });
      expect((await limiter.hit(key(), 2, W)).allowed).toBe(false);
    });

    it('does not count refused hits, so retrying does not extend the lock-out', async () => {
      await limiter.hit(key(), 1, W);
      for (let i = 0; i < 5; i++) {
        clock.advance(10_000);
        expect((await limiter.hit(key(), 1, W)).allowed).toBe(false);
      }
      clock.set(T0 + W);
      expect(await limiter.hit(key(), 1, W)).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('keeps keys apart (per tenant and per operation)', async () => {
      expect((await limiter.hit(key('createApiKey'), 1, W)).allowed).toBe(true);
      expect((await limiter.hit(key('createApiKey'), 1, W)).allowed).toBe(false);
      expect((await limiter.hit(key('revokeApiKey'), 1, W)).allowed).toBe(true);
      expect((await limiter.hit(key(), 1, W)).allowed).toBe(true);
    });

    it('an empty window resets one window from now', async () => {
      expect(await limiter.hit(key(), 5, W)).toEqual({
        allowed: true,
        limit: 5,
        remaining: 4,
        resetAt: T0 + W,
        retryAfterMs: 0,
      });
    });

    it('a limit of 0 refuses everything and asks to retry after a whole window', async () => {
      expect(await limiter.hit(key(), 0, W)).toEqual({
        allowed: false,
        limit: 0,
        remaining: 0,
        resetAt: T0 + W,
        retryAfterMs: W,
      });
    });

    it('is atomic under concurrent hits: exactly `limit` of 40 simultaneous hits pass', async () => {
      const results = await Promise.all(Array.from({ length: 40 }, () => limiter.hit(key(), 15, W)));
      expect(results.filter((r) => r.allowed)).toHaveLength(15);
      expect(results.filter((r) => !r.allowed).every((r) => r.remaining === 0)).toBe(true);
    });

    it('refuses malformed arguments with a RangeError', async () => {
      await expect(limiter.hit('', 1, W)).rejects.toThrow(RangeError);
      await expect(limiter.hit(key(), -1, W)).rejects.toThrow(/whole number >= 0/);
      await expect(limiter.hit(key(), 1.5, W)).rejects.toThrow(RangeError);
      await expect(limiter.hit(key(), 1, 0)).rejects.toThrow(/window/);
    });
  });
}
