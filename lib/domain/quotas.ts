/**
 * Tenant quotas and the defaults each tier starts with. No I/O.
 */
import * as z from 'zod';
import type { TenantTier } from './tenant.js';

const count = z.number().int('must be a whole number').nonnegative('must be >= 0').max(2_147_483_647);

export const QuotasSchema = z
  .object({
    maxAgents: count,
    storageBytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    apiCallsPerMinute: count,
    executionsPerMonth: count,
    computeMinutesPerMonth: count,
  })
  .strict();
export type Quotas = z.infer<typeof QuotasSchema>;

/** A quota update names only the limits it changes. */
export const QuotasPatchSchema = QuotasSchema.partial().strict();
export type QuotasPatch = z.infer<typeof QuotasPatchSchema>;

const GIB = 1024 ** 3;

/** Pool tenants share infrastructure, so their limits are tighter than a silo's. */
export const DEFAULT_QUOTAS: Readonly<Record<TenantTier, Quotas>> = {
  pool: {
    maxAgents: 50,
    storageBytes: 10 * GIB,
    apiCallsPerMinute: 600,
    executionsPerMonth: 100_000,
    computeMinutesPerMonth: 10_000,
  },
  silo: {
    maxAgents: 500,
    storageBytes: 500 * GIB,
    apiCallsPerMinute: 6_000,
    executionsPerMonth: 5_000_000,
    computeMinutesPerMonth: 500_000,
  },
};

export function defaultQuotas(tier: TenantTier): Quotas {
  return { ...DEFAULT_QUOTAS[tier] };
}
