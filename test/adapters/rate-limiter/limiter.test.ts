/**
 * Runs the limiter contract against the in-process adapter always, and against a real Redis
 * when TEST_REDIS_URL is set (.ci/run sets it). Under CI=true a missing Redis fails the run
 * rather than silently testing only the in-process half.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../../lib/adapters/aws/redis-rate-limiter.js';
import { MemoryRateLimiter } from '../../../lib/adapters/local/memory-rate-limiter.js';
import { rateLimitKey } from '../../../lib/ports/rate-limiter.js';
import { fakeClock, limiterContract } from './limiter.contract.js';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl && process.env.CI === 'true') {
  throw new Error(
    'CI=true but TEST_REDIS_URL is not set: the limiter contract must run against real Redis in CI',
  );
}

limiterContract('in-process', (clock) => Promise.resolve(new MemoryRateLimiter(clock)));

describe('MemoryRateLimiter', () => {
  it('forgets keys whose hits have all left the window', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter(clock.now);
    await limiter.hit('{a}:rl:all', 5, 1_000);
    await limiter.hit('{b}:rl:all', 5, 120_000);
    expect(limiter.size).toBe(2);
    clock.advance(61_000); // past the sweep interval and a's window, inside b's
    await limiter.hit('{c}:rl:all', 5, 1_000);
    expect(limiter.size).toBe(2); // a swept, b kept, c added
    expect((await limiter.hit('{b}:rl:all', 1, 120_000)).allowed).toBe(false);
  });
});

if (redisUrl) {
  const connect = (): Redis => new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  limiterContract('redis', (clock) => Promise.resolve(new RedisRateLimiter(connect(), { clock })));

  describe('RedisRateLimiter', () => {
    let redis: Redis;
    beforeAll(() => {
      redis = connect();
    });
    afterAll(async () => {
      await redis.quit();
    });

    it("uses the server's clock when given none, and stores only counted hits with a TTL", async () => {
      const limiter = new RedisRateLimiter(redis, { ownsConnection: false });
      const key = rateLimitKey(randomBytes(8).toString('hex'));
      const before = Date.now();
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await limiter.hit(key, 2, 600_000));
      expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
      // resetAt comes from Redis TIME: a plausible epoch ms one window after the first hit.
      expect(results[0]!.resetAt).toBeGreaterThanOrEqual(before + 600_000 - 5_000);
      expect(await redis.zcard(key)).toBe(2);
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(600_000);
      await limiter.close();
      expect(redis.status).toBe('ready'); // not closed: the caller owns it
      await redis.del(key);
    });
  });
}
