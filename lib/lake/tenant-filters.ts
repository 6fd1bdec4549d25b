/**
 * A tenant's Lake Formation row filters and its ABAC grant condition, defined once: the lake
 * stack creates them at synth for a silo tenant (stacks/constructs/lake-governance.ts), the
 * onboarding function creates the same ones at run time for a pool tenant
 * (lib/services/lake-tenant-onboarding.ts). Same names, same expressions on both paths, so an
 * offboarding finds what an onboarding made, whichever path made it.
 */
import { TENANT_ID_RE } from '../config/app-config.js';

/**
 * The session tag the tenant role is assumed with (stacks/constructs/tenant-role.ts TENANT_TAG);
 * Lake Formation ABAC grants match on it.
 */
export const TENANT_PRINCIPAL_TAG = 'tenant_id';

function assertTenant(tenantId: string): string {
  if (!TENANT_ID_RE.test(tenantId)) throw new Error(`Not a tenant id: ${JSON.stringify(tenantId)}`);
  return tenantId;
}

/** The row filter of one tenant. Only a lower-case UUID gets in: nothing can close the quote. */
export function tenantRowFilter(tenantId: string): string {
  return `tenant_id = '${assertTenant(tenantId)}'`;
}

/** Name of a tenant's filter on one table (same at synth and at onboarding). */
export function tenantFilterName(tenantId: string, table: string): string {
  return `tenant-${assertTenant(tenantId)}-${table}`;
}

/**
 * The Cedar condition of a tenant's ABAC grants: principals (of the account) whose
 * `tenant_id` principal tag (session tag included) is this tenant. Lake Formation evaluates it
 * on `context.iam.principalTags`; the grant's principal is `<account>:IAMPrincipals`.
 */
export function tenantPrincipalCondition(tenantId: string): string {
  const tag = JSON.stringify(TENANT_PRINCIPAL_TAG);
  return (
    `context.iam.principalTags.hasTag(${tag}) && ` +
    `context.iam.principalTags.getTag(${tag}) == "${assertTenant(tenantId)}"`
  );
}

/** The ABAC principal: every IAM principal of the account, narrowed by the grant's condition. */
export function accountPrincipals(accountId: string): string {
  if (!/^\d{12}$/.test(accountId)) throw new Error(`Not an AWS account id: ${JSON.stringify(accountId)}`);
  return `${accountId}:IAMPrincipals`;
}
