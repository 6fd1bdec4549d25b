/**
 * Copies audit log entries to the lake's audit_events table, per tenant past its cursor, in
 * `seq` order, through the same LakeWriter as executions. The one path for every entry,
 * whoever wrote it (the audit service, or the tenant store inside its own transaction, e.g.
 * `tenant.created`): in AWS a scheduled job runs it into the audit_events Firehose stream;
 * locally the lake feed runs it into Parquet files.
 *
 * At least once: a page is delivered before its cursor moves, so a crash in between (or a
 * sink that delivered part of a page and then failed) delivers those entries again on the
 * next run. `(tenant_id, seq)` identifies an entry: dedupe on it when counting audit rows.
 * A failing tenant does not hold up the others; its cursor stays where it was.
 */
import type { AuditEntry } from '../domain/audit.js';
import type { AuditLakeFeed } from '../ports/audit-lake-feed.js';

/** One PutRecordBatch (500 records) per page: audit rows are small. */
export const AUDIT_EXPORT_PAGE = 500;

export interface AuditLakeExportResult {
  /** Tenants that had entries past their cursor. */
  readonly tenants: number;
  /** Entries delivered (this run). */
  readonly records: number;
  readonly failures: readonly { readonly tenantId: string; readonly error: string }[];
}

export interface AuditLakeExportOptions {
  /** @default AUDIT_EXPORT_PAGE */
  readonly pageSize?: number;
  /** Stop starting new pages after this instant (a Lambda's deadline); the next run continues. */
  readonly deadline?: () => boolean;
}

export async function exportAuditToLake(
  feed: AuditLakeFeed,
  writer: { writeAudit(entries: readonly AuditEntry[]): Promise<number> },
  options: AuditLakeExportOptions = {},
): Promise<AuditLakeExportResult> {
  const pageSize = options.pageSize ?? AUDIT_EXPORT_PAGE;
  const tenants = await feed.pendingTenants();
  const failures: { tenantId: string; error: string }[] = [];
  let records = 0;
  for (const tenantId of tenants) {
    try {
      for (;;) {
        if (options.deadline?.()) break;
        const n = await feed.exportNext(tenantId, pageSize, async (entries) => {
          await writer.writeAudit(entries);
        });
        records += n;
        if (n < pageSize) break;
      }
    } catch (err) {
      failures.push({ tenantId, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { tenants: tenants.length, records, failures };
}
