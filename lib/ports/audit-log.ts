import type { AuditEntry, AuditInput, AuditVerification } from '../domain/audit.js';

/** Append-only, per-tenant hash-chained audit log. */
export interface AuditLog {
  append(tenantId: string, input: AuditInput): Promise<AuditEntry>;
  list(
    tenantId: string,
    options?: { readonly afterSeq?: number; readonly limit?: number },
  ): Promise<AuditEntry[]>;
  /** Re-computes the chain; reports the first tampered or missing entry. */
  verify(tenantId: string): Promise<AuditVerification>;
}
