import type { Quotas, QuotasPatch } from '../domain/quotas.js';
import type { MemberRole } from '../domain/roles.js';
import type { Organization, Tenant, TenantConfig, TenantStatus, TenantTier } from '../domain/tenant.js';

export interface OnboardPlan {
  readonly slug: string;
  readonly name: string;
  readonly tier: TenantTier;
  readonly homeRegion: string;
  readonly config: TenantConfig;
  readonly quotas: Quotas;
  readonly admin: { readonly email: string; readonly displayName: string };
  readonly actor: string;
}

export interface OnboardResult {
  readonly tenant: Tenant;
  readonly adminUserId: string;
  readonly membership: { readonly userId: string; readonly role: MemberRole };
}

/** Everything a tenant had, as exported before deletion. */
export interface TenantExport {
  readonly format: 'glaf-tenant-export/1';
  readonly tenantId: string;
  readonly exportedAt: string;
  readonly tables: Readonly<Record<string, readonly Record<string, unknown>[]>>;
}

/** Where offboarding writes the export (S3 with Object Lock in AWS, a file locally). */
export interface TenantExportSink {
  /** Returns where the export went; a throw aborts the offboarding (nothing deleted). */
  put(tenantId: string, json: string): Promise<string>;
}

export interface OffboardResult {
  readonly tenantId: string;
  readonly exportLocation: string;
  readonly exportSha256: string;
  readonly deletedRows: Readonly<Record<string, number>>;
  readonly auditRetainedUntil: string;
}

export interface TenantStore {
  /** All rows of the onboarding in one transaction; a duplicate slug throws ConflictError. */
  create(plan: OnboardPlan): Promise<OnboardResult>;
  get(tenantId: string): Promise<Tenant | undefined>;
  getBySlug(slug: string): Promise<Tenant | undefined>;
  /** Tenants ordered by slug, after `afterSlug` (keyset pagination), at most `limit`. */
  list(page: { readonly afterSlug?: string; readonly limit: number }): Promise<Tenant[]>;
  updateConfig(tenantId: string, config: TenantConfig, actor: string): Promise<Tenant>;
  getQuotas(tenantId: string): Promise<Quotas>;
  updateQuotas(tenantId: string, patch: QuotasPatch, actor: string): Promise<Quotas>;
  setStatus(
    tenantId: string,
    from: readonly TenantStatus[],
    to: TenantStatus,
    actor: string,
  ): Promise<Tenant>;
  addOrganization(
    tenantId: string,
    name: string,
    parentId: string | null,
    actor: string,
  ): Promise<Organization>;
  moveOrganization(
    tenantId: string,
    orgId: string,
    parentId: string | null,
    actor: string,
  ): Promise<Organization>;
  listOrganizations(tenantId: string): Promise<Organization[]>;
  offboard(
    tenantId: string,
    sink: TenantExportSink,
    actor: string,
    retainAuditUntil: Date,
  ): Promise<OffboardResult>;
}
