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

/** Argument checks every adapter applies, so both refuse the same bad calls. */
export function checkLimitArgs(key: string, limit: number, windowMs: number): void {
  if (key.length === 0) throw new RangeError('rate limit key must not be empty');
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`rate limit must be a whole number >= 0, got ${limit}`);
  }
  if (!Number.isInteger(windowMs) || windowMs < 1) {
    throw new RangeError(`rate limit window must be a whole number of ms >= 1, got ${windowMs}`);
  }
}

/**
 * The result arithmetic of the sliding-window log, shared so both adapters answer alike.
 * @param count  hits in the window after this one was (or was not) counted
 * @param oldest epoch ms of the oldest counted hit, undefined when none
 */
export function windowResult(
  allowed: boolean,
  limit: number,
  count: number,
  oldest: number | undefined,
  now: number,
  windowMs: number,
): RateLimitResult {
  // The oldest hit leaves the window at oldest + windowMs: that is when one more fits.
  const resetAt = oldest === undefined ? now + windowMs : oldest + windowMs;
  return {
    allowed,
    limit,
    remaining: Math.max(0, limit - count),
    resetAt,
    retryAfterMs: allowed ? 0 : Math.max(1, resetAt - now),
  };
}
