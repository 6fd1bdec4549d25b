/**
 * API Gateway usage plans and their keys, as plain data the stacks, the authorizer and the
 * provisioning service agree on.
 *
 * Every tenant meters against its own API key (API Gateway throttles and counts quotas per
 * key, so one key per tier would put every tenant of a tier in one bucket). The key's value is
 * derived from the tenant id, so the authorizer names it (`usageIdentifierKey`) without a
 * lookup. The value is not a secret: the REST API reads keys from the authorizer only
 * (ApiKeySourceType.AUTHORIZER), so a client that knows it can never present it.
 */
import type { TenantTier } from '../domain/tenant.js';
import { TENANT_TIERS } from '../domain/tenant.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A tenant's usage-plan key value (and name): `glaf-usage-<tenant uuid>`, lower case. */
export function tenantUsageKey(tenantId: string): string {
  if (!UUID.test(tenantId)) throw new Error(`tenantUsageKey: '${tenantId}' is not a tenant id (UUID)`);
  return `glaf-usage-${tenantId.toLowerCase()}`;
}

/**
 * The key of principals without a tenant (platform admins), one per REST API: `<api id>` makes
 * it unique where several APIs share an account and region. The stack creates it in the
 * platform plan; the authorizer derives it from the request's methodArn.
 */
export function platformUsageKey(restApiId: string): string {
  return `glaf-usage-platform-${restApiId}`;
}

/** Plan names: the provisioning service finds a tier's plan by name among the plans of its API stage. */
export function tierUsagePlanName(tier: TenantTier): string {
  return `glaf-tier-${tier}`;
}

export const PLATFORM_USAGE_PLAN_NAME = 'glaf-platform';

/** The tenant events the usage-key function acts on (its EventBridge rule matches these only). */
export const USAGE_KEY_EVENT_TYPES = ['tenant.created', 'tenant.offboarded'] as const;

/** The tier a plan name stands for, or undefined for the platform plan and foreign names. */
export function tierOfUsagePlan(name: string | undefined): TenantTier | undefined {
  return TENANT_TIERS.find((tier) => tierUsagePlanName(tier) === name);
}
