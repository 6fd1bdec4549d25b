import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationError, loadMigrations, migrate } from '../../../lib/adapters/sql/migrator.js';
import type { Migration } from '../../../lib/adapters/sql/migrator.js';
import { backends, openTestDb } from './harness.js';
import type { TestDb } from './harness.js';

describe('loadMigrations', () => {
  it('reads NNNN_name.sql files in order with a sha256 checksum', () => {
    const all = loadMigrations();
    expect(all[0]).toMatchObject({ version: '0001', name: 'schema' });
    expect(all[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(all.map((m) => m.version)).toEqual([...all.map((m) => m.version)].sort());
  });

  it('refuses a badly named file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mig-'));
    writeFileSync(join(dir, '1_bad.sql'), 'select 1;');
    expect(() => loadMigrations(dir)).toThrow(/must be named NNNN_name\.sql/);
  });
});

describe.each(backends())('migrate on %s', (backend) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb(backend, { migrate: false });
  });
  afterAll(async () => db.close());

  const extra = (sql: string): Migration => ({
    version: '9001',
    name: 'extra',
    sql,
    checksum: 'a'.repeat(64),
  });

  it('applies every file once, records it, and is a no-op the second time', async () => {
    const first = await migrate(db.client, db.roles);
    expect(first.applied).toEqual(loadMigrations().map((m) => `${m.version}_${m.name}`));
    const second = await migrate(db.client, db.roles);
    expect(second.applied).toEqual([]);
    const { rows } = await db.client.query<{ version: string; checksum: string }>(
      'select version, checksum from schema_migrations',
    );
    expect(rows).toEqual(loadMigrations().map((m) => ({ version: m.version, checksum: m.checksum })));
  });

  it('tables belong to the owner role, and neither app nor admin owns anything', async () => {
    const { rows } = await db.client.query<{ owner: string; n: number }>(
      "select tableowner as owner, count(*)::int as n from pg_tables where schemaname = 'public' group by 1",
    );
    expect(rows).toEqual([{ owner: db.roles.owner, n: 15 }]);
    const roles = await db.client.query<{ rolname: string; rolbypassrls: boolean }>(
      'select rolname, rolbypassrls from pg_roles where rolname = any($1) order by rolname',
      [[db.roles.app, db.roles.admin, db.roles.owner]],
    );
    expect(Object.fromEntries(roles.rows.map((r) => [r.rolname, r.rolbypassrls]))).toEqual({
      [db.roles.admin]: true,
      [db.roles.app]: false,
      [db.roles.owner]: false,
    });
  });

  it('every table with a tenant column has ENABLE and FORCE row level security', async () => {
    const { rows } = await db.client.query<{ relname: string; on: boolean; forced: boolean }>(
      `select c.relname, c.relrowsecurity as on, c.relforcerowsecurity as forced from pg_class c
       where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace and c.relname <> 'schema_migrations'
       order by 1`,
    );
    expect(rows).toHaveLength(14);
    expect(rows.filter((r) => !r.on || !r.forced)).toEqual([]);
  });

  it('refuses an applied migration whose file changed', async () => {
    const changed = loadMigrations().map((m) => ({ ...m, checksum: 'f'.repeat(64) }));
    await expect(migrate(db.client, db.roles, changed)).rejects.toThrow(MigrationError);
    await expect(migrate(db.client, db.roles, changed)).rejects.toThrow(/was changed after it was applied/);
  });

  it('refuses to run against a database with a migration the code does not know', async () => {
    await migrate(db.client, db.roles, [...loadMigrations(), extra('select 1;')]);
    await expect(migrate(db.client, db.roles)).rejects.toThrow(/does not know/);
  });

  it('rolls back a failing migration completely', async () => {
    const bad: Migration = {
      version: '9002',
      name: 'bad',
      sql: 'create table half (x int); select 1/0;',
      checksum: 'b'.repeat(64),
    };
    await expect(
      migrate(db.client, db.roles, [...loadMigrations(), extra('select 1;'), bad]),
    ).rejects.toThrow(/division by zero/);
    const { rows } = await db.client.query("select 1 from pg_tables where tablename = 'half'");
    expect(rows).toEqual([]);
  });
});

describe.each(backends())('concurrent migrators on %s', (backend) => {
  // On PostgreSQL: two pools (two processes' worth of connections) racing for the advisory
  // lock. PGlite has one connection: two calls are serialised by the adapter's queue.
  it('two migrators starting at once apply each file exactly once', async () => {
    const db = await openTestDb(backend, { migrate: false });
    try {
      const [a, b] = backend === 'postgres' ? [db.connect(), db.connect()] : [db.client, db.client];
      const results = await Promise.all([migrate(a, db.roles), migrate(b, db.roles)]);
      expect(results.flatMap((r) => r.applied)).toEqual(
        loadMigrations().map((m) => `${m.version}_${m.name}`),
      );
      const { rows } = await db.client.query<{ n: number }>(
        'select count(*)::int as n from schema_migrations',
      );
      expect(rows[0]!.n).toBe(loadMigrations().length);
    } finally {
      await db.close();
    }
  });
});
