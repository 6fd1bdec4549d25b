/**
 * Row-level security, table by table: {select, insert, update, delete} as the own tenant,
 * another tenant, the app role with no tenant set, the admin role and the table owner
 * (FORCE), plus platform-wide rows and moving a row to another tenant. Every "denied"
 * expectation has its positive control in the same matrix: the same statement returns or
 * changes the row for the own tenant (0-row denials) or for the admin (privilege denials).
 * Each case runs in a transaction that is rolled back, so all cases see the same fixtures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlQueryable } from '../../../lib/ports/sql.js';
import { createFixtures, insertRow } from './rls-fixtures.js';
import type { Fixtures } from './rls-fixtures.js';
import { backends, openTestDb } from './harness.js';
import type { TestDb } from './harness.js';

type Actor = 'own' | 'other' | 'none' | 'admin' | 'owner';
type Op = 'select' | 'insert' | 'update' | 'delete';
/** A row count, or the kind of refusal. */
type Outcome = number | 'privilege' | 'policy' | 'trigger';

interface TableSpec {
  readonly table: string;
  readonly key: string;
  /** A column the statement sets to itself (granted to the app where updates are allowed). */
  readonly touch: string;
  /** What the app role is granted (PostgreSQL checks privileges before policies). */
  readonly app: Readonly<Record<Op, boolean>>;
  readonly platform?: boolean;
  /** The admin role's UPDATE/DELETE is revoked too (audit log). */
  readonly adminReadInsertOnly?: boolean;
}

const ALL = { select: true, insert: true, update: true, delete: true };
const READ_INSERT = { select: true, insert: true, update: false, delete: false };
const TABLES: readonly TableSpec[] = [
  {
    table: 'tenants',
    key: 'id',
    touch: 'name',
    app: { select: true, insert: false, update: true, delete: false },
  },
  {
    table: 'tenant_quotas',
    key: 'tenant_id',
    touch: 'max_agents',
    app: { ...ALL, insert: false, update: false, delete: false },
  },
  { table: 'tenant_organizations', key: 'id', touch: 'name', app: ALL },
  { table: 'users', key: 'id', touch: 'email', app: ALL },
  { table: 'memberships', key: 'id', touch: 'role', app: ALL },
  { table: 'api_keys', key: 'id', touch: 'name', app: ALL },
  { table: 'agents', key: 'id', touch: 'description', app: ALL, platform: true },
  { table: 'agent_versions', key: 'id', touch: 'status', app: ALL, platform: true },
  { table: 'factor_datasets', key: 'id', touch: 'title', app: ALL, platform: true },
  { table: 'emission_factors', key: 'id', touch: 'value', app: ALL, platform: true },
  { table: 'webhooks', key: 'id', touch: 'url', app: ALL },
  { table: 'audit_log', key: 'hash', touch: 'actor', app: READ_INSERT, adminReadInsertOnly: true },
  { table: 'outbox', key: 'id', touch: 'published_at', app: READ_INSERT },
];

/** The rule being tested, written out once: what each actor gets. */
function expected(spec: TableSpec, op: Op, actor: Actor): Outcome {
  const granted = spec.app[op];
  switch (actor) {
    case 'own':
      return granted ? 1 : 'privilege';
    case 'other':
    case 'none':
      if (!granted) return 'privilege';
      return op === 'insert' ? 'policy' : 0;
    case 'admin':
      return spec.adminReadInsertOnly && (op === 'update' || op === 'delete') ? 'privilege' : 1;
    case 'owner':
      return op === 'insert' ? 'policy' : 0;
  }
}

class Rollback extends Error {
  constructor(readonly outcome: Outcome) {
    super('rollback');
  }
}

function classify(err: unknown): Outcome {
  const message = err instanceof Error ? err.message : String(err);
  if (/row-level security/.test(message)) return 'policy';
  if (/append-only/.test(message)) return 'trigger';
  if (/permission denied/.test(message)) return 'privilege';
  throw err;
}

describe.each(backends())('row-level security on %s', (backend) => {
  let db: TestDb;
  let fx: Fixtures;
  let cases = 0;
  let n = 0;

  beforeAll(async () => {
    db = await openTestDb(backend);
    fx = await db.scope.withAdmin((tx) => createFixtures(tx));
  });
  afterAll(async () => {
    console.log(`RLS suite on ${backend}: ${cases} cases ran`);
    await db?.close();
  });

  /** Runs `fn` as `actor` in a transaction that is always rolled back. */
  async function as(
    actor: Actor,
    fn: (tx: SqlQueryable) => Promise<number>,
    tenant?: string,
  ): Promise<Outcome> {
    const body = async (tx: SqlQueryable): Promise<never> => {
      throw new Rollback(await fn(tx));
    };
    const run = (): Promise<never> => {
      switch (actor) {
        case 'own':
          return db.scope.withTenant(tenant ?? fx.A.id, body);
        case 'other':
          return db.scope.withTenant(fx.B.id, body);
        case 'admin':
          return db.scope.withAdmin(body);
        case 'none':
          return db.client.transaction(async (tx) => {
            await tx.query("select set_config('role', $1, true)", [db.roles.app]);
            return body(tx);
          });
        case 'owner':
          return db.asOwner(body);
      }
    };
    cases += 1;
    try {
      return await run();
    } catch (err) {
      if (err instanceof Rollback) return err.outcome;
      return classify(err);
    }
  }

  function statement(spec: TableSpec, op: Op, key: string): [string, unknown[]] {
    switch (op) {
      case 'select':
        return [`select 1 from ${spec.table} where ${spec.key} = $1`, [key]];
      case 'update':
        return [`update ${spec.table} set ${spec.touch} = ${spec.touch} where ${spec.key} = $1`, [key]];
      case 'delete':
        return [`delete from ${spec.table} where ${spec.key} = $1`, [key]];
      case 'insert':
        return insertRow(spec.table, fx.A.id, fx, (n += 1));
    }
  }

  const exec =
    (sql: string, params: unknown[]) =>
    async (tx: SqlQueryable): Promise<number> =>
      (await tx.query(sql, params)).rowCount;

  const OPS: readonly Op[] = ['select', 'insert', 'update', 'delete'];
  const ACTORS: readonly Actor[] = ['own', 'other', 'none', 'admin', 'owner'];

  describe.each(TABLES)('$table', (spec) => {
    for (const op of OPS) {
      it(`${op}: own / other tenant / no tenant / admin / owner(FORCE)`, async () => {
        // The own-tenant row of the tenants table has children; the bare tenant has none,
        // so deleting it is only refused by RLS or privileges, never by a foreign key.
        const ownTenant = spec.table === 'tenants' ? fx.bare : fx.A.id;
        const key = spec.table === 'tenants' ? fx.bare : fx.A.victim[spec.table]!;
        const got: Record<string, Outcome> = {};
        const want: Record<string, Outcome> = {};
        for (const actor of ACTORS) {
          const [sql, params] = statement(spec, op, key);
          const params2 =
            op === 'insert' && spec.table !== 'tenants' && spec.table !== 'tenant_quotas'
              ? params.map((p) => (p === fx.A.id ? ownTenant : p))
              : params;
          got[actor] = await as(actor, exec(sql, params2), ownTenant);
          want[actor] = expected(spec, op, actor);
        }
        expect(got).toEqual(want);
        // Pairing: every refusal has a positive control that succeeded in this same matrix,
        // except audit UPDATE/DELETE, refused to all: its control is the trigger test below.
        const succeeded = Object.values(got).some((o) => typeof o === 'number' && o > 0);
        const refusedToAll = spec.adminReadInsertOnly === true && (op === 'update' || op === 'delete');
        expect(succeeded).toBe(!refusedToAll);
      });
    }

    if (spec.table !== 'tenants' && spec.app.update) {
      it('update: the own tenant cannot move its row to another tenant (WITH CHECK)', async () => {
        const key = fx.A.victim[spec.table]!;
        const move = `update ${spec.table} set tenant_id = $2 where ${spec.key} = $1`;
        expect(await as('own', exec(move, [key, fx.B.id]))).toBe('policy');
        // Positive control: the same row, same statement shape, staying in its tenant.
        expect(await as('own', exec(move, [key, fx.A.id]))).toBe(1);
      });
    }

    if (spec.platform) {
      it('platform-wide rows: everyone reads them, no tenant writes them, the admin does', async () => {
        const key = fx.platform[spec.table]!;
        const [sel] = statement(spec, 'select', key);
        const [upd] = statement(spec, 'update', key);
        const [del] = statement(spec, 'delete', key);
        expect(await as('own', exec(sel, [key]))).toBe(1);
        expect(await as('other', exec(sel, [key]))).toBe(1);
        expect(await as('none', exec(sel, [key]))).toBe(1);
        expect(await as('own', exec(upd, [key]))).toBe(0);
        expect(await as('own', exec(del, [key]))).toBe(0);
        expect(await as('admin', exec(upd, [key]))).toBe(1);
        expect(await as('admin', exec(del, [key]))).toBe(1);
        const [ins, insParams] = insertRow(spec.table, null, fx, (n += 1));
        expect(await as('own', exec(ins, insParams))).toBe('policy');
        expect(await as('admin', exec(ins, insParams))).toBe(1);
      });
    }
  });

  describe('audit_log append-only trigger', () => {
    it('refuses UPDATE and DELETE even for the owner with the tenant set; disabling it is what lets them through', async () => {
      const key = fx.A.victim.audit_log!;
      for (const sql of [
        `update audit_log set actor = 'x' where hash = $1`,
        'delete from audit_log where hash = $1',
      ]) {
        cases += 1;
        const viaOwner = (disable: boolean) =>
          db.client
            .transaction(async (tx) => {
              await tx.query("select set_config('role', $1, true), set_config('app.tenant_id', $2, true)", [
                db.roles.owner,
                fx.A.id,
              ]);
              if (disable) await tx.exec('alter table audit_log disable trigger audit_log_append_only');
              throw new Rollback((await tx.query(sql, [key])).rowCount);
            })
            .catch((err: unknown) => (err instanceof Rollback ? err.outcome : classify(err)));
        expect(await viaOwner(false)).toBe('trigger');
        expect(await viaOwner(true)).toBe(1);
      }
    });
  });

  describe('no tenant set after a transaction', () => {
    it('the setting does not leak: the next transaction on the connection sees nothing', async () => {
      cases += 1;
      const seen = await db.scope.withTenant(
        fx.A.id,
        async (tx) => (await tx.query('select 1 from users')).rowCount,
      );
      const after = await db.client.transaction(async (tx) => {
        await tx.query("select set_config('role', $1, true)", [db.roles.app]);
        const { rows } = await tx.query<{ t: string | null }>(
          "select current_setting('app.tenant_id', true) as t",
        );
        return { t: rows[0]!.t, users: (await tx.query('select 1 from users')).rowCount };
      });
      expect(seen).toBe(3);
      expect(after.users).toBe(0);
      expect(after.t === '' || after.t === null).toBe(true);
    });
  });
});
