/**
 * Audit log over PostgreSQL. Appends are serialised per tenant with a transaction-scoped
 * advisory lock on hashtext(tenant id): two concurrent appends never read the same head and
 * fork the chain. `appendAudit` takes an open transaction so a change and its audit entry
 * commit together.
 */
import { auditHash, GENESIS_HASH, verifyChain } from '../../domain/audit.js';
import type { AuditEntry, AuditInput, AuditVerification } from '../../domain/audit.js';
import type { AuditLog } from '../../ports/audit-log.js';
import type { SqlQueryable, TenantScope } from '../../ports/sql.js';
import { iso } from './pg-errors.js';

export interface AuditRow {
  tenant_id: string;
  seq: string | number;
  occurred_at: Date | string;
  actor: string;
  action: string;
  target: string;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export const AUDIT_COLUMNS = 'tenant_id, seq, occurred_at, actor, action, target, data, prev_hash, hash';

export function toAuditEntry(r: AuditRow): AuditEntry {
  return {
    tenantId: r.tenant_id,
    seq: Number(r.seq),
    occurredAt: iso(r.occurred_at),
    actor: r.actor,
    action: r.action,
    target: r.target,
    data: r.data,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export async function appendAudit(
  tx: SqlQueryable,
  tenantId: string,
  input: AuditInput,
  now: Date = new Date(),
): Promise<AuditEntry> {
  await tx.query("select pg_advisory_xact_lock(hashtext('audit:' || $1))", [tenantId]);
  const head = await tx.query<{ seq: string | number; hash: string }>(
    'select seq, hash from audit_log where tenant_id = $1 order by seq desc limit 1',
    [tenantId],
  );
  const last = head.rows[0];
  const prevHash = last ? last.hash : GENESIS_HASH;
  // JSON round trip: what is hashed is exactly what jsonb gives back (no undefined, no Dates).
  const data = JSON.parse(JSON.stringify(input.data ?? {})) as Record<string, unknown>;
  const content = {
    tenantId,
    seq: last ? Number(last.seq) + 1 : 1,
    occurredAt: now.toISOString(),
    actor: input.actor,
    action: input.action,
    target: input.target ?? '',
    data,
  };
  const hash = auditHash(prevHash, content);
  await tx.query(`insert into audit_log (${AUDIT_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
    tenantId,
    content.seq,
    content.occurredAt,
    content.actor,
    content.action,
    content.target,
    data,
    prevHash,
    hash,
  ]);
  return { ...content, prevHash, hash };
}

export class SqlAuditLog implements AuditLog {
  constructor(
    private readonly scope: TenantScope,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  append(tenantId: string, input: AuditInput): Promise<AuditEntry> {
    return this.scope.withTenant(tenantId, (tx) => appendAudit(tx, tenantId, input, this.clock()));
  }

  list(tenantId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<AuditEntry[]> {
    return this.scope.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<AuditRow>(
        `select ${AUDIT_COLUMNS} from audit_log where tenant_id = $1 and seq > $2 order by seq limit $3`,
        [tenantId, options.afterSeq ?? 0, options.limit ?? 1000],
      );
      return rows.map(toAuditEntry);
    });
  }

  verify(tenantId: string): Promise<AuditVerification> {
    return this.scope.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<AuditRow>(
        `select ${AUDIT_COLUMNS} from audit_log where tenant_id = $1 order by seq`,
        [tenantId],
      );
      return verifyChain(rows.map(toAuditEntry));
    });
  }
}
