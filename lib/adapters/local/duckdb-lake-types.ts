/** LAKE_TABLES column types as DuckDB SQL types (the local Parquet files and query views). */
import type { LakeColumn, LakeColumnType } from '../../lake/tables.js';

const SIMPLE: Readonly<Record<string, string>> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  int: 'INTEGER',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
};

export function duckdbTypeOf(type: LakeColumnType): string {
  const simple = SIMPLE[type];
  if (simple) return simple;
  const m = /^decimal\((\d+),(\d+)\)$/.exec(type);
  if (!m) throw new Error(`no DuckDB type for lake column type ${type}`);
  return `DECIMAL(${m[1]},${m[2]})`;
}

/** Identifiers come from LAKE_TABLES (snake_case), quoted anyway. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export const columnList = (columns: readonly LakeColumn[]): string =>
  columns.map((c) => `${ident(c.name)} ${duckdbTypeOf(c.type)}`).join(', ');

/** SQL string literal. */
export const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;
