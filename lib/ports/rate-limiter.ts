/**
 * Sliding-window rate limiter. Two adapters with identical semantics (Redis/Valkey for
 * AWS, in-process for the embedded mode) pass `test/adapters/rate-limiter/limiter.contract.ts`.
 */

export interface RateLimitResult {
  /** True when this hit was counted and is within the limit. */
  readonly allowed: boolean;
  readonly limit: number;
  /** Hits still allowed in the current window after this one (never negative). */
  readonly remaining: number;
  /**
   * Epoch ms when the oldest hit in the window leaves it, i.e. when one more request
   * fits again (now + windowMs for an empty window).
   */
  readonly resetAt: number;
  /** 0 when allowed; otherwise ms to wait before a retry can succeed (>= 1). */
  readonly retryAfterMs: number;
}

export interface RateLimiter {
  /**
   * Records one request for `key` if it fits in `limit` per `windowMs`; a refused hit is
   * not counted, so a client that keeps retrying is not locked out for longer.
   * Keys look like `{<tenantId>}:rl:<operation>` (hash tag: one cluster slot per tenant).
   */
  hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  /** Releases connections / timers. */
  close(): Promise<void>;
}

/** Key of the per-tenant window, or of a tenant + operation window for sensitive routes. */
export function rateLimitKey(tenantId: string, operation = 'all'): string {
  return `{${tenantId}}:rl:${operation}`;
}
