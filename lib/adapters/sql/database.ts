/**
 * Opens the tenant database the way the process is configured: a PostgreSQL server when
 * DATABASE_URL is set (local server, RDS Proxy, Aurora), else embedded PGlite with its data
 * under `.data/pg` (or in memory). Migrates, then hands out the tenant scope: the only way
 * services reach tenant rows.
 */
import { mkdirSync } from 'node:fs';
import type { DbRoles, SqlClient, TenantScope } from '../../ports/sql.js';
import { migrate } from './migrator.js';
import { createPgClient } from './pg-client.js';
import { createPgliteClient } from './pglite-client.js';
import { rolesFor } from './roles.js';
import { createTenantScope } from './tenant-scope.js';

export interface DatabaseOptions {
  /** postgres:// URL; omitted = PGlite. */
  readonly databaseUrl?: string;
  /** PGlite data directory; `memory` = in memory. @default '.data/pg' */
  readonly dataDir?: string;
  /** Role name prefix (roles are cluster-wide). @default 'glaf' */
  readonly rolePrefix?: string;
}

export interface Database {
  readonly client: SqlClient;
  readonly roles: DbRoles;
  readonly scope: TenantScope;
  close(): Promise<void>;
}

export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const roles = rolesFor(options.rolePrefix ?? 'glaf');
  let client: SqlClient;
  if (options.databaseUrl) {
    client = createPgClient({ connectionString: options.databaseUrl });
  } else {
    const dir = options.dataDir ?? '.data/pg';
    if (dir !== 'memory') mkdirSync(dir, { recursive: true });
    client = await createPgliteClient(dir === 'memory' ? {} : { dataDir: dir });
  }
  await migrate(client, roles);
  return { client, roles, scope: createTenantScope(client, roles), close: () => client.close() };
}

/** From the environment: DATABASE_URL, GLAF_DATA_DIR, GLAF_DB_ROLE_PREFIX. */
export function databaseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseOptions {
  return {
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(env.GLAF_DATA_DIR ? { dataDir: env.GLAF_DATA_DIR } : {}),
    ...(env.GLAF_DB_ROLE_PREFIX ? { rolePrefix: env.GLAF_DB_ROLE_PREFIX } : {}),
  };
}
