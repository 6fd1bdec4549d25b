/**
 * The tenant database on a PostgreSQL server (local server, RDS Proxy, Aurora) over
 * node-postgres only: no embedded engine and no migrations, so the deployed functions can
 * import it without PGlite or the migration files (the migration custom resource owns the
 * schema in AWS). lib/adapters/sql/database.ts adds the embedded engine and migrations for
 * local mode on top of it.
 */
import type { DbRoles, SqlClient, TenantScope } from '../../ports/sql.js';
import { createPgClient } from './pg-client.js';
import { rolesFor } from './roles.js';
import { createTenantScope } from './tenant-scope.js';

export interface Database {
  readonly client: SqlClient;
  readonly roles: DbRoles;
  readonly scope: TenantScope;
  close(): Promise<void>;
}

export interface PgDatabaseOptions {
  /** postgres:// URL. */
  readonly databaseUrl: string;
  /** Role name prefix (roles are cluster-wide). @default 'glaf' */
  readonly rolePrefix?: string;
  /** Pool size. @default 5 */
  readonly max?: number;
  /** Per new connection, e.g. an RDS IAM auth token. @default the URL's password, if any */
  readonly password?: () => Promise<string>;
}

/** The database over an existing client (its schema already migrated). */
export function databaseOf(client: SqlClient, rolePrefix = 'glaf'): Database {
  const roles = rolesFor(rolePrefix);
  return { client, roles, scope: createTenantScope(client, roles), close: () => client.close() };
}

export function openPgDatabase(options: PgDatabaseOptions): Database {
  const client = createPgClient({
    connectionString: options.databaseUrl,
    ...(options.max !== undefined ? { max: options.max } : {}),
    ...(options.password ? { password: options.password } : {}),
  });
  return databaseOf(client, options.rolePrefix);
}
