/**
 * The Hive layout both lakes share: `<prefix>tenant_id=<id>/dt=<yyyy-MM-dd>/<file>.parquet`.
 * Tenant ids and dates are checked before they become path segments, so a crafted id can
 * never point a write or a tenant view outside its own partition.
 */
import { LAKE_TABLES, type LakeTable, type LakeTableName } from './tables.js';

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
const DT = /^\d{4}-\d{2}-\d{2}$/;

export function assertTenantId(tenantId: string): string {
  if (!TENANT_ID.test(tenantId))
    throw new Error(`not a tenant id usable in a lake path: ${JSON.stringify(tenantId)}`);
  return tenantId;
}

/** `<prefix>tenant_id=<id>/` */
export function tenantPrefix(table: LakeTable, tenantId: string): string {
  return `${table.prefix}tenant_id=${assertTenantId(tenantId)}/`;
}

/** `<prefix>tenant_id=<id>/dt=<dt>/` */
export function partitionPrefix(table: LakeTable, tenantId: string, dt: string): string {
  if (!DT.test(dt)) throw new Error(`not a partition date (yyyy-MM-dd): ${JSON.stringify(dt)}`);
  return `${tenantPrefix(table, tenantId)}dt=${dt}/`;
}

/** Firehose delivery stream per table, named `<prefix><table>` (the lake stack's naming). */
export function lakeStreamNames(prefix: string): Record<LakeTableName, string> {
  return Object.fromEntries(LAKE_TABLES.map((t) => [t.name, `${prefix}${t.name}`])) as Record<
    LakeTableName,
    string
  >;
}
