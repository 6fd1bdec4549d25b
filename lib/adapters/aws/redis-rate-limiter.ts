/**
 * Sliding-window log on Redis / Valkey (ElastiCache in AWS): one Lua script per hit, so the
 * prune-count-add sequence is atomic across every Lambda sharing the window. The key is a
 * sorted set of counted hits scored by epoch ms; refused hits are not stored, so memory per
 * key is bounded by the limit (≈ 130 bytes per hit, FIELD-NOTES). Keys carry a `{tenant}`
 * hash tag (see `rateLimitKey`), which keeps each tenant's windows in one cluster slot.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  checkLimitArgs,
  windowResult,
  type RateLimiter,
  type RateLimitResult,
} from '../../ports/rate-limiter.js';

// ARGV: limit, windowMs, now ('' = the server's clock), member. Mirrors MemoryRateLimiter.
const SLIDING_WINDOW_LUA = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { allowed, count, oldest[2] or '', tostring(now) }
`;

type ScriptReply = [number, number, string, string];
interface WithScript {
  glafSlidingWindow(
    key: string,
    limit: number,
    windowMs: number,
    now: string,
    member: string,
  ): Promise<unknown>;
}

export interface RedisRateLimiterOptions {
  /**
   * Time source for the window. Absent = the Redis server's clock, one clock for every
   * caller (Lambda hosts may drift); tests pass a fake clock to step time without waiting.
   */
  readonly clock?: () => Date;
  /** Close the connection on close(). @default true */
  readonly ownsConnection?: boolean;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis & WithScript;

  constructor(
    redis: Redis,
    private readonly options: RedisRateLimiterOptions = {},
  ) {
    // defineCommand sends EVALSHA and falls back to EVAL once after a NOSCRIPT (e.g. failover).
    redis.defineCommand('glafSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
    this.redis = redis as Redis & WithScript;
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    checkLimitArgs(key, limit, windowMs);
    const now = this.options.clock ? String(this.options.clock().getTime()) : '';
    // The member only has to be unique among hits of the same millisecond.
    const member = `${now || 't'}-${randomBytes(6).toString('base64url')}`;
    const reply = (await this.redis.glafSlidingWindow(key, limit, windowMs, now, member)) as ScriptReply;
    const [allowed, count, oldest, serverNow] = reply;
    return windowResult(
      allowed === 1,
      limit,
      Number(count),
      oldest === '' ? undefined : Number(oldest),
      Number(serverNow),
      windowMs,
    );
  }

  async close(): Promise<void> {
    if (this.options.ownsConnection === false) return;
    if (this.redis.status === 'end') return;
    await this.redis.quit();
  }
}
