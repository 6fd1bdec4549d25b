/**
 * The local lake: each batch becomes one Parquet file under
 * `<lakeDir>/<prefix>tenant_id=<id>/dt=<dt>/`, written by an in-process DuckDB
 * (`COPY ... (FORMAT parquet)`) with the column types of LAKE_TABLES. A file is written
 * under a temporary name and renamed, so a reader never sees half a file. Writes run one at
 * a time on one connection.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { partitionPrefix } from '../../lake/layout.js';
import type { LakeBatch, LakeValue } from '../../lake/row-types.js';
import { lakeTable, type LakeColumn, type LakeTable } from '../../lake/tables.js';
import type { LakeSink } from '../../ports/lake-sink.js';
import { duckdbTypeOf, ident, literal } from './duckdb-lake-types.js';

/** Timestamps and dates are staged as text (ISO strings) and cast in the COPY. */
const stagedType = (c: LakeColumn): string =>
  c.type === 'timestamp' || c.type === 'date' ? 'VARCHAR' : duckdbTypeOf(c.type);

export class ParquetLakeSink implements LakeSink {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly staged = new Set<string>();

  private constructor(
    readonly lakeDir: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(lakeDir: string): Promise<ParquetLakeSink> {
    const instance = await DuckDBInstance.create(':memory:');
    return new ParquetLakeSink(lakeDir, instance, await instance.connect());
  }

  write(batches: readonly LakeBatch[]): Promise<void> {
    const run = this.queue.then(async () => {
      for (const b of batches) if (b.rows.length) await this.writeBatch(b);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async writeBatch(batch: LakeBatch): Promise<void> {
    const table = lakeTable(batch.table);
    const stage = await this.stageOf(table);
    const appender = await this.connection.createAppender(stage);
    try {
      for (const row of batch.rows) {
        for (const c of table.columns) append(appender, c, row[c.name] ?? null);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const dir = join(this.lakeDir, partitionPrefix(table, batch.tenantId, batch.dt));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, `${Date.now()}-${randomUUID()}.parquet`);
    const select = table.columns
      .map((c) =>
        c.type === 'timestamp' || c.type === 'date'
          ? `CAST(${ident(c.name)} AS ${duckdbTypeOf(c.type)}) AS ${ident(c.name)}`
          : ident(c.name),
      )
      .join(', ');
    try {
      await this.connection.run(
        `COPY (SELECT ${select} FROM ${ident(stage)}) TO ${literal(`${file}.tmp`)} (FORMAT parquet)`,
      );
    } finally {
      await this.connection.run(`DELETE FROM ${ident(stage)}`);
    }
    await rename(`${file}.tmp`, file);
  }

  private async stageOf(table: LakeTable): Promise<string> {
    const name = `stage_${table.name}`;
    if (!this.staged.has(name)) {
      const cols = table.columns.map((c) => `${ident(c.name)} ${stagedType(c)}`).join(', ');
      await this.connection.run(`CREATE TABLE ${ident(name)} (${cols})`);
      this.staged.add(name);
    }
    return name;
  }
}

function append(appender: DuckDBAppender, column: LakeColumn, value: LakeValue): void {
  if (value === null) return appender.appendNull();
  const bad = (): Error =>
    new Error(`lake column ${column.name} (${column.type}) cannot hold ${JSON.stringify(value)}`);
  switch (column.type) {
    case 'string':
    case 'timestamp':
    case 'date':
      if (typeof value !== 'string') throw bad();
      return appender.appendVarchar(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw bad();
      return appender.appendBoolean(value);
    case 'int':
      if (!Number.isInteger(value)) throw bad();
      return appender.appendInteger(value as number);
    case 'bigint':
      if (!Number.isInteger(value)) throw bad();
      return appender.appendBigInt(BigInt(value));
    case 'double':
      if (typeof value !== 'number') throw bad();
      return appender.appendDouble(value);
    default:
      throw bad();
  }
}
