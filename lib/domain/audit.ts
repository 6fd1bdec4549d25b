/**
 * The audit hash chain, pure: hash(entry) = sha256(prev_hash || canonical JSON of the
 * entry's content), prev_hash of the first entry = 64 zeros. Changing, removing or
 * reordering any entry breaks every hash after it, and verify names the first broken one.
 */
import { canonicalJson, sha256Hex } from '../agents/provenance.js';

export const GENESIS_HASH = '0'.repeat(64);

/** What a caller records. */
export interface AuditInput {
  /** Who: a user id, `api-key:<id>`, or `system:<service>`. */
  readonly actor: string;
  /** What, dotted: `tenant.created`, `quota.updated`, `factor.deprecated` ... */
  readonly action: string;
  /** Which object, e.g. `tenant:<id>` or `organization:<id>`. */
  readonly target?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** A stored entry. `occurredAt` is an ISO instant with milliseconds (the hash covers it). */
export interface AuditEntry {
  readonly tenantId: string;
  readonly seq: number;
  readonly occurredAt: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly prevHash: string;
  readonly hash: string;
}

export type AuditContent = Omit<AuditEntry, 'prevHash' | 'hash'>;

export function auditHash(prevHash: string, content: AuditContent): string {
  const { tenantId, seq, occurredAt, actor, action, target, data } = content;
  return sha256Hex(prevHash + canonicalJson({ tenantId, seq, occurredAt, actor, action, target, data }));
}

export type AuditVerification =
  | { readonly ok: true; readonly entries: number; readonly head: string }
  | {
      readonly ok: false;
      readonly entries: number;
      /** The first entry that does not verify (or, for a gap, the sequence number missing). */
      readonly seq: number;
      readonly reason: 'tampered' | 'missing' | 'broken-link';
      readonly message: string;
    };

/** Checks entries (ordered by seq) from the genesis hash. */
export function verifyChain(entries: readonly AuditEntry[]): AuditVerification {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of entries) {
    if (e.seq !== expectedSeq) {
      return {
        ok: false,
        entries: entries.length,
        seq: expectedSeq,
        reason: 'missing',
        message: `audit entry ${expectedSeq} is missing (next present is ${e.seq})`,
      };
    }
    if (e.prevHash !== prev) {
      return {
        ok: false,
        entries: entries.length,
        seq: e.seq,
        reason: 'broken-link',
        message: `audit entry ${e.seq} does not link to entry ${e.seq - 1}`,
      };
    }
    if (auditHash(prev, e) !== e.hash) {
      return {
        ok: false,
        entries: entries.length,
        seq: e.seq,
        reason: 'tampered',
        message: `audit entry ${e.seq} (${e.action}) was changed after it was written`,
      };
    }
    prev = e.hash;
    expectedSeq += 1;
  }
  return { ok: true, entries: entries.length, head: prev };
}
