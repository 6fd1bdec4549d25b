/**
 * The migration custom resource's handler core against a real database: the machine's
 * PostgreSQL when TEST_DATABASE_URL is set (always in CI), else PGlite. It must run the
 * project's migrator, so the RLS roles exist with the right attributes afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { handleMigrationEvent, loginUsers } from '../../lambdas/migrate/migration-event.js';
import { loadMigrations } from '../../lib/adapters/sql/migrator.js';
import type { SqlClient } from '../../lib/ports/sql.js';
import { backends, openTestDb } from '../adapters/sql/harness.js';
import type { TestDb } from '../adapters/sql/harness.js';

const event = (type: 'Create' | 'Update' | 'Delete', prefix: string, physicalId?: string) => ({
  RequestType: type,
  PhysicalResourceId: physicalId,
  ResourceProperties: { ServiceToken: 'arn:aws:lambda:x', RolePrefix: prefix, MigrationsHash: 'abc' },
});

// One backend: real PostgreSQL where available (always in CI), else PGlite. The migrator
// itself is covered on both by test/adapters/sql; this suite is about the handler.
const backend = backends().includes('postgres') ? 'postgres' : 'pglite';

describe(`migration handler on ${backend}`, () => {
  let db: TestDb | undefined;
  afterEach(async () => {
    // Login users are cluster-wide roles: drop them before the harness drops the rest.
    if (db) {
      const prefix = db.roles.owner.replace(/_owner$/, '');
      for (const { user } of loginUsers(db.roles, prefix)) await db.raw.exec(`drop role if exists ${user}`);
    }
    await db?.close();
    db = undefined;
  });

  it('Create runs every migration and creates the RLS roles and IAM login users', async () => {
    // Prepare
    db = await openTestDb(backend, { migrate: false });
    const prefix = db.roles.owner.replace(/_owner$/, '');
    const client: SqlClient = db.client;

    // Act
    const res = await handleMigrationEvent(event('Create', prefix), () => Promise.resolve(client));

    // Assess
    expect(res.Data.Applied.split(',')).toEqual(loadMigrations().map((m) => `${m.version}_${m.name}`));
    const { rows } = await client.query<{ rolname: string; rolbypassrls: boolean; rolcanlogin: boolean }>(
      'select rolname, rolbypassrls, rolcanlogin from pg_roles where rolname like $1 order by rolname',
      [`${prefix}\\_%`],
    );
    const byName = Object.fromEntries(rows.map((r) => [r.rolname, r]));
    expect(byName[db.roles.app]).toMatchObject({ rolbypassrls: false, rolcanlogin: false });
    expect(byName[db.roles.admin]).toMatchObject({ rolbypassrls: true, rolcanlogin: false });
    expect(byName[db.roles.owner]).toMatchObject({ rolbypassrls: false });
    const [api, control] = loginUsers(db.roles, prefix);
    expect(byName[api.user]).toMatchObject({ rolcanlogin: true, rolbypassrls: false });
    expect(byName[control.user]).toMatchObject({ rolcanlogin: true });
    const member = await client.query<{ ok: boolean }>('select pg_has_role($1, $2, $3) as ok', [
      api.user,
      db.roles.app,
      'member',
    ]);
    expect(member.rows[0]?.ok).toBe(true);
    const notAdmin = await client.query<{ ok: boolean }>('select pg_has_role($1, $2, $3) as ok', [
      api.user,
      db.roles.admin,
      'member',
    ]);
    expect(notAdmin.rows[0]?.ok).toBe(false);
    // The control user (scheduled jobs) may act as admin and, for tenant-scoped reads, as app.
    for (const role of [db.roles.admin, db.roles.app]) {
      const controlMember = await client.query<{ ok: boolean }>('select pg_has_role($1, $2, $3) as ok', [
        control.user,
        role,
        'member',
      ]);
      expect(controlMember.rows[0]?.ok).toBe(true);
    }
    // RLS is forced on the tenant tables the migrations created.
    const forced = await client.query<{ n: number }>(
      "select count(*)::int as n from pg_class where relkind = 'r' and relforcerowsecurity",
    );
    expect(forced.rows[0]!.n).toBeGreaterThan(0);
  });

  it('Update after Create applies nothing again; Delete never connects', async () => {
    db = await openTestDb(backend, { migrate: false });
    const prefix = db.roles.owner.replace(/_owner$/, '');
    const client: SqlClient = db.client;
    await handleMigrationEvent(event('Create', prefix), () => Promise.resolve(client));

    const again = await handleMigrationEvent(event('Update', prefix, 'migrations-x'), () =>
      Promise.resolve(client),
    );
    expect(again).toMatchObject({ PhysicalResourceId: 'migrations-x', Data: { Applied: '' } });

    let connected = false;
    const gone = await handleMigrationEvent(event('Delete', prefix, 'migrations-x'), () => {
      connected = true;
      return Promise.reject(new Error('database is gone'));
    });
    expect(connected).toBe(false);
    expect(gone.PhysicalResourceId).toBe('migrations-x');
  });

  it('rejects an event whose role prefix could inject SQL', async () => {
    await expect(
      handleMigrationEvent(event('Create', 'x; drop table y'), () =>
        Promise.reject(new Error('unreachable')),
      ),
    ).rejects.toThrow(/RolePrefix/);
  });
});
