/**
 * L1 of the result cache: an in-process LRU bounded by bytes (UTF-8 length of key and
 * value), 100 MB and 5 minutes by default. An entry bigger than the whole bound is not
 * stored (lru-cache refuses it), so one huge result cannot flush everything else.
 */
import { LRUCache } from 'lru-cache';
import type { CacheLevel } from '../../ports/result-cache.js';

export interface LruResultCacheOptions {
  /** @default 100 MiB */
  readonly maxBytes?: number;
  /** @default 5 minutes */
  readonly ttlMs?: number;
  /** Tests only: a clock for TTLs (lru-cache otherwise uses performance.now). */
  readonly clock?: () => Date;
}

export const L1_MAX_BYTES = 100 * 1024 * 1024;
export const L1_TTL_MS = 5 * 60 * 1000;

export class LruResultCache implements CacheLevel {
  private readonly lru: LRUCache<string, string>;

  constructor(options: LruResultCacheOptions = {}) {
    const clock = options.clock;
    this.lru = new LRUCache<string, string>({
      maxSize: options.maxBytes ?? L1_MAX_BYTES,
      sizeCalculation: (value, key) => Buffer.byteLength(value) + Buffer.byteLength(key),
      ttl: options.ttlMs ?? L1_TTL_MS,
      // With an injected clock, read it on every check instead of caching "now" for 1 ms.
      ...(clock ? { perf: { now: () => clock().getTime() }, ttlResolution: 0 } : {}),
    });
  }

  /** Bytes held now (never above maxBytes). */
  get sizeBytes(): number {
    return this.lru.calculatedSize;
  }

  get entries(): number {
    return this.lru.size;
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.lru.get(key));
  }

  set(key: string, value: string): Promise<void> {
    this.lru.set(key, value);
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.lru.delete(key);
    return Promise.resolve();
  }
}
