/**
 * L2 of the result cache on Redis / Valkey (ElastiCache Serverless in AWS). Entries live
 * 1 hour (PX, so Redis frees them); each also carries its expiry instant from our clock,
 * checked on read, so a test clock can expire them without waiting an hour.
 * getOrLock and release are Lua scripts, one round trip each: read-or-lock (SET NX PX
 * with a random token) cannot race with a finishing holder, and store-and-unlock frees
 * the lock only for the token that holds it.
 * Keys keep the caller's `{tenant}` hash tag, so entry and lock share a cluster slot.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LockOrValue, SharedCacheLevel } from '../../ports/result-cache.js';

export const L2_TTL_MS = 60 * 60 * 1000;

// KEYS: entry, lock. ARGV: now (ms), token, lock ttl. Returns {1, text} | {2} locked | {3} busy.
const GET_OR_LOCK_LUA = `
local v = redis.call('GET', KEYS[1])
if v then
  local sep = string.find(v, '|', 1, true)
  if sep and tonumber(string.sub(v, 1, sep - 1)) > tonumber(ARGV[1]) then
    return {1, string.sub(v, sep + 1)}
  end
end
if redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3], 'NX') then return {2} end
return {3}`;

// KEYS: entry, lock. ARGV: token, stored value ('' = none), entry ttl.
const RELEASE_LUA = `
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 0`;

interface Script {
  readonly lua: string;
  readonly sha: string;
}
const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const GET_OR_LOCK = script(GET_OR_LOCK_LUA);
const RELEASE = script(RELEASE_LUA);

/** EVALSHA (the script text is not resent on every call), loading the script on NOSCRIPT. */
async function run(redis: Redis, s: Script, keys: readonly string[], args: readonly (string | number)[]) {
  try {
    return await redis.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!String(err).includes('NOSCRIPT')) throw err;
    return redis.eval(s.lua, keys.length, ...keys, ...args);
  }
}

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
    const sep = raw === null ? -1 : raw.indexOf('|');
    if (raw === null || sep < 0 || !(Number(raw.slice(0, sep)) > this.clock().getTime())) return undefined;
    return raw.slice(sep + 1);
  }

  async set(key: string, value: string): Promise<void> {
    await this.redis.set(this.prefix + key, this.stamp(value), 'PX', this.ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async getOrLock(key: string, lockTtlMs: number): Promise<LockOrValue> {
    const token = randomBytes(16).toString('hex');
    const now = this.clock().getTime();
    const reply = await run(this.redis, GET_OR_LOCK, this.keys(key), [now, token, lockTtlMs]);
    const [code, text] = reply as [number, string?];
    if (code === 1) return { kind: 'value', value: text ?? '' };
    return code === 2 ? { kind: 'locked', token } : { kind: 'busy' };
  }

  async release(key: string, token: string, value?: string): Promise<void> {
    const stored = value === undefined ? '' : this.stamp(value);
    await run(this.redis, RELEASE, this.keys(key), [token, stored, this.ttlMs]);
  }

  private keys(key: string): [string, string] {
    return [this.prefix + key, `${this.prefix}${key}:lock`];
  }

  private stamp(value: string): string {
    return `${this.clock().getTime() + this.ttlMs}|${value}`;
  }
}
