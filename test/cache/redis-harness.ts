/**
 * Redis for the cache suites: TEST_REDIS_URL, else the machine's redis://127.0.0.1:6379.
 * Under CI=true a missing TEST_REDIS_URL fails the suite instead of quietly using a
 * default, and an unreachable server always fails it (no skipping). Every suite gets its
 * own key prefix and deletes its keys afterwards, so parallel runs never collide.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export function redisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (url) return url;
  if (process.env.CI === 'true') {
    throw new Error('CI=true but TEST_REDIS_URL is not set: the cache suites need a real Redis/Valkey');
  }
  return 'redis://127.0.0.1:6379';
}

export interface TestRedis {
  readonly prefix: string;
  /** A new connection (like another process would have). */
  connect(): Promise<Redis>;
  close(): Promise<void>;
}

export function openTestRedis(): TestRedis {
  const url = redisUrl();
  const prefix = `glaf-test:${randomBytes(6).toString('hex')}:`;
  const clients: Redis[] = [];
  const connect = async () => {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    await redis.connect();
    clients.push(redis);
    return redis;
  };
  return {
    prefix,
    connect,
    close: async () => {
      const admin = await connect();
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await admin.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await Promise.all(clients.map((c) => c.quit()));
    },
  };
}
