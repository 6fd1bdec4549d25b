/**
 * Pool tenants in the lake (issue 6, "Lake Formation filters by tenant"): on `tenant.created`
 * each lake table gets the tenant's data cells filter (`tenant_id = '<id>'`, all columns) and
 * SELECT on that filter, never on the table, granted with Lake Formation ABAC to the account's
 * principals whose `tenant_id` tag is the tenant (the tenant role's session tag), plus DESCRIBE
 * on the database (ABAC grants on a table do not imply DESCRIBE on its database). On
 * `tenant.offboarded` the grants are revoked and the filters deleted. Names and expressions come
 * from lib/lake/tenant-filters.ts, the ones the stack uses for silo tenants.
 *
 * Idempotent: every step converges (an existing filter or grant, a missing one on the way out,
 * is fine), so EventBridge's and Lambda's retries and a replayed event are harmless. A step
 * that fails throws; the steps before it are simply done again on the retry.
 */
import {
  accountPrincipals,
  tenantFilterName,
  tenantPrincipalCondition,
  tenantRowFilter,
} from '../lake/tenant-filters.js';
import type { ConditionalPrincipal, LakeFilterRef, LakePermissions } from '../ports/lake-permissions.js';

export interface LakeTenantOnboardingSettings {
  /** The account whose Data Catalog holds the lake (the catalog id). */
  readonly accountId: string;
  readonly databaseName: string;
  /** The lake tables (lib/lake/tables.ts names). */
  readonly tables: readonly string[];
}

export interface LakeTenantReport {
  readonly tenantId: string;
  readonly action: 'onboarded' | 'offboarded';
  /** Per table: what the filter step found or did. */
  readonly filters: Readonly<Record<string, 'created' | 'exists' | 'deleted' | 'absent'>>;
}

export class LakeTenantOnboarding {
  constructor(
    private readonly lf: LakePermissions,
    private readonly settings: LakeTenantOnboardingSettings,
  ) {}

  async onboard(tenantId: string): Promise<LakeTenantReport> {
    const who = this.principalOf(tenantId);
    await this.lf.grant(this.database(), who, ['DESCRIBE']);
    const filters: Record<string, 'created' | 'exists'> = {};
    for (const table of this.settings.tables) {
      const filter = this.filterOf(tenantId, table);
      filters[table] = await this.lf.createFilter({ ...filter, rowFilter: tenantRowFilter(tenantId) });
      await this.lf.grant({ kind: 'filter', filter }, who, ['SELECT']);
    }
    return { tenantId, action: 'onboarded', filters };
  }

  async offboard(tenantId: string): Promise<LakeTenantReport> {
    const who = this.principalOf(tenantId);
    const filters: Record<string, 'deleted' | 'absent'> = {};
    for (const table of this.settings.tables) {
      const filter = this.filterOf(tenantId, table);
      // Revoke first: the filter then goes with no grant left pointing at it.
      await this.lf.revoke({ kind: 'filter', filter }, who, ['SELECT']);
      filters[table] = await this.lf.deleteFilter(filter);
    }
    await this.lf.revoke(this.database(), who, ['DESCRIBE']);
    return { tenantId, action: 'offboarded', filters };
  }

  private principalOf(tenantId: string): ConditionalPrincipal {
    return {
      principal: accountPrincipals(this.settings.accountId),
      condition: tenantPrincipalCondition(tenantId),
    };
  }

  private database() {
    return {
      kind: 'database' as const,
      catalogId: this.settings.accountId,
      databaseName: this.settings.databaseName,
    };
  }

  private filterOf(tenantId: string, table: string): LakeFilterRef {
    return {
      catalogId: this.settings.accountId,
      databaseName: this.settings.databaseName,
      tableName: table,
      name: tenantFilterName(tenantId, table),
    };
  }
}
