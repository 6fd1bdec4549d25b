/**
 * Audit retention purge, a maintenance job of the table owner. Offboarding keeps a tenant's
 * audit entries and stamps `tenants.audit_retain_until`; once that instant has passed, this
 * job deletes them. It is the one sanctioned way past the append-only trigger: the owner
 * disables the trigger inside the purge transaction only (ALTER TABLE is transactional, and
 * its lock keeps appends out meanwhile), and only for offboarded tenants past retention.
 * Neither the app role nor the admin role can do this (no DELETE privilege on audit_log).
 */
import type { DbRoles, SqlClient } from '../../ports/sql.js';

export interface PurgeResult {
  readonly tenants: number;
  readonly entries: number;
}

export async function purgeExpiredAudit(
  client: SqlClient,
  roles: DbRoles,
  now: Date = new Date(),
): Promise<PurgeResult> {
  return client.transaction(async (tx) => {
    // tenants is under FORCE RLS too: read the expired ones as the admin role first.
    await tx.query("select set_config('role', $1, true)", [roles.admin]);
    const { rows } = await tx.query<{ id: string }>(
      "select id from tenants where status = 'offboarded' and audit_retain_until < $1 order by id",
      [now.toISOString()],
    );
    await tx.query("select set_config('role', $1, true)", [roles.owner]);
    await tx.exec('alter table audit_log disable trigger audit_log_append_only');
    let entries = 0;
    for (const { id } of rows) {
      // The owner sees only the tenant set here (FORCE RLS): one tenant per delete.
      await tx.query("select set_config('app.tenant_id', $1, true)", [id]);
      entries += (await tx.query('delete from audit_log where tenant_id = $1', [id])).rowCount;
    }
    await tx.exec('alter table audit_log enable trigger audit_log_append_only');
    return { tenants: rows.length, entries };
  });
}
