/**
 * In-process sliding-window log: the embedded default, with the same semantics as the Redis
 * adapter (both pass test/adapters/rate-limiter/limiter.contract.ts). Only counted hits are
 * kept, so memory per key is bounded by its limit; idle keys are swept as time moves on.
 */
import {
  checkLimitArgs,
  windowResult,
  type RateLimiter,
  type RateLimitResult,
} from '../../ports/rate-limiter.js';

/** Sweep idle keys at most this often (amortised over hits; no timer keeps the process alive). */
const SWEEP_EVERY_MS = 60_000;

interface Window {
  /** Epoch ms of counted hits, ascending. */
  hits: number[];
  windowMs: number;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    // A bad argument rejects the promise, as in the Redis adapter, instead of throwing.
    return Promise.resolve().then(() => this.record(key, limit, windowMs));
  }

  private record(key: string, limit: number, windowMs: number): RateLimitResult {
    checkLimitArgs(key, limit, windowMs);
    const now = this.clock().getTime();
    this.sweep(now);
    const w = this.windows.get(key) ?? { hits: [], windowMs };
    w.windowMs = windowMs;
    const since = now - windowMs;
    let drop = 0;
    while (drop < w.hits.length && w.hits[drop]! <= since) drop++;
    if (drop > 0) w.hits.splice(0, drop);
    const allowed = w.hits.length < limit;
    if (allowed) {
      // Keep the log sorted even if the clock steps back a little.
      let i = w.hits.length;
      while (i > 0 && w.hits[i - 1]! > now) i--;
      w.hits.splice(i, 0, now);
    }
    if (w.hits.length > 0) this.windows.set(key, w);
    else this.windows.delete(key);
    return windowResult(allowed, limit, w.hits.length, w.hits[0], now, windowMs);
  }

  close(): Promise<void> {
    this.windows.clear();
    return Promise.resolve();
  }

  /** Number of keys holding hits (for tests of the sweep). */
  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [key, w] of this.windows) {
      const newest = w.hits[w.hits.length - 1];
      if (newest === undefined || newest <= now - w.windowMs) this.windows.delete(key);
    }
  }
}
