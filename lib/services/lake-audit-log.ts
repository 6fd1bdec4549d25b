/**
 * An AuditLog that tells the local lake feed after every committed append, so the entry
 * reaches audit_events without waiting for the feed's interval. The feed reads the entries
 * back from the log past its cursor (lib/services/audit-lake-export.ts), which also covers
 * entries written without this wrapper; the nudge is fire-and-forget.
 */
import type { AuditEntry, AuditInput, AuditVerification } from '../domain/audit.js';
import type { AuditLog } from '../ports/audit-log.js';

export class LakeRecordingAuditLog implements AuditLog {
  constructor(
    private readonly inner: AuditLog,
    private readonly record: (entry: AuditEntry) => void,
  ) {}

  async append(tenantId: string, input: AuditInput): Promise<AuditEntry> {
    const entry = await this.inner.append(tenantId, input);
    this.record(entry);
    return entry;
  }

  list(
    tenantId: string,
    options?: { readonly afterSeq?: number; readonly limit?: number },
  ): Promise<AuditEntry[]> {
    return this.inner.list(tenantId, options);
  }

  verify(tenantId: string): Promise<AuditVerification> {
    return this.inner.verify(tenantId);
  }
}
