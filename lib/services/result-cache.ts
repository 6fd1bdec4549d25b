/**
 * Two-level result cache with stampede protection. A request looks in L1, then L2; on a
 * miss exactly one computation runs per key:
 *  - in this process, concurrent requests for a key share one in-flight promise;
 *  - across processes, the one that takes L2's lock computes and the others poll L2
 *    until the value appears (or the lock frees up, e.g. its holder died, and they try
 *    to take it themselves).
 * Keys are per tenant (`{tenantId}:result:<hash>`): tenants never share entries, so a
 * cache hit can never tell one tenant what another computed.
 * L2 failures degrade to L1-only (counted in l2Errors); a cache must never fail a run.
 */
import type {
  CacheLevel,
  CacheOutcome,
  CacheSource,
  CacheStats,
  MetricsSink,
  ResultCache,
  SharedCacheLevel,
} from '../ports/result-cache.js';

export interface ResultCacheOptions {
  readonly l1: CacheLevel;
  /** Absent in local mode without Redis: L1 and in-process coalescing only. */
  readonly l2?: SharedCacheLevel;
  /** Longest expected computation; a dead holder's lock frees after this. @default 30 s */
  readonly lockTtlMs?: number;
  /** Give up waiting for another process and compute anyway. @default 2 x lockTtlMs */
  readonly maxWaitMs?: number;
  /** Poll interval while another process computes: doubles from 10 ms up to this. @default 200 */
  readonly maxPollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const HASH = /^[0-9a-f]{64}$/;
type Loaded = { readonly text: string; readonly source: CacheSource };

export class TwoLevelResultCache implements ResultCache {
  private readonly inflight = new Map<string, Promise<Loaded>>();
  private readonly counts = { l1: 0, l2: 0, waited: 0, computed: 0, errors: 0, l2Errors: 0 };
  private published = { ...this.counts };
  private readonly lockTtlMs: number;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ResultCacheOptions) {
    this.lockTtlMs = options.lockTtlMs ?? 30_000;
    this.maxWaitMs = options.maxWaitMs ?? 2 * this.lockTtlMs;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async getOrCompute<T>(tenantId: string, hash: string, compute: () => Promise<T>): Promise<CacheOutcome<T>> {
    if (!HASH.test(hash)) throw new TypeError('provenance hash must be 64 lowercase hex characters');
    const key = `{${tenantId}}:result:${hash}`;
    let loaded: Loaded;
    try {
      const hit = await this.options.l1.get(key);
      if (hit !== undefined) {
        loaded = { text: hit, source: 'l1' };
      } else {
        const running = this.inflight.get(key);
        if (running) {
          loaded = { text: (await running).text, source: 'waited' };
        } else {
          const started = this.load(key, compute).finally(() => this.inflight.delete(key));
          this.inflight.set(key, started);
          loaded = await started;
        }
      }
    } catch (err) {
      this.counts.errors++;
      throw err;
    }
    this.counts[loaded.source]++;
    return { value: JSON.parse(loaded.text) as T, source: loaded.source };
  }

  stats(): CacheStats {
    const c = this.counts;
    const ok = c.l1 + c.l2 + c.waited + c.computed;
    return {
      l1Hits: c.l1,
      l2Hits: c.l2,
      waits: c.waited,
      misses: c.computed,
      errors: c.errors,
      l2Errors: c.l2Errors,
      hitRatio: ok === 0 ? 0 : (c.l1 + c.l2 + c.waited) / ok,
    };
  }

  publishMetrics(sink: MetricsSink): void {
    const names: Record<keyof typeof this.counts, string> = {
      l1: 'ResultCacheL1Hits',
      l2: 'ResultCacheL2Hits',
      waited: 'ResultCacheWaits',
      computed: 'ResultCacheMisses',
      errors: 'ResultCacheErrors',
      l2Errors: 'ResultCacheL2Errors',
    };
    const now = { ...this.counts };
    for (const k of Object.keys(names) as (keyof typeof names)[]) {
      sink.addMetric(names[k], 'Count', now[k] - this.published[k]);
    }
    this.published = now;
  }

  private async load<T>(key: string, compute: () => Promise<T>): Promise<Loaded> {
    const l2 = this.options.l2;
    const loaded = l2
      ? await this.computeOnce(l2, key, compute)
      : { text: await this.run(compute), source: 'computed' as const };
    await this.options.l1.set(key, loaded.text);
    return loaded;
  }

  /** Across processes: read L2 or take the key's lock and compute, or wait for the holder. */
  private async computeOnce<T>(
    l2: SharedCacheLevel,
    key: string,
    compute: () => Promise<T>,
  ): Promise<Loaded> {
    const deadline = Date.now() + this.maxWaitMs;
    let poll = 10;
    for (let round = 0; ; round++) {
      const answer = await this.l2Try(() => l2.getOrLock(key, this.lockTtlMs), null);
      if (answer === null) return { text: await this.run(compute), source: 'computed' }; // L2 down
      if (answer.kind === 'value') return { text: answer.value, source: round === 0 ? 'l2' : 'waited' };
      if (answer.kind === 'locked') {
        let text: string | undefined;
        try {
          text = await this.run(compute);
          return { text, source: 'computed' };
        } finally {
          await this.l2Try(() => l2.release(key, answer.token, text)); // stores the value, if any
        }
      }
      if (Date.now() > deadline) return { text: await this.run(compute), source: 'computed' };
      await this.sleep(poll);
      poll = Math.min(poll * 2, this.options.maxPollMs ?? 200);
    }
  }

  private async run<T>(compute: () => Promise<T>): Promise<string> {
    const text = JSON.stringify(await compute());
    if (text === undefined) throw new TypeError('a cached result must be a JSON value');
    return text;
  }

  private async l2Try<R, F = undefined>(call: () => Promise<R>, fallback?: F): Promise<R | F> {
    try {
      return await call();
    } catch {
      this.counts.l2Errors++;
      return fallback as F;
    }
  }
}
