/** Audit use cases: record an action, read the trail, verify the hash chain. */
import * as z from 'zod';
import { zodIssues } from '../agents/zod-agent.js';
import type { AuditEntry, AuditVerification } from '../domain/audit.js';
import { ValidationError } from '../domain/errors.js';
import { parseUuid } from '../domain/tenant.js';
import type { AuditLog } from '../ports/audit-log.js';

const AuditInputSchema = z
  .object({
    actor: z.string().min(1).max(200),
    action: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, 'dotted lower-case, e.g. agent.certified'),
    target: z.string().max(300).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export class AuditService {
  constructor(private readonly log: AuditLog) {}

  async record(tenantId: string, raw: unknown): Promise<AuditEntry> {
    const r = AuditInputSchema.safeParse(raw);
    if (!r.success) {
      const issues = zodIssues(r.error);
      throw new ValidationError(
        issues,
        `Invalid audit entry: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      );
    }
    return this.log.append(parseUuid(tenantId), r.data);
  }

  async trail(tenantId: string, afterSeq = 0, limit = 100): Promise<AuditEntry[]> {
    return this.log.list(parseUuid(tenantId), { afterSeq, limit: Math.min(Math.max(limit, 1), 1000) });
  }

  async verify(tenantId: string): Promise<AuditVerification> {
    return this.log.verify(parseUuid(tenantId));
  }
}
