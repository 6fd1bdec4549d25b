/**
 * Row builders, pure: an execution in a terminal state (with its agent output) or an audit
 * entry -> rows of the lake tables, grouped per table and partition. Every sink (Firehose in
 * AWS, Parquet files locally) writes what these return, so both lakes hold the same rows.
 * Values are JSON scalars: timestamps as ISO-8601 strings, dates as yyyy-MM-dd.
 */
import { canonicalJson } from '../agents/provenance.js';
import type { AuditEntry } from '../domain/audit.js';
import { isTerminal, type Execution } from '../domain/execution.js';
import { complianceRowsOf } from './rows-compliance.js';
import { emissionRowsOf } from './rows-emissions.js';
import { isRecord, type ExecutionContext, type LakeBatch, type LakeRow } from './row-types.js';
import type { LakeTableName } from './tables.js';

export type { LakeBatch, LakeRow, LakeValue } from './row-types.js';

export const dtOf = (iso: string): string => new Date(iso).toISOString().slice(0, 10);

const bytesOf = (value: unknown): number =>
  value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8');

function contextOf(e: Execution): ExecutionContext {
  const output = isRecord(e.output) ? e.output : {};
  const provenance = isRecord(output['provenance']) ? output['provenance'] : {};
  const hash = typeof provenance['hash'] === 'string' ? provenance['hash'] : null;
  const versions = new Map<string, string>();
  if (Array.isArray(provenance['factors'])) {
    for (const f of provenance['factors'] as unknown[]) {
      if (isRecord(f) && typeof f['id'] === 'string' && typeof f['dataset_version'] === 'string')
        versions.set(f['id'], f['dataset_version']);
    }
  }
  return {
    execution: e,
    output,
    provenanceHash: hash,
    datasetVersionOf: (id) => (id ? (versions.get(id) ?? null) : null),
    base: {
      execution_id: e.executionId,
      agent_id: e.agentId,
      agent_version: e.agentVersion,
    },
  };
}

export interface ExecutionRowOptions {
  /** Overrides the record's own servedFromCache (a caller that knows better). */
  readonly servedFromCache?: boolean;
}

/**
 * Rows of a terminal execution: one `executions` row, and for a COMPLETED one the agent's
 * line items. A non-terminal execution yields nothing (the lake records outcomes only).
 */
export function rowsOfExecution(e: Execution, options: ExecutionRowOptions = {}): LakeBatch[] {
  if (!isTerminal(e.status)) return [];
  const ctx = contextOf(e);
  const provenance = { provenance_hash: ctx.provenanceHash, computed_at: e.updatedAt };
  const detail = e.status === 'COMPLETED' ? detailRows(ctx) : {};
  const emissions = (detail.emission_results ?? []).map((r) => ({ ...r, ...provenance }));
  const dt = dtOf(e.updatedAt);
  const batch = (table: LakeTableName, rows: readonly LakeRow[]): LakeBatch => ({
    table,
    tenantId: e.tenantId,
    dt,
    rows,
  });
  const out: LakeBatch[] = [batch('executions', [executionRow(e, ctx, emissions, options)])];
  if (emissions.length) out.push(batch('emission_results', emissions));
  for (const table of ['cbam_import_lines', 'eudr_checks'] as const) {
    const rows = detail[table];
    if (rows?.length)
      out.push(
        batch(
          table,
          rows.map((r) => ({ ...r, ...provenance })),
        ),
      );
  }
  return out;
}

type DetailRows = Partial<Record<'emission_results' | 'cbam_import_lines' | 'eudr_checks', LakeRow[]>>;

function detailRows(ctx: ExecutionContext): DetailRows {
  const compliance = complianceRowsOf(ctx);
  if (compliance) return compliance;
  return { emission_results: emissionRowsOf(ctx) };
}

function executionRow(
  e: Execution,
  ctx: ExecutionContext,
  emissions: readonly LakeRow[],
  options: ExecutionRowOptions,
): LakeRow {
  const co2e = emissions.reduce((s, r) => s + (typeof r['co2e_kg'] === 'number' ? r['co2e_kg'] : 0), 0);
  return {
    ...ctx.base,
    status: e.status,
    priority: e.priority,
    attempts: e.attempts,
    served_from_cache: options.servedFromCache ?? e.servedFromCache === true,
    error_code: e.status === 'COMPLETED' ? null : (e.error?.code ?? null),
    created_at: e.createdAt,
    completed_at: e.updatedAt,
    duration_ms: Math.max(0, Date.parse(e.updatedAt) - Date.parse(e.createdAt)),
    input_bytes: bytesOf(e.input),
    output_bytes: bytesOf(e.output),
    line_items: emissions.length,
    co2e_kg: emissions.length ? co2e : null,
    provenance_hash: ctx.provenanceHash,
  };
}

export function rowsOfAudit(entry: AuditEntry): LakeBatch {
  return {
    table: 'audit_events',
    tenantId: entry.tenantId,
    dt: dtOf(entry.occurredAt),
    rows: [
      {
        seq: entry.seq,
        occurred_at: entry.occurredAt,
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        data_json: canonicalJson(entry.data),
        prev_hash: entry.prevHash,
        hash: entry.hash,
      },
    ],
  };
}
