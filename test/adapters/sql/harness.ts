/**
 * Test databases. PGlite always; real PostgreSQL when TEST_DATABASE_URL is set. Under CI a
 * missing TEST_DATABASE_URL is an error (the suite fails instead of silently skipping).
 * Each real-server suite gets a fresh database `glaf_test_<random>` and role prefix
 * `glaft<random>` (roles are cluster-wide), both dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../../lib/adapters/sql/migrator.js';
import { createPgClient } from '../../../lib/adapters/sql/pg-client.js';
import { createPgliteClient } from '../../../lib/adapters/sql/pglite-client.js';
import { rolesFor } from '../../../lib/adapters/sql/roles.js';
import { createTenantScope } from '../../../lib/adapters/sql/tenant-scope.js';
import type { DbRoles, SqlClient, SqlQueryable, TenantScope } from '../../../lib/ports/sql.js';

export type Backend = 'pglite' | 'postgres';

export function backends(): Backend[] {
  const url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.CI === 'true') {
    throw new Error(
      'CI=true but TEST_DATABASE_URL is not set: the RLS suite must run on real PostgreSQL in CI',
    );
  }
  return url ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDb {
  readonly backend: Backend;
  readonly client: SqlClient;
  readonly roles: DbRoles;
  readonly scope: TenantScope;
  /** A transaction as the table owner (RLS applies to it: FORCE). */
  asOwner<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** The connection's own user (a superuser in tests): for setting up tamper scenarios only. */
  raw: SqlClient;
  /** A second client on the same database (concurrency tests); postgres only. */
  connect(): SqlClient;
  close(): Promise<void>;
}

function adminUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function openTestDb(backend: Backend, options: { migrate?: boolean } = {}): Promise<TestDb> {
  const suffix = randomBytes(5).toString('hex');
  let client: SqlClient;
  let connect: () => SqlClient;
  let drop: () => Promise<void> = () => Promise.resolve();
  let roles: DbRoles;
  if (backend === 'pglite') {
    client = await createPgliteClient();
    roles = rolesFor('glaf');
    connect = () => {
      throw new Error('PGlite has a single connection');
    };
  } else {
    const base = process.env.TEST_DATABASE_URL!;
    const dbName = `glaf_test_${suffix}`;
    roles = rolesFor(`glaft${suffix}`);
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const url = adminUrl(base, dbName);
    client = createPgClient({ connectionString: url });
    const extra: SqlClient[] = [];
    connect = () => {
      const c = createPgClient({ connectionString: url });
      extra.push(c);
      return c;
    };
    drop = async () => {
      await Promise.all(extra.map((c) => c.close()));
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`drop database if exists ${dbName} with (force)`);
      for (const r of [roles.app, roles.admin, roles.owner]) await a.query(`drop role if exists ${r}`);
      await a.end();
    };
  }
  if (options.migrate !== false) await migrate(client, roles);
  const scope = createTenantScope(client, roles);
  return {
    backend,
    client,
    roles,
    scope,
    raw: client,
    connect,
    asOwner: (fn) =>
      client.transaction(async (tx) => {
        await tx.query("select set_config('role', $1, true)", [roles.owner]);
        return fn(tx);
      }),
    close: async () => {
      await client.close();
      await drop();
    },
  };
}
