/**
 * L2 of the result cache on Redis / Valkey (ElastiCache Serverless in AWS). Entries live
 * 1 hour (PX, so Redis frees them); each also carries its expiry instant from our clock,
 * checked on read, so a test clock can expire them without waiting an hour.
 * The compute lock is SET NX PX with a random token, released by a compare-and-delete
 * script so a holder whose lock already expired cannot delete its successor's lock.
 * Keys keep the caller's `{tenant}` hash tag, so entry and lock share a cluster slot.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SharedCacheLevel } from '../../ports/result-cache.js';

export const L2_TTL_MS = 60 * 60 * 1000;

const UNLOCK_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface RedisResultCacheOptions {
  readonly redis: Redis;
  /** Namespace for every key, e.g. per environment or per test run. @default 'glaf:' */
  readonly prefix?: string;
  /** @default 1 hour */
  readonly ttlMs?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

export class RedisResultCache implements SharedCacheLevel {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly clock: () => Date;

  constructor(options: RedisResultCacheOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? 'glaf:';
    this.ttlMs = options.ttlMs ?? L2_TTL_MS;
    this.clock = options.clock ?? (() => new Date());
  }

  async get(key: string): Promise<string | undefined> {
    const raw = await this.redis.get(this.prefix + key);
    if (raw === null) return undefined;
    const sep = raw.indexOf('|');
    const expiresAt = Number(raw.slice(0, sep));
    if (sep < 0 || !(expiresAt > this.clock().getTime())) return undefined;
    return raw.slice(sep + 1);
  }

  async set(key: string, value: string): Promise<void> {
    const expiresAt = this.clock().getTime() + this.ttlMs;
    await this.redis.set(this.prefix + key, `${expiresAt}|${value}`, 'PX', this.ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async tryLock(key: string, ttlMs: number): Promise<string | undefined> {
    const token = randomBytes(16).toString('hex');
    const ok = await this.redis.set(`${this.prefix}${key}:lock`, token, 'PX', ttlMs, 'NX');
    return ok === 'OK' ? token : undefined;
  }

  async unlock(key: string, token: string): Promise<void> {
    await this.redis.eval(UNLOCK_LUA, 1, `${this.prefix}${key}:lock`, token);
  }
}
