/**
 * Opens the tenant database the way a local process is configured: a PostgreSQL server when
 * DATABASE_URL is set, else embedded PGlite with its data under `.data/pg` (or in memory).
 * Migrates, then hands out the tenant scope: the only way services reach tenant rows.
 * Local mode, tests and the CLI only: it pulls in PGlite and the migrations, so deployed
 * functions open the database with pg-database.ts / aws/rds-database.ts instead.
 */
import { mkdirSync } from 'node:fs';
import type { SqlClient } from '../../ports/sql.js';
import { migrate } from './migrator.js';
import { createPgClient } from './pg-client.js';
import { databaseOf, type Database } from './pg-database.js';
import { createPgliteClient } from './pglite-client.js';
import { rolesFor } from './roles.js';

export type { Database } from './pg-database.js';

export interface DatabaseOptions {
  /** postgres:// URL; omitted = PGlite. */
  readonly databaseUrl?: string;
  /** PGlite data directory; `memory` = in memory. @default '.data/pg' */
  readonly dataDir?: string;
  /** Role name prefix (roles are cluster-wide). @default 'glaf' */
  readonly rolePrefix?: string;
}

export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const rolePrefix = options.rolePrefix ?? 'glaf';
  let client: SqlClient;
  if (options.databaseUrl) {
    client = createPgClient({ connectionString: options.databaseUrl });
  } else {
    const dir = options.dataDir ?? '.data/pg';
    if (dir !== 'memory') mkdirSync(dir, { recursive: true });
    client = await createPgliteClient(dir === 'memory' ? {} : { dataDir: dir });
  }
  await migrate(client, rolesFor(rolePrefix));
  return databaseOf(client, rolePrefix);
}

/** From the environment: DATABASE_URL, GLAF_DATA_DIR, GLAF_DB_ROLE_PREFIX. */
export function databaseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseOptions {
  return {
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    ...(env.GLAF_DATA_DIR ? { dataDir: env.GLAF_DATA_DIR } : {}),
    ...(env.GLAF_DB_ROLE_PREFIX ? { rolePrefix: env.GLAF_DB_ROLE_PREFIX } : {}),
  };
}
