/**
 * A short-lived read-through memo for lookups on the hot path (agent resolution, tenant
 * quotas): bounded (LRU), entries expire after `ttlMs`, concurrent callers of a missing key
 * share one load, and a failed load is never remembered (the next call tries again). The
 * owner of the data calls `delete`/`clear` when it changes it; the TTL bounds how long
 * another process's change can go unseen.
 */
import { LRUCache } from 'lru-cache';

export interface TtlMemoOptions {
  readonly ttlMs: number;
  /** @default 10 000 */
  readonly max?: number;
  /** Tests: a clock for the TTL (lru-cache otherwise uses performance.now). */
  readonly clock?: () => Date;
}

export interface MemoStats {
  readonly hits: number;
  readonly misses: number;
}

export class TtlMemo<V extends object> {
  private readonly lru: LRUCache<string, Promise<V>> | undefined;
  /** Bumped by clear/delete so a load that started before a change is not stored after it. */
  private generation = 0;
  private counts = { hits: 0, misses: 0 };

  constructor(options: TtlMemoOptions) {
    const clock = options.clock;
    this.lru =
      options.ttlMs > 0
        ? new LRUCache<string, Promise<V>>({
            max: options.max ?? 10_000,
            ttl: options.ttlMs,
            ...(clock ? { perf: { now: () => clock().getTime() }, ttlResolution: 0 } : {}),
          })
        : undefined;
  }

  /** The remembered value of `key`, else `load()` (shared with concurrent callers). */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const lru = this.lru;
    if (!lru) return load();
    const hit = lru.get(key);
    if (hit) {
      this.counts.hits++;
      return hit;
    }
    this.counts.misses++;
    const generation = this.generation;
    const loading = load();
    lru.set(key, loading);
    loading.catch(() => {
      if (lru.get(key) === loading) lru.delete(key);
    });
    void loading.then(() => {
      // Changed while loading: what was read may predate the change.
      if (generation !== this.generation && lru.get(key) === loading) lru.delete(key);
    }, noop);
    return loading;
  }

  /** Replaces what `key` remembers (the writer knows the new value). */
  set(key: string, value: V): void {
    this.generation++;
    this.lru?.set(key, Promise.resolve(value));
  }

  delete(key: string): void {
    this.generation++;
    this.lru?.delete(key);
  }

  clear(): void {
    this.generation++;
    this.lru?.clear();
  }

  stats(): MemoStats {
    return { ...this.counts };
  }
}

function noop(): void {}
