/**
 * SqlClient over PGlite (embedded PostgreSQL in WebAssembly). PGlite has one connection,
 * so transactions are serialised through a promise queue: a second caller waits for the
 * first transaction to finish instead of interleaving statements into it.
 * PGlite is loaded when a client is created, never at import: it is local-only and left out
 * of the Lambda bundles (LOCAL_ONLY_PACKAGES in stacks/constructs/platform-function.ts).
 */
import type { PGlite } from '@electric-sql/pglite';
import type { SqlClient, SqlQueryable, SqlResult } from '../../ports/sql.js';

export interface PgliteOptions {
  /** Directory for the data files (e.g. `.data/pg`); omitted = in memory (tests). */
  readonly dataDir?: string;
}

function wrap(db: Pick<PGlite, 'query' | 'exec'>): SqlQueryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      const res = await db.query<R>(sql, params as unknown[]);
      // PGlite reports affectedRows = 0 for a SELECT: rows returned count when there are columns.
      const rowCount = res.fields.length > 0 ? res.rows.length : (res.affectedRows ?? 0);
      return { rows: res.rows, rowCount };
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
  };
}

export async function createPgliteClient(options: PgliteOptions = {}): Promise<SqlClient> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = options.dataDir ? new PGlite(options.dataDir) : new PGlite();
  await db.waitReady;
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
  const direct = wrap(db);
  return {
    dialect: 'pglite',
    query: (sql, params) => serial(() => direct.query(sql, params)),
    exec: (sql) => serial(() => direct.exec(sql)),
    transaction: (fn) => serial(() => db.transaction((tx) => fn(wrap(tx)))),
    close: () => serial(() => db.close()),
  };
}
