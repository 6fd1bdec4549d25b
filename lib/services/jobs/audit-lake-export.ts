/**
 * Every five minutes: each tenant's audit entries past its lake cursor go to the lake's
 * audit_events table (lib/services/audit-lake-export.ts; in AWS the audit_events Firehose
 * stream). Not windowed: the cursor, not the schedule time, says what is left, so a late or
 * retried run simply continues. A tenant whose delivery failed keeps its cursor, and the run
 * then throws after the other tenants are done, so the failure takes the job's retry and DLQ
 * path (and its alarm) instead of passing as a success.
 */
import type { AuditEntry } from '../../domain/audit.js';
import type { AuditLakeFeed } from '../../ports/audit-lake-feed.js';
import { exportAuditToLake, type AuditLakeExportOptions } from '../audit-lake-export.js';
import type { JobResult } from './job-result.js';

export interface AuditLakeExportDeps {
  readonly feed: AuditLakeFeed;
  readonly writer: { writeAudit(entries: readonly AuditEntry[]): Promise<number> };
}

export class AuditLakeExportError extends Error {
  override readonly name = 'AuditLakeExportError';
  constructor(
    readonly result: JobResult,
    readonly failures: readonly { readonly tenantId: string; readonly error: string }[],
  ) {
    super(
      `audit-lake-export: ${failures.length} tenant(s) not delivered, their cursors stay for the next run: ` +
        failures.map((f) => `${f.tenantId}: ${f.error}`).join('; '),
    );
  }
}

export async function auditLakeExport(
  deps: AuditLakeExportDeps,
  options: AuditLakeExportOptions = {},
): Promise<JobResult> {
  const r = await exportAuditToLake(deps.feed, deps.writer, options);
  const result: JobResult = {
    job: 'audit-lake-export',
    tenants: r.tenants,
    records: r.records,
    objects: [],
    details: { failedTenants: r.failures.map((f) => f.tenantId) },
  };
  if (r.failures.length > 0) throw new AuditLakeExportError(result, r.failures);
  return result;
}
