/**
 * The tenant resources as the API shows them (snake_case), and the mapping to and from the
 * domain's camelCase records. Constraints mirror lib/domain/{tenant,quotas}.ts; the services
 * validate again with the domain schemas.
 */
import * as z from 'zod';

import type { Quotas } from '../../domain/quotas.js';
import { TENANT_STATUSES, TENANT_TIERS, type Tenant, type TenantConfig } from '../../domain/tenant.js';

const CONFIG_KEYS = {
  default_region: 'defaultRegion',
  reporting_currency: 'reportingCurrency',
  factor_sources: 'factorSources',
  data_residency: 'dataResidency',
  features: 'features',
  labels: 'labels',
} as const satisfies Record<string, keyof TenantConfig>;

const QUOTA_KEYS = {
  max_agents: 'maxAgents',
  storage_bytes: 'storageBytes',
  api_calls_per_minute: 'apiCallsPerMinute',
  executions_per_month: 'executionsPerMonth',
  compute_minutes_per_month: 'computeMinutesPerMonth',
} as const satisfies Record<string, keyof Quotas>;

export const tenantConfigSchema = z.strictObject({
  default_region: z.string().min(2).max(40).optional(),
  reporting_currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'ISO 4217 code such as EUR')
    .optional(),
  factor_sources: z.array(z.string().min(1).max(40)).max(50).optional(),
  data_residency: z.enum(['eu', 'us', 'any']).optional(),
  features: z.record(z.string().max(60), z.boolean()).optional(),
  labels: z.record(z.string().max(60), z.string().max(200)).optional(),
});
export type TenantConfigBody = z.output<typeof tenantConfigSchema>;

const count = z.number().int().nonnegative().max(2_147_483_647);
export const quotasSchema = z.strictObject({
  max_agents: count,
  storage_bytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  api_calls_per_minute: count,
  executions_per_month: count,
  compute_minutes_per_month: count,
});
export const quotasPatchSchema = quotasSchema
  .partial()
  .refine((q) => Object.keys(q).length > 0, 'name at least one quota to change');
export type QuotasBody = z.output<typeof quotasSchema>;

export const tenantSchema = z.object({
  tenant_id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  tier: z.enum(TENANT_TIERS),
  status: z.enum(TENANT_STATUSES),
  home_region: z.string(),
  config: tenantConfigSchema,
  created_at: z.string(),
});

function rename(from: object, map: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(from)) {
    const to = map[k];
    if (to !== undefined && v !== undefined) out[to] = v;
  }
  return out;
}

const invert = (m: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [v, k]));

export const configToDomain = (c: TenantConfigBody): Record<string, unknown> => rename(c, CONFIG_KEYS);
export const quotasToDomain = (q: Partial<QuotasBody>): Record<string, unknown> => rename(q, QUOTA_KEYS);
export const quotasView = (q: Quotas): QuotasBody => rename(q, invert(QUOTA_KEYS)) as QuotasBody;

export function tenantView(t: Tenant): z.output<typeof tenantSchema> {
  return {
    tenant_id: t.id,
    slug: t.slug,
    name: t.name,
    tier: t.tier,
    status: t.status,
    home_region: t.homeRegion,
    config: rename(t.config, invert(CONFIG_KEYS)),
    created_at: t.createdAt,
  };
}
