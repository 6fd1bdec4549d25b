/**
 * The audit log as the lake's audit_events feed, over PostgreSQL: one cursor row per tenant
 * in `lake_export_cursors` (migration 0003). A page is read and the cursor moved inside one
 * tenant transaction (RLS applies to both tables) that locks the cursor row FOR UPDATE, so
 * overlapping exports of a tenant run one after the other instead of delivering a page twice.
 *
 * Nothing is skipped: appends to a tenant's chain hold an advisory lock until COMMIT
 * (audit-log.sql.ts), so `seq = n + 1` never becomes visible before `seq = n`, and "past the
 * cursor" never jumps a gap that fills in later.
 */
import type { AuditEntry } from '../../domain/audit.js';
import type { AuditLakeFeed } from '../../ports/audit-lake-feed.js';
import type { TenantScope } from '../../ports/sql.js';
import { AUDIT_COLUMNS, toAuditEntry, type AuditRow } from './audit-log.sql.js';

const FEED = 'audit_events';

export class SqlAuditLakeFeed implements AuditLakeFeed {
  constructor(private readonly scope: TenantScope) {}

  pendingTenants(): Promise<string[]> {
    // The control plane's view across tenants (admin role); the primary key (tenant_id, seq)
    // answers each EXISTS with one index probe.
    return this.scope.withAdmin(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `select t.id from tenants t
           left join lake_export_cursors c on c.feed = $1 and c.tenant_id = t.id
          where exists (select 1 from audit_log a where a.tenant_id = t.id and a.seq > coalesce(c.last_seq, 0))
          order by t.id`,
        [FEED],
      );
      return rows.map((r) => r.id);
    });
  }

  exportNext(
    tenantId: string,
    limit: number,
    deliver: (entries: readonly AuditEntry[]) => Promise<void>,
  ): Promise<number> {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`page size must be a positive integer: ${limit}`);
    return this.scope.withTenant(tenantId, async (tx) => {
      await tx.query(
        'insert into lake_export_cursors (feed, tenant_id) values ($1, $2) on conflict (feed, tenant_id) do nothing',
        [FEED, tenantId],
      );
      const cursor = await tx.query<{ last_seq: string | number }>(
        'select last_seq from lake_export_cursors where feed = $1 and tenant_id = $2 for update',
        [FEED, tenantId],
      );
      const after = Number(cursor.rows[0]?.last_seq ?? 0);
      const { rows } = await tx.query<AuditRow>(
        `select ${AUDIT_COLUMNS} from audit_log where tenant_id = $1 and seq > $2 order by seq limit $3`,
        [tenantId, after, limit],
      );
      if (rows.length === 0) return 0;
      const entries = rows.map(toAuditEntry);
      await deliver(entries);
      await tx.query(
        'update lake_export_cursors set last_seq = $3, updated_at = now() where feed = $1 and tenant_id = $2',
        [FEED, tenantId, entries[entries.length - 1]!.seq],
      );
      return entries.length;
    });
  }
}
