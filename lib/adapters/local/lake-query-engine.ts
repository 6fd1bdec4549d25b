/**
 * The local Athena: DuckDB over `<lakeDir>`, isolated the way Lake Formation row filters
 * isolate tenants. For a tenant, each lake table is a view over only that tenant's
 * `tenant_id=<id>/` partitions; then file access outside those directories is switched off
 * and the configuration locked, so SQL can neither read another tenant's files nor undo
 * the lock. Only a single read-only SELECT runs (checked by DuckDB's own parser, then by
 * the prepared statement's type): no ATTACH, COPY, INSERT, SET, PRAGMA, INSTALL/LOAD.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { LakeMissingError, LakeQueryRefusedError } from '../../lake/errors.js';
import { tenantPrefix } from '../../lake/layout.js';
import { bindTenants, type NamedQuery } from '../../lake/named-queries.js';
import { LAKE_TABLES, type LakeTable } from '../../lake/tables.js';
import { duckdbTypeOf, ident, literal } from './duckdb-lake-types.js';

/** Whose rows the session sees: one tenant, or (platform admins, explicitly) all. */
export type LakeScope = { readonly tenantId: string } | { readonly allTenants: true };

export interface LakeQueryResult {
  readonly columns: readonly string[];
  readonly types: readonly string[];
  readonly rows: readonly Record<string, string | number | boolean | null>[];
}

const HOW_TO_FILL =
  'Run executions to fill it: `npm start` and POST /v1/executions, or `agent-factory serve --data-dir <dir>`; ' +
  'every execution that completes, fails or times out lands in <dataDir>/lake.';

const INTEGER_TYPES = new Set([
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'HUGEINT',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
  'UBIGINT',
  'UHUGEINT',
]);

export class LakeQueryEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** The tenants this session covers: its one tenant, or every tenant with lake files. */
    readonly tenantIds: readonly string[],
  ) {}

  static async open(lakeDir: string, scope: LakeScope): Promise<LakeQueryEngine> {
    if (!existsSync(lakeDir) || !LAKE_TABLES.some((t) => existsSync(join(lakeDir, t.prefix))))
      throw new LakeMissingError(`No lake at ${lakeDir}. ${HOW_TO_FILL}`, { lakeDir });
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const allowed: string[] = [];
      for (const table of LAKE_TABLES) {
        const dir = join(lakeDir, 'tenantId' in scope ? tenantPrefix(table, scope.tenantId) : table.prefix);
        const glob = 'tenantId' in scope ? '*/*.parquet' : '*/*/*.parquet';
        if (hasParquet(dir)) {
          allowed.push(dir.endsWith('/') ? dir : `${dir}/`);
          await connection.run(viewOverFiles(table, join(dir, glob)));
        } else {
          await connection.run(emptyView(table));
        }
      }
      // Trino's name for the percentile aggregate, so named queries run on both engines.
      await connection.run('CREATE MACRO approx_percentile(x, p) AS approx_quantile(x, p)');
      await connection.run(`SET allowed_directories = [${allowed.map(literal).join(', ')}]`);
      await connection.run('SET autoinstall_known_extensions = false');
      await connection.run('SET autoload_known_extensions = false');
      await connection.run('SET enable_external_access = false');
      await connection.run('SET lock_configuration = true');
    } catch (err) {
      connection.closeSync();
      instance.closeSync();
      throw err;
    }
    const tenantIds = 'tenantId' in scope ? [scope.tenantId] : lakeTenantIds(lakeDir);
    return new LakeQueryEngine(instance, connection, tenantIds);
  }

  /**
   * A named query over this session's tenants, bound the way the Athena runner binds it
   * (`tenant_id IN (?)` with one parameter per tenant): the same text and parameters.
   */
  async named(query: NamedQuery): Promise<LakeQueryResult> {
    if (this.tenantIds.length === 0)
      throw new LakeMissingError(`No tenant has lake files yet. ${HOW_TO_FILL}`, {});
    const bound = bindTenants(query, this.tenantIds);
    return this.query(bound.sql, bound.params);
  }

  /** One read-only SELECT; `params` bind its `?` placeholders in order (DuckDB prepared parameters). */
  async query(sql: string, params: readonly string[] = []): Promise<LakeQueryResult> {
    await this.assertReadOnly(sql);
    let reader;
    try {
      reader = await this.connection.runAndReadAll(sql, [...params]);
    } catch (err) {
      throw refusedIfAccess(err);
    }
    const columns = reader.columnNames();
    const types = reader.columnTypes().map(String);
    const rows = reader.getRowObjectsJson().map((row) => {
      const out: Record<string, string | number | boolean | null> = {};
      columns.forEach((c, i) => {
        const v = row[c] as unknown;
        out[c] =
          typeof v === 'string' && INTEGER_TYPES.has(types[i]!) && Number.isSafeInteger(Number(v))
            ? Number(v)
            : (v as string | number | boolean | null);
      });
      return out;
    });
    return { columns, types, rows };
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async assertReadOnly(sql: string): Promise<void> {
    const parsed = await this.connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS j', [sql]);
    const j = JSON.parse(String(parsed.getRowObjects()[0]?.['j'])) as {
      error: boolean;
      error_message?: string;
      statements?: unknown[];
    };
    if (j.error) {
      const message = j.error_message ?? 'unparseable';
      throw /only select/i.test(message)
        ? new LakeQueryRefusedError(
            'Refused: only a read-only SELECT (or WITH ... SELECT) over the lake tables may run; ' +
              'writes, COPY, ATTACH, SET, PRAGMA, INSTALL and LOAD are not allowed.',
          )
        : new LakeQueryRefusedError(`Refused: the SQL does not parse: ${message}`);
    }
    if ((j.statements?.length ?? 0) !== 1)
      throw new LakeQueryRefusedError('Refused: give exactly one SELECT statement.');
    const prepared = await this.connection.prepare(sql).catch((err: unknown) => {
      throw refusedIfAccess(err);
    });
    if (prepared.statementType !== StatementType.SELECT)
      throw new LakeQueryRefusedError('Refused: only a read-only SELECT may run.');
  }
}

/** A file read outside the tenant's partitions fails with DuckDB's permission error. */
function refusedIfAccess(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (/Permission Error|disabled by configuration|configuration has been locked/i.test(message))
    return new LakeQueryRefusedError(
      'Refused: the query reads outside the lake tables of this tenant (files, other tenants or settings); ' +
        `query the tables by name: ${LAKE_TABLES.map((t) => t.name).join(', ')}. (${message.split('\n')[0]})`,
    );
  return err instanceof Error ? err : new Error(message);
}

/** Tenants with a `tenant_id=<id>/` directory in any lake table. */
export function lakeTenantIds(lakeDir: string): string[] {
  const ids = new Set<string>();
  for (const table of LAKE_TABLES) {
    const dir = join(lakeDir, table.prefix);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      const m = /^tenant_id=(.+)$/.exec(entry);
      if (m && hasParquet(join(dir, entry))) ids.add(m[1]!);
    }
  }
  return [...ids].sort();
}

function hasParquet(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.parquet'));
}

function viewOverFiles(table: LakeTable, glob: string): string {
  const hiveTypes = table.partitionKeys.map((k) => `${literal(k.name)}: ${duckdbTypeOf(k.type)}`).join(', ');
  const cols = [...table.columns, ...table.partitionKeys].map((c) => ident(c.name)).join(', ');
  return (
    `CREATE VIEW ${ident(table.name)} AS SELECT ${cols} FROM read_parquet(${literal(glob)}, ` +
    `hive_partitioning = true, hive_types = {${hiveTypes}})`
  );
}

/** A tenant with no rows in a table still gets the table, typed and empty. */
function emptyView(table: LakeTable): string {
  const cols = [...table.columns, ...table.partitionKeys]
    .map((c) => `CAST(NULL AS ${duckdbTypeOf(c.type)}) AS ${ident(c.name)}`)
    .join(', ');
  return `CREATE VIEW ${ident(table.name)} AS SELECT ${cols} WHERE false`;
}
