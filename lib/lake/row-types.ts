/** Shapes the row builders and sinks share. */
import type { Execution } from '../domain/execution.js';
import type { LakeTableName } from './tables.js';

/** JSON scalars: timestamps as ISO-8601 strings, dates as yyyy-MM-dd. */
export type LakeValue = string | number | boolean | null;
export type LakeRow = Readonly<Record<string, LakeValue>>;

/** Rows of one table in one partition. */
export interface LakeBatch {
  readonly table: LakeTableName;
  readonly tenantId: string;
  /** yyyy-MM-dd (UTC). */
  readonly dt: string;
  readonly rows: readonly LakeRow[];
}

/** What the per-agent mappers share: the execution's identity and provenance. */
export interface ExecutionContext {
  readonly execution: Execution;
  readonly output: Readonly<Record<string, unknown>>;
  readonly provenanceHash: string | null;
  /** dataset_version of a cited factor id, from the provenance record. */
  readonly datasetVersionOf: (factorId: string | null | undefined) => string | null;
  /** execution_id, agent_id, agent_version. */
  readonly base: LakeRow;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
