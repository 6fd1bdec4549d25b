/**
 * The SQL port: the one thing every PostgreSQL-backed adapter needs. Implemented over
 * PGlite (embedded, local default) and node-postgres (a server, RDS Proxy, Aurora).
 */

export interface SqlResult<R> {
  readonly rows: R[];
  /** Rows returned or affected (INSERT/UPDATE/DELETE). */
  readonly rowCount: number;
}

/** Something statements can run on: a client or an open transaction. */
export interface SqlQueryable {
  /** One statement with `$1`-style parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
  /** A script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlClient extends SqlQueryable {
  readonly dialect: 'pglite' | 'postgres';
  /** BEGIN, fn, COMMIT; ROLLBACK when fn throws (the error is rethrown). */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The three database roles (see lib/adapters/sql/roles.ts). */
export interface DbRoles {
  /** Owns the tables and runs migrations; RLS applies to it too (FORCE). */
  readonly owner: string;
  /** The application: no ownership, NOBYPASSRLS; reaches tenant data only via withTenant. */
  readonly app: string;
  /** The control plane: BYPASSRLS; used only through withAdmin. */
  readonly admin: string;
}

/** Tenant-scoped and control-plane transactions: the only ways services reach the tables. */
export interface TenantScope {
  withTenant<T>(tenantId: string, fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  withAdmin<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
}
