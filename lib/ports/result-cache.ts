/**
 * The result cache: results of deterministic agent runs keyed by their provenance hash
 * (agent version + canonical input + factor versions). Two levels behind one service
 * (services/result-cache.ts): an in-process LRU (L1) and a shared Redis/Valkey (L2).
 * Values are JSON text, so every reader gets its own copy and sizes are exact.
 */

/** One cache level. Keys arrive complete (`{<tenantId>}:result:<hash>`); adapters may prefix them. */
export interface CacheLevel {
  /** undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** What a shared level answers when asked for a key: its value, or who computes it. */
export type LockOrValue =
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'locked'; readonly token: string }
  | { readonly kind: 'busy' };

/**
 * A level shared by processes, with the per-key lock that lets only one of them compute.
 * Both calls are single atomic round trips, so a miss costs two and a hit one.
 */
export interface SharedCacheLevel extends CacheLevel {
  /** The value when present; else the key's compute lock for this caller; else `busy`. */
  getOrLock(key: string, lockTtlMs: number): Promise<LockOrValue>;
  /**
   * Stores `value` (when given) and frees the lock, if `token` still holds it: a holder
   * whose lock expired must not free its successor's lock.
   */
  release(key: string, token: string, value?: string): Promise<void>;
}

/** Where a request's value came from. `waited`: another request's computation, here or elsewhere. */
export type CacheSource = 'l1' | 'l2' | 'waited' | 'computed';

export interface CacheOutcome<T> {
  readonly value: T;
  readonly source: CacheSource;
}

/** Cumulative counts; every request lands in exactly one of the first five. */
export interface CacheStats {
  readonly l1Hits: number;
  readonly l2Hits: number;
  readonly waits: number;
  /** Requests that ran the computation. */
  readonly misses: number;
  /** Requests whose computation (or the one they waited for) failed. */
  readonly errors: number;
  /** L2 calls that failed; the cache then acts as if L2 were absent. */
  readonly l2Errors: number;
  /** (l1Hits + l2Hits + waits) / successful requests; 0 before any. */
  readonly hitRatio: number;
}

/** Where counters go: Powertools `Metrics` fits (`addMetric(name, MetricUnit.Count, n)`). */
export interface MetricsSink {
  addMetric(name: string, unit: 'Count', value: number): void;
}

export interface ResultCache {
  getOrCompute<T>(
    tenantId: string,
    provenanceHash: string,
    compute: () => Promise<T>,
  ): Promise<CacheOutcome<T>>;
  stats(): CacheStats;
  /** Adds the counts since the previous call as Count metrics (ResultCacheL1Hits, ...). */
  publishMetrics(sink: MetricsSink): void;
}
