/**
 * Pool-tenant Lake Formation onboarding: LakeTenantOnboarding over the LakeFormationPermissions
 * adapter against the fake Lake Formation endpoint (REST-JSON, SigV4, the service's error types).
 * Filters and grants as the stack makes them for silo tenants (same names and expressions);
 * ABAC grants on the tenant_id principal tag; every step converges under retries; offboarding
 * undoes it all. Plus the handler's reading of platform events.
 */
import { LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actionOf, compose } from '../../lambdas/lake-tenant-onboarding/handler.js';
import { LakeFormationPermissions } from '../../lib/adapters/aws/lakeformation-permissions.js';
import type { EventType } from '../../lib/domain/events/catalogue.js';
import { createEvent } from '../../lib/domain/events/envelope.js';
import { LAKE_TABLES } from '../../lib/lake/tables.js';
import {
  accountPrincipals,
  TENANT_PRINCIPAL_TAG,
  tenantFilterName,
  tenantPrincipalCondition,
  tenantRowFilter,
} from '../../lib/lake/tenant-filters.js';
import { LakeTenantOnboarding } from '../../lib/services/lake-tenant-onboarding.js';
import { TENANT_TAG } from '../../stacks/constructs/tenant-role.js';
import { startFakeLakeFormation, type FakeLakeFormation } from './fake-lakeformation.js';

const ACCOUNT = '123456789012';
const DB = 'glaf_prod_lake';
const A = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const B = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';
const TABLES = LAKE_TABLES.map((t) => t.name);

let lf: FakeLakeFormation;
let permissions: LakeFormationPermissions;
let onboarding: LakeTenantOnboarding;

beforeAll(async () => {
  lf = await startFakeLakeFormation();
  permissions = new LakeFormationPermissions(
    new LakeFormationClient({
      region: 'eu-west-1',
      endpoint: lf.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    }),
  );
  onboarding = new LakeTenantOnboarding(permissions, {
    accountId: ACCOUNT,
    databaseName: DB,
    tables: TABLES,
  });
});
afterEach(() => lf.failWith(undefined));
afterAll(async () => lf?.close());

const grantsOf = (tenantId: string) =>
  [...lf.grants.values()].filter((g) => g.condition === tenantPrincipalCondition(tenantId));
const filtersOf = (tenantId: string) => [...lf.filters.values()].filter((f) => f.Name.includes(tenantId));

describe('the shared definitions', () => {
  it("match on the tenant role's session tag, with the silo stack's filter names and expressions", () => {
    expect(TENANT_PRINCIPAL_TAG).toBe(TENANT_TAG);
    expect(tenantPrincipalCondition(A)).toBe(
      `context.iam.principalTags.hasTag("tenant_id") && context.iam.principalTags.getTag("tenant_id") == "${A}"`,
    );
    expect(accountPrincipals(ACCOUNT)).toBe(`${ACCOUNT}:IAMPrincipals`);
    for (const bad of ['x" || true || "', A.toUpperCase(), ''])
      expect(() => tenantPrincipalCondition(bad)).toThrow(/Not a tenant id/);
    expect(() => accountPrincipals('12345')).toThrow(/Not an AWS account id/);
  });
});

describe('LakeTenantOnboarding over Lake Formation', () => {
  it("onboards a pool tenant: a row filter per table, SELECT on the filters only and DESCRIBE on the database, by the tenant's tag", async () => {
    const report = await onboarding.onboard(A);
    expect(report).toEqual({
      tenantId: A,
      action: 'onboarded',
      filters: Object.fromEntries(TABLES.map((t) => [t, 'created'])),
    });
    expect(filtersOf(A).sort((x, y) => x.TableName.localeCompare(y.TableName))).toEqual(
      [...TABLES].sort().map((table) => ({
        TableCatalogId: ACCOUNT,
        DatabaseName: DB,
        TableName: table,
        Name: tenantFilterName(A, table),
        RowFilter: { FilterExpression: tenantRowFilter(A) },
        ColumnWildcard: { ExcludedColumnNames: [] },
      })),
    );
    const grants = grantsOf(A);
    expect(grants.map((g) => `${g.permission} ${g.resource}`).sort()).toEqual(
      [
        `DESCRIBE database:${ACCOUNT}/${DB}`,
        ...TABLES.map((t) => `SELECT filter:${ACCOUNT}/${DB}/${t}/${tenantFilterName(A, t)}`),
      ].sort(),
    );
    expect(new Set(grants.map((g) => g.principal))).toEqual(new Set([`${ACCOUNT}:IAMPrincipals`]));
    // Never a grant on a table itself, never grantable.
    expect([...lf.grants.values()].some((g) => g.resource.startsWith('table:'))).toBe(false);
    const grantCall = lf.calls.find((c) => c.operation === 'GrantPermissions')!;
    expect(grantCall.body).toMatchObject({ CatalogId: ACCOUNT, PermissionsWithGrantOption: [] });
  });

  it('is idempotent: onboarding again finds the filters and changes nothing', async () => {
    const before = { filters: lf.filters.size, grants: lf.grants.size };
    const again = await onboarding.onboard(A);
    expect(again.filters).toEqual(Object.fromEntries(TABLES.map((t) => [t, 'exists'])));
    expect({ filters: lf.filters.size, grants: lf.grants.size }).toEqual(before);
  });

  it("keeps tenants apart: B's grants carry B's condition and point at B's filters only", async () => {
    await onboarding.onboard(B);
    const grantsB = grantsOf(B);
    expect(grantsB).toHaveLength(TABLES.length + 1);
    for (const g of grantsB.filter((x) => x.permission === 'SELECT')) {
      expect(g.resource).toContain(`tenant-${B}-`);
      expect(g.resource).not.toContain(A);
    }
    expect(filtersOf(B).map((f) => f.RowFilter.FilterExpression)).toEqual(
      TABLES.map(() => `tenant_id = '${B}'`),
    );
    // A is untouched (positive control: its grants are all still there).
    expect(grantsOf(A)).toHaveLength(TABLES.length + 1);
  });

  it('a failure part-way throws, and the retry completes what is missing', async () => {
    const C = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5d';
    let creates = 0;
    lf.failWith((call) =>
      call.operation === 'CreateDataCellsFilter' && ++creates === 3
        ? { type: 'InternalServiceException', status: 500 }
        : undefined,
    );
    await expect(onboarding.onboard(C)).rejects.toThrow(/InternalServiceException/);
    expect(filtersOf(C)).toHaveLength(2);
    lf.failWith(undefined);
    const retried = await onboarding.onboard(C);
    expect(Object.values(retried.filters).filter((s) => s === 'exists')).toHaveLength(2);
    expect(filtersOf(C)).toHaveLength(TABLES.length);
    expect(grantsOf(C)).toHaveLength(TABLES.length + 1);
  });

  it('offboarding revokes the grants and deletes the filters; again, it finds nothing and does not fail', async () => {
    const done = await onboarding.offboard(A);
    expect(done.filters).toEqual(Object.fromEntries(TABLES.map((t) => [t, 'deleted'])));
    expect(grantsOf(A)).toEqual([]);
    expect(filtersOf(A)).toEqual([]);
    const again = await onboarding.offboard(A);
    expect(again.filters).toEqual(Object.fromEntries(TABLES.map((t) => [t, 'absent'])));
    // B keeps its access (positive control).
    expect(grantsOf(B)).toHaveLength(TABLES.length + 1);
  });

  it('other refusals are not swallowed', async () => {
    lf.failWith((call) =>
      call.operation === 'RevokePermissions' ? { type: 'AccessDeniedException', status: 403 } : undefined,
    );
    await expect(onboarding.offboard(B)).rejects.toThrow(/AccessDeniedException/);
    lf.failWith(undefined);
    expect(grantsOf(B)).toHaveLength(TABLES.length + 1);
  });
});

describe('the lake-tenant-onboarding handler', () => {
  /** What the rule hands its target for an event EventBridgeBus published. */
  const event = (type: EventType, detail: Record<string, unknown>, tenantId = A) => ({
    'detail-type': type,
    source: 'glaf',
    detail: createEvent(type, tenantId, { tenantId, ...detail }),
  });
  const created = { slug: 'acme', homeRegion: 'eu-west-1' };

  it('onboards pool tenants, skips silo tenants, offboards, ignores the rest, refuses garbage', () => {
    expect(actionOf(event('tenant.created', { ...created, tier: 'pool' }))).toEqual({
      kind: 'onboard',
      tenantId: A,
    });
    expect(actionOf(event('tenant.created', { ...created, tier: 'silo' }))).toMatchObject({ kind: 'ignore' });
    expect(actionOf(event('tenant.offboarded', { exportLocation: 's3://x/y.json' }))).toEqual({
      kind: 'offboard',
      tenantId: A,
    });
    expect(actionOf(event('tenant.suspended', {}))).toMatchObject({ kind: 'ignore' });
    // Not a valid tenant.created (the catalogue's schema wants its tier): refused, like every invalid event.
    expect(() => actionOf(event('tenant.created', created))).toThrow(/tier/);
    expect(() => actionOf({ detail: { type: 'tenant.created' } })).toThrow(/Not a platform event/);
  });

  it('composes from its environment, and names what is wrong with it', async () => {
    expect(() => compose({ LAKE_DATABASE_NAME: DB })).toThrow(/LAKE_CATALOG_ID/);
    const service = compose({ LAKE_DATABASE_NAME: DB, LAKE_CATALOG_ID: ACCOUNT }, permissions);
    const D = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5e';
    expect((await service.onboard(D)).filters).toEqual(Object.fromEntries(TABLES.map((t) => [t, 'created'])));
    expect(grantsOf(D)).toHaveLength(TABLES.length + 1);
  });
});
