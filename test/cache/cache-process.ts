/**
 * One cache "process" for the cross-process test: its own Node process, Redis connection,
 * L1 and in-flight map. It waits for the parent's go signal (a Redis key), fires N
 * concurrent requests for one key whose computation counts itself in Redis, and prints
 * its counters as JSON. Run with `node --import tsx cache-process.ts`.
 */
import { Redis } from 'ioredis';
import { RedisResultCache } from '../../lib/adapters/aws/redis-result-cache.js';
import { LruResultCache } from '../../lib/adapters/local/lru-result-cache.js';
import { TwoLevelResultCache } from '../../lib/services/result-cache.js';

const { REDIS_URL = '', PREFIX = '', TENANT = '', HASH = '', REQUESTS = '25' } = process.env;
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const cache = new TwoLevelResultCache({
  l1: new LruResultCache(),
  l2: new RedisResultCache({ redis, prefix: PREFIX }),
});

process.stdout.write('ready\n');
while ((await redis.exists(`${PREFIX}go`)) === 0) await new Promise((r) => setTimeout(r, 5));

const compute = async () => {
  await redis.incr(`${PREFIX}computations`);
  await new Promise((r) => setTimeout(r, 200)); // long enough for the other process to arrive
  return { pid: process.pid };
};
const results = await Promise.all(
  Array.from({ length: Number(REQUESTS) }, () => cache.getOrCompute(TENANT, HASH, compute)),
);
process.stdout.write(
  `${JSON.stringify({ stats: cache.stats(), values: results.map((r) => r.value.pid) })}\n`,
);
await redis.quit();
