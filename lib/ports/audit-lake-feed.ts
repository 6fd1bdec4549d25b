/**
 * The audit log as a feed for the lake (audit_events): each tenant's entries past a cursor,
 * handed out in `seq` order, with the cursor moved only after they were delivered. In
 * PostgreSQL the cursor is a row per tenant (migration 0003_lake_export_cursors).
 */
import type { AuditEntry } from '../domain/audit.js';

export interface AuditLakeFeed {
  /** Tenants whose audit log holds entries past their cursor (offboarded ones included). */
  pendingTenants(): Promise<string[]>;
  /**
   * Hands the next page (at most `limit`) of the tenant's entries past its cursor to `deliver`
   * and, once `deliver` resolves, moves the cursor to the last of them. Holds the tenant's
   * cursor meanwhile, so an overlapping export of the same tenant waits and then continues
   * after this page. When `deliver` throws, the cursor stays and the error propagates.
   * Returns how many entries were delivered (0: the tenant is caught up).
   */
  exportNext(
    tenantId: string,
    limit: number,
    deliver: (entries: readonly AuditEntry[]) => Promise<void>,
  ): Promise<number>;
}
