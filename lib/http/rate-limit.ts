/**
 * Per-tenant and per-sensitive-operation rate limits through the RateLimiter port. The tenant
 * limit comes from its `apiCallsPerMinute` quota, cached for 60 s so a busy tenant costs one
 * quota read a minute. Callers without a tenant (platform admins, public routes) get a default.
 */
import type { Logger } from '@aws-lambda-powertools/logger';

import { rateLimitKey, type RateLimitResult } from '../ports/rate-limiter.js';

import { HttpProblem } from './problem.js';
import type { AppServices } from './services.js';
import type { Principal } from './types.js';

const MINUTE_MS = 60_000;
export const SENSITIVE_LIMIT_PER_MINUTE = 10;

export interface RateLimitOptions {
  /** For callers without a tenant quota: platform admins without a tenant, public routes (per source IP). @default 600 */
  readonly defaultLimitPerMinute?: number;
  /** How long a tenant's quota is reused. @default 60_000 */
  readonly quotaCacheMs?: number;
}

export interface RateLimitCheck {
  readonly operationId: string;
  readonly sensitive: boolean;
  readonly principal: Principal | null;
  readonly sourceIp: string;
}

export type RateLimitGate = (
  services: AppServices,
  check: RateLimitCheck,
  logger: Logger,
) => Promise<Record<string, string>>;

/** Returns the X-RateLimit-* headers, or throws a 429 problem carrying them and Retry-After. */
export function createRateLimitGate(options: RateLimitOptions = {}): RateLimitGate {
  const defaultLimit = options.defaultLimitPerMinute ?? 600;
  const cacheMs = options.quotaCacheMs ?? MINUTE_MS;
  const quotas = new Map<string, { limit: number; until: number }>();

  async function tenantLimit(services: AppServices, tenantId: string): Promise<number> {
    const cached = quotas.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.limit;
    const limit = (await services.tenants.getQuotas(tenantId)).apiCallsPerMinute;
    quotas.set(tenantId, { limit, until: Date.now() + cacheMs });
    return limit;
  }

  return async (services, check, logger) => {
    const { principal } = check;
    if (principal?.type === 'service') return {}; // internal service principals bypass limits
    const owner =
      principal?.tenantId ?? (principal ? `platform:${principal.subject}` : `ip:${check.sourceIp}`);
    const limit = principal?.tenantId ? await tenantLimit(services, principal.tenantId) : defaultLimit;
    const windows: Array<[string, number]> = [[rateLimitKey(owner), limit]];
    if (check.sensitive) windows.push([rateLimitKey(owner, check.operationId), SENSITIVE_LIMIT_PER_MINUTE]);
    let tightest: RateLimitResult | undefined;
    try {
      for (const [key, max] of windows) {
        const result = await services.limiter.hit(key, max, MINUTE_MS);
        if (!tightest || !result.allowed || result.remaining < tightest.remaining) tightest = result;
        if (!result.allowed) break;
      }
    } catch (error) {
      // Fail open: a limiter outage must not take the API down with it; it is logged loudly.
      logger.error('rate limiter unavailable; request not limited', error as Error);
      return {};
    }
    if (!tightest) return {};
    const headers = {
      'X-RateLimit-Limit': String(tightest.limit),
      'X-RateLimit-Remaining': String(tightest.remaining),
      'X-RateLimit-Reset': String(Math.ceil(tightest.resetAt / 1000)),
    };
    if (tightest.allowed) return headers;
    const retryAfter = Math.max(1, Math.ceil(tightest.retryAfterMs / 1000));
    throw new HttpProblem(
      429,
      'rate_limited',
      'Too Many Requests',
      `Rate limit of ${tightest.limit} requests per minute reached; retry after ${retryAfter} s`,
      {},
      { ...headers, 'Retry-After': String(retryAfter) },
    );
  };
}
