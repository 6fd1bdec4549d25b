/**
 * SqlClient over node-postgres (a PostgreSQL server, RDS Proxy or Aurora). Each transaction
 * holds one pooled connection from BEGIN to COMMIT/ROLLBACK; everything tenant-scoped is
 * transaction-local (set_config(..., true), SET LOCAL ROLE), so nothing leaks to the next
 * user of the connection.
 */
import pg from 'pg';
import type { SqlClient, SqlQueryable, SqlResult } from '../../ports/sql.js';

export interface PgOptions {
  /** e.g. `postgres://user@host:5432/db` (DATABASE_URL). */
  readonly connectionString: string;
  /** Pool size. @default 5 */
  readonly max?: number;
  /**
   * Called for each new connection: an RDS IAM auth token (valid 15 minutes) instead of a
   * stored password. @default the password in the URL, if any
   */
  readonly password?: () => Promise<string>;
}

function wrap(conn: pg.Pool | pg.PoolClient): SqlQueryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      const res = await conn.query(sql, params as unknown[]);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
    },
    async exec(sql: string): Promise<void> {
      // Without parameters node-postgres uses the simple protocol: several statements are fine.
      await conn.query(sql);
    },
  };
}

export function createPgClient(options: PgOptions): SqlClient {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 5,
    ...(options.password ? { password: options.password } : {}),
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const direct = wrap(pool);
  return {
    dialect: 'postgres',
    query: (sql, params) => direct.query(sql, params),
    exec: (sql) => direct.exec(sql),
    async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      const conn = await pool.connect();
      try {
        await conn.query('begin');
        const result = await fn(wrap(conn));
        await conn.query('commit');
        return result;
      } catch (err) {
        await conn.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        conn.release();
      }
    },
    close: () => pool.end(),
  };
}
