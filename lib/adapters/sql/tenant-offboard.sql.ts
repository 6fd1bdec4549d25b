/**
 * Offboarding, in one admin transaction: lock the tenant row, export every row the tenant
 * owns (audit log included) to the sink, delete the tenant's data, and leave the tenants row
 * as an 'offboarded' tombstone. Audit entries are NOT deleted: they stay (append-only,
 * hash-chained) until `audit_retain_until`, after which the owner purges them in a
 * maintenance job; the tombstone keeps their foreign key valid. If the sink fails, the
 * transaction rolls back and nothing is deleted.
 */
import { createHash } from 'node:crypto';
import { ConflictError } from '../../domain/errors.js';
import { TenantNotFoundError } from '../../domain/tenant.js';
import type { SqlQueryable } from '../../ports/sql.js';
import type { OffboardResult, TenantExport, TenantExportSink } from '../../ports/tenant-store.js';
import { appendAudit } from './audit-log.sql.js';
import { enqueueOutbox } from './outbox.sql.js';

/** Children before parents, so every delete satisfies the foreign keys. */
const DELETE_ORDER = [
  'memberships',
  'api_keys',
  'users',
  'webhooks',
  'agent_versions',
  'agents',
  'emission_factors',
  'factor_datasets',
  'tenant_organizations',
  'tenant_quotas',
  'outbox',
] as const;
const EXPORTED = ['tenants', ...DELETE_ORDER, 'audit_log'] as const;

export async function offboardTenant(
  tx: SqlQueryable,
  tenantId: string,
  sink: TenantExportSink,
  actor: string,
  retainAuditUntil: Date,
  now: Date,
): Promise<OffboardResult> {
  const locked = await tx.query<{ status: string }>('select status from tenants where id = $1 for update', [
    tenantId,
  ]);
  const status = locked.rows[0]?.status;
  if (status === undefined) throw new TenantNotFoundError(tenantId);
  if (status === 'offboarded') throw new ConflictError(`Tenant '${tenantId}' is already offboarded`);

  const tables: Record<string, Record<string, unknown>[]> = {};
  for (const table of EXPORTED) {
    const column = table === 'tenants' ? 'id' : 'tenant_id';
    const { rows } = await tx.query(`select * from ${table} where ${column} = $1`, [tenantId]);
    tables[table] = rows;
  }
  const doc: TenantExport = {
    format: 'glaf-tenant-export/1',
    tenantId,
    exportedAt: now.toISOString(),
    tables,
  };
  const json = JSON.stringify(doc);
  const exportLocation = await sink.put(tenantId, json);

  const deletedRows: Record<string, number> = {};
  for (const table of DELETE_ORDER) {
    deletedRows[table] = (await tx.query(`delete from ${table} where tenant_id = $1`, [tenantId])).rowCount;
  }
  await tx.query(
    `update tenants set status = 'offboarded', config = '{}'::jsonb, offboarded_at = $2, updated_at = $2,
       audit_retain_until = $3 where id = $1`,
    [tenantId, now.toISOString(), retainAuditUntil.toISOString()],
  );
  const exportSha256 = createHash('sha256').update(json).digest('hex');
  await appendAudit(
    tx,
    tenantId,
    {
      actor,
      action: 'tenant.offboarded',
      target: `tenant:${tenantId}`,
      data: { exportLocation, exportSha256 },
    },
    now,
  );
  await enqueueOutbox(tx, tenantId, 'tenant.offboarded', { tenantId, exportLocation });
  return {
    tenantId,
    exportLocation,
    exportSha256,
    deletedRows,
    auditRetainedUntil: retainAuditUntil.toISOString(),
  };
}
