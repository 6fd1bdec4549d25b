/**
 * An AuditLog that also hands every appended entry to the lake (audit_events). The chain
 * stays in the database; the lake copy is for analytics, so recording is fire-and-forget
 * after the append has committed.
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
