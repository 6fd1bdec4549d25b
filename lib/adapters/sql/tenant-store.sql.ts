/**
 * TenantStore over PostgreSQL. Control-plane operations (onboard, status, quotas) run as
 * the admin role; tenant-owned changes (config, organisations) run inside withTenant, so
 * RLS checks them too. Each change writes its audit entry in the same transaction.
 */
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { Quotas, QuotasPatch } from '../../domain/quotas.js';
import { TenantNotFoundError } from '../../domain/tenant.js';
import type { Organization, Tenant, TenantConfig, TenantStatus } from '../../domain/tenant.js';
import type { TenantScope, SqlQueryable } from '../../ports/sql.js';
import type {
  OffboardResult,
  OnboardPlan,
  OnboardResult,
  TenantExportSink,
  TenantStore,
} from '../../ports/tenant-store.js';
import { appendAudit } from './audit-log.sql.js';
import { enqueueOutbox } from './outbox.sql.js';
import { CHECK_VIOLATION, FOREIGN_KEY_VIOLATION, UNIQUE_VIOLATION, iso, sqlState } from './pg-errors.js';
import { offboardTenant } from './tenant-offboard.sql.js';

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  tier: Tenant['tier'];
  status: TenantStatus;
  home_region: string;
  config: TenantConfig;
  created_at: Date | string;
}
const TENANT_COLS = 'id, slug, name, tier, status, home_region, config, created_at';
const toTenant = (r: TenantRow): Tenant => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  tier: r.tier,
  status: r.status,
  homeRegion: r.home_region,
  config: r.config,
  createdAt: iso(r.created_at),
});

interface OrgRow {
  id: string;
  tenant_id: string;
  parent_id: string | null;
  name: string;
}
const toOrg = (r: OrgRow): Organization => ({
  id: r.id,
  tenantId: r.tenant_id,
  parentId: r.parent_id,
  name: r.name,
});

const QUOTA_COLS: Record<keyof Quotas, string> = {
  maxAgents: 'max_agents',
  storageBytes: 'storage_bytes',
  apiCallsPerMinute: 'api_calls_per_minute',
  executionsPerMonth: 'executions_per_month',
  computeMinutesPerMonth: 'compute_minutes_per_month',
};
const QUOTA_SELECT = Object.entries(QUOTA_COLS)
  .map(([k, c]) => `${c}::float8 as "${k}"`)
  .join(', ');

async function tenantRow(tx: SqlQueryable, id: string): Promise<Tenant> {
  const { rows } = await tx.query<TenantRow>(`select ${TENANT_COLS} from tenants where id = $1`, [id]);
  if (!rows[0]) throw new TenantNotFoundError(id);
  return toTenant(rows[0]);
}

export class SqlTenantStore implements TenantStore {
  constructor(
    private readonly scope: TenantScope,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  create(plan: OnboardPlan): Promise<OnboardResult> {
    return this.scope
      .withAdmin(async (tx) => {
        const t = await tx.query<TenantRow>(
          `insert into tenants (slug, name, tier, home_region, config) values ($1, $2, $3, $4, $5)
           returning ${TENANT_COLS}`,
          [plan.slug, plan.name, plan.tier, plan.homeRegion, plan.config],
        );
        const tenant = toTenant(t.rows[0]!);
        const q = plan.quotas;
        await tx.query(
          `insert into tenant_quotas (tenant_id, ${Object.values(QUOTA_COLS).join(', ')}) values ($1, $2, $3, $4, $5, $6)`,
          [
            tenant.id,
            q.maxAgents,
            q.storageBytes,
            q.apiCallsPerMinute,
            q.executionsPerMonth,
            q.computeMinutesPerMonth,
          ],
        );
        const u = await tx.query<{ id: string }>(
          'insert into users (tenant_id, email, display_name) values ($1, $2, $3) returning id',
          [tenant.id, plan.admin.email, plan.admin.displayName],
        );
        const userId = u.rows[0]!.id;
        await tx.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'admin')", [
          tenant.id,
          userId,
        ]);
        await enqueueOutbox(tx, tenant.id, 'tenant.created', {
          tenantId: tenant.id,
          slug: tenant.slug,
          tier: tenant.tier,
          homeRegion: tenant.homeRegion,
        });
        await appendAudit(
          tx,
          tenant.id,
          {
            actor: plan.actor,
            action: 'tenant.created',
            target: `tenant:${tenant.id}`,
            data: { slug: plan.slug },
          },
          this.clock(),
        );
        return { tenant, adminUserId: userId, membership: { userId, role: 'admin' as const } };
      })
      .catch((err: unknown) => {
        if (sqlState(err) === UNIQUE_VIOLATION) {
          throw new ConflictError(`Tenant slug '${plan.slug}' is already taken; choose another slug`, {
            slug: plan.slug,
          });
        }
        throw err;
      });
  }

  async get(tenantId: string): Promise<Tenant | undefined> {
    return this.scope
      .withAdmin((tx) => tenantRow(tx, tenantId))
      .catch((err: unknown) => {
        if (err instanceof TenantNotFoundError) return undefined;
        throw err;
      });
  }

  getBySlug(slug: string): Promise<Tenant | undefined> {
    return this.scope.withAdmin(async (tx) => {
      const { rows } = await tx.query<TenantRow>(`select ${TENANT_COLS} from tenants where slug = $1`, [
        slug,
      ]);
      return rows[0] ? toTenant(rows[0]) : undefined;
    });
  }

  list(page: { readonly afterSlug?: string; readonly limit: number }): Promise<Tenant[]> {
    return this.scope.withAdmin(async (tx) => {
      const { rows } = await tx.query<TenantRow>(
        `select ${TENANT_COLS} from tenants where slug > $1 order by slug limit $2`,
        [page.afterSlug ?? '', page.limit],
      );
      return rows.map(toTenant);
    });
  }

  updateConfig(tenantId: string, config: TenantConfig, actor: string): Promise<Tenant> {
    return this.scope.withTenant(tenantId, async (tx) => {
      const { rowCount } = await tx.query(
        'update tenants set config = $1, updated_at = now() where id = $2',
        [config, tenantId],
      );
      if (rowCount === 0) throw new TenantNotFoundError(tenantId);
      await appendAudit(
        tx,
        tenantId,
        {
          actor,
          action: 'tenant.config.updated',
          target: `tenant:${tenantId}`,
          data: { keys: Object.keys(config) },
        },
        this.clock(),
      );
      return tenantRow(tx, tenantId);
    });
  }

  getQuotas(tenantId: string): Promise<Quotas> {
    return this.scope.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<Quotas>(
        `select ${QUOTA_SELECT} from tenant_quotas where tenant_id = $1`,
        [tenantId],
      );
      if (!rows[0]) throw new TenantNotFoundError(tenantId);
      return rows[0];
    });
  }

  updateQuotas(tenantId: string, patch: QuotasPatch, actor: string): Promise<Quotas> {
    return this.scope.withAdmin(async (tx) => {
      const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof Quotas, number][];
      const sets = entries.map(([k], i) => `${QUOTA_COLS[k]} = $${i + 2}`);
      const { rows } = await tx.query<Quotas>(
        `update tenant_quotas set ${[...sets, 'updated_at = now()'].join(', ')} where tenant_id = $1
         returning ${QUOTA_SELECT}`,
        [tenantId, ...entries.map(([, v]) => v)],
      );
      if (!rows[0]) throw new TenantNotFoundError(tenantId);
      await appendAudit(
        tx,
        tenantId,
        { actor, action: 'tenant.quotas.updated', target: `tenant:${tenantId}`, data: { ...patch } },
        this.clock(),
      );
      return rows[0];
    });
  }

  setStatus(
    tenantId: string,
    from: readonly TenantStatus[],
    to: TenantStatus,
    actor: string,
  ): Promise<Tenant> {
    return this.scope.withAdmin(async (tx) => {
      const current = await tenantRow(tx, tenantId);
      if (!from.includes(current.status)) {
        throw new ConflictError(`Tenant '${current.slug}' is ${current.status}; cannot change it to ${to}`, {
          status: current.status,
          allowedFrom: from,
        });
      }
      await tx.query(
        `update tenants set status = $2, updated_at = now(),
           suspended_at = case when $2 = 'suspended' then now() else null end where id = $1`,
        [tenantId, to],
      );
      await appendAudit(
        tx,
        tenantId,
        { actor, action: `tenant.${to === 'active' ? 'resumed' : to}`, target: `tenant:${tenantId}` },
        this.clock(),
      );
      await enqueueOutbox(tx, tenantId, `tenant.${to === 'active' ? 'resumed' : to}`, { tenantId });
      return tenantRow(tx, tenantId);
    });
  }

  addOrganization(
    tenantId: string,
    name: string,
    parentId: string | null,
    actor: string,
  ): Promise<Organization> {
    return this.scope
      .withTenant(tenantId, async (tx) => {
        const { rows } = await tx.query<OrgRow>(
          'insert into tenant_organizations (tenant_id, parent_id, name) values ($1, $2, $3) returning *',
          [tenantId, parentId, name],
        );
        const org = toOrg(rows[0]!);
        await appendAudit(
          tx,
          tenantId,
          {
            actor,
            action: 'organization.created',
            target: `organization:${org.id}`,
            data: { name, parentId },
          },
          this.clock(),
        );
        return org;
      })
      .catch((err: unknown) => mapOrgError(err, name, parentId));
  }

  moveOrganization(
    tenantId: string,
    orgId: string,
    parentId: string | null,
    actor: string,
  ): Promise<Organization> {
    return this.scope
      .withTenant(tenantId, async (tx) => {
        const { rows } = await tx.query<OrgRow>(
          'update tenant_organizations set parent_id = $2 where id = $1 returning *',
          [orgId, parentId],
        );
        if (!rows[0]) throw new NotFoundError('organization', orgId);
        await appendAudit(
          tx,
          tenantId,
          { actor, action: 'organization.moved', target: `organization:${orgId}`, data: { parentId } },
          this.clock(),
        );
        return toOrg(rows[0]);
      })
      .catch((err: unknown) => mapOrgError(err, orgId, parentId));
  }

  listOrganizations(tenantId: string): Promise<Organization[]> {
    return this.scope.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<OrgRow>(
        'select * from tenant_organizations where tenant_id = $1 order by created_at, name',
        [tenantId],
      );
      return rows.map(toOrg);
    });
  }

  offboard(
    tenantId: string,
    sink: TenantExportSink,
    actor: string,
    retainAuditUntil: Date,
  ): Promise<OffboardResult> {
    return this.scope.withAdmin((tx) =>
      offboardTenant(tx, tenantId, sink, actor, retainAuditUntil, this.clock()),
    );
  }
}

function mapOrgError(err: unknown, subject: string, parentId: string | null): never {
  const state = sqlState(err);
  if (state === UNIQUE_VIOLATION)
    throw new ConflictError(`An organization named '${subject}' already exists`);
  if (state === FOREIGN_KEY_VIOLATION) throw new NotFoundError('parent organization', String(parentId));
  if (state === CHECK_VIOLATION) {
    throw new ConflictError(
      `Moving organization '${subject}' under '${String(parentId)}' would create a cycle`,
      {
        organizationId: subject,
        parentId,
      },
    );
  }
  throw err;
}
