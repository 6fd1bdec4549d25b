import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlAuditLog } from '../../lib/adapters/sql/audit-log.sql.js';
import { purgeExpiredAudit } from '../../lib/adapters/sql/audit-retention.js';
import { SqlOutbox } from '../../lib/adapters/sql/outbox.sql.js';
import { SqlTenantStore } from '../../lib/adapters/sql/tenant-store.sql.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/domain/errors.js';
import { DEFAULT_QUOTAS } from '../../lib/domain/quotas.js';
import { MalformedIdError, TenantNotFoundError } from '../../lib/domain/tenant.js';
import type { TenantExport } from '../../lib/ports/tenant-store.js';
import { TenantService } from '../../lib/services/tenants.js';
import { backends, openTestDb } from '../adapters/sql/harness.js';
import type { TestDb } from '../adapters/sql/harness.js';

const onboardInput = (slug: string) => ({
  slug,
  name: `${slug} Ltd`,
  tier: 'pool',
  homeRegion: 'eu-west-1',
  config: { reportingCurrency: 'EUR' },
  admin: { email: `admin@${slug}.example`, displayName: 'First Admin' },
});

describe.each(backends())('TenantService on %s', (backend) => {
  let db: TestDb;
  let tenants: TenantService;
  let audit: SqlAuditLog;
  let outbox: SqlOutbox;

  beforeAll(async () => {
    db = await openTestDb(backend);
    tenants = new TenantService(new SqlTenantStore(db.scope));
    audit = new SqlAuditLog(db.scope);
    outbox = new SqlOutbox(db.scope);
  });
  afterAll(async () => db.close());

  const count = async (table: string): Promise<number> => {
    const { rows } = await db.scope.withAdmin((tx) =>
      tx.query<{ n: number }>(`select count(*)::int as n from ${table}`),
    );
    return rows[0]!.n;
  };

  describe('onboard', () => {
    it('writes tenant, default quotas, admin user + membership, outbox event and audit entry together', async () => {
      const res = await tenants.onboard(onboardInput('acme'));

      expect(res.tenant).toMatchObject({
        slug: 'acme',
        tier: 'pool',
        status: 'active',
        config: { reportingCurrency: 'EUR' },
      });
      expect(await tenants.getQuotas(res.tenant.id)).toEqual(DEFAULT_QUOTAS.pool);
      const members = await db.scope.withTenant(res.tenant.id, (tx) =>
        tx.query('select u.email, m.role from memberships m join users u on u.id = m.user_id'),
      );
      expect(members.rows).toEqual([{ email: 'admin@acme.example', role: 'admin' }]);
      const events = await outbox.listForTenant(res.tenant.id);
      expect(events.map((e) => e.type)).toEqual(['tenant.created']);
      expect(events[0]!.payload).toMatchObject({ slug: 'acme', tier: 'pool' });
      expect((await audit.list(res.tenant.id)).map((e) => e.action)).toEqual(['tenant.created']);
    });

    it('gives silo tenants the silo defaults', async () => {
      const res = await tenants.onboard({ ...onboardInput('bigco'), tier: 'silo' });
      expect(await tenants.getQuotas(res.tenant.id)).toEqual(DEFAULT_QUOTAS.silo);
    });

    it('refuses a duplicate slug with ConflictError and writes nothing', async () => {
      await tenants.onboard(onboardInput('dupe'));
      const before = await Promise.all(
        ['tenants', 'users', 'memberships', 'tenant_quotas', 'outbox', 'audit_log'].map(count),
      );

      await expect(tenants.onboard(onboardInput('dupe'))).rejects.toThrow(ConflictError);
      await expect(tenants.onboard(onboardInput('dupe'))).rejects.toThrow(/slug 'dupe' is already taken/);

      const after = await Promise.all(
        ['tenants', 'users', 'memberships', 'tenant_quotas', 'outbox', 'audit_log'].map(count),
      );
      expect(after).toEqual(before);
    });

    it('rolls back everything when a later row fails (invalid admin email caught by the database)', async () => {
      const before = await count('tenants');
      // Passes zod's email check but not the column check: forces a failure after the tenant insert.
      const store = new SqlTenantStore(db.scope);
      await expect(
        store.create({
          slug: 'halfway',
          name: 'Halfway',
          tier: 'pool',
          homeRegion: 'eu-west-1',
          config: {},
          quotas: DEFAULT_QUOTAS.pool,
          admin: { email: 'not an email', displayName: '' },
          actor: 'test',
        }),
      ).rejects.toThrow();
      expect(await count('tenants')).toBe(before);
      expect(await store.getBySlug('halfway')).toBeUndefined();
    });

    it('lists every invalid field of a bad request', async () => {
      const err = await tenants
        .onboard({ slug: 'X!', name: '', homeRegion: 'mars', admin: { email: 'nope' } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      const paths = (err as ValidationError).issues.map((i) => i.path).sort();
      expect(paths).toEqual(['admin.email', 'homeRegion', 'name', 'slug']);
    });
  });

  describe('config', () => {
    it('stores a valid config and refuses unknown keys', async () => {
      const { tenant } = await tenants.onboard(onboardInput('cfg'));
      const updated = await tenants.updateConfig(
        tenant.id,
        { dataResidency: 'eu', features: { beta: true } },
        'user:1',
      );
      expect(updated.config).toEqual({ dataResidency: 'eu', features: { beta: true } });
      await expect(tenants.updateConfig(tenant.id, { colour: 'red' }, 'user:1')).rejects.toThrow(
        ValidationError,
      );
    });

    it('refuses an oversize config with a clear message', async () => {
      const { tenant } = await tenants.onboard(onboardInput('big-cfg'));
      const labels = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'x'.repeat(150)]));
      const err = await tenants.updateConfig(tenant.id, { labels }, 'user:1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues[0]!.message).toMatch(
        /config is \d+ bytes; the limit is 16384 bytes/,
      );
      expect((await tenants.get(tenant.id)).config).toEqual({ reportingCurrency: 'EUR' });
    });
  });

  describe('quotas', () => {
    it('changes only the named limits and rejects negative or fractional values', async () => {
      const { tenant } = await tenants.onboard(onboardInput('quota'));
      const q = await tenants.updateQuotas(tenant.id, { apiCallsPerMinute: 1200 }, 'ops');
      expect(q).toEqual({ ...DEFAULT_QUOTAS.pool, apiCallsPerMinute: 1200 });
      await expect(tenants.updateQuotas(tenant.id, { maxAgents: -1 }, 'ops')).rejects.toThrow(
        ValidationError,
      );
      await expect(tenants.updateQuotas(tenant.id, { maxAgents: 1.5 }, 'ops')).rejects.toThrow(
        ValidationError,
      );
      await expect(tenants.updateQuotas(tenant.id, {}, 'ops')).rejects.toThrow(/at least one of/);
    });

    it('cannot be raised by the tenant itself (app role has SELECT only)', async () => {
      const { tenant } = await tenants.onboard(onboardInput('greedy'));
      await expect(
        db.scope.withTenant(tenant.id, (tx) => tx.query('update tenant_quotas set max_agents = 999999')),
      ).rejects.toThrow(/permission denied/);
    });
  });

  describe('organizations', () => {
    it('builds a hierarchy and refuses cycles, self-parenting and foreign parents', async () => {
      const { tenant } = await tenants.onboard(onboardInput('orgs'));
      const { tenant: other } = await tenants.onboard(onboardInput('orgs-other'));
      const root = await tenants.addOrganization(tenant.id, 'Group', null, 'u');
      const child = await tenants.addOrganization(tenant.id, 'EU', root.id, 'u');
      const grandchild = await tenants.addOrganization(tenant.id, 'France', child.id, 'u');
      expect(grandchild.parentId).toBe(child.id);

      await expect(tenants.moveOrganization(tenant.id, root.id, grandchild.id, 'u')).rejects.toThrow(
        ConflictError,
      );
      await expect(tenants.moveOrganization(tenant.id, root.id, grandchild.id, 'u')).rejects.toThrow(/cycle/);
      await expect(tenants.moveOrganization(tenant.id, root.id, root.id, 'u')).rejects.toThrow(ConflictError);
      const foreign = await tenants.addOrganization(other.id, 'Other root', null, 'u');
      await expect(tenants.addOrganization(tenant.id, 'Sneaky', foreign.id, 'u')).rejects.toThrow(
        NotFoundError,
      );

      const moved = await tenants.moveOrganization(tenant.id, grandchild.id, root.id, 'u');
      expect(moved.parentId).toBe(root.id);
      expect((await tenants.listOrganizations(tenant.id)).map((o) => o.name).sort()).toEqual([
        'EU',
        'France',
        'Group',
      ]);
      await expect(tenants.addOrganization(tenant.id, 'EU', null, 'u')).rejects.toThrow(/already exists/);
    });
  });

  describe('suspend and resume', () => {
    it('follows active -> suspended -> active and refuses illegal moves', async () => {
      const { tenant } = await tenants.onboard(onboardInput('sleepy'));
      expect((await tenants.suspend(tenant.id, 'ops')).status).toBe('suspended');
      await expect(tenants.suspend(tenant.id, 'ops')).rejects.toThrow(
        /is suspended; cannot change it to suspended/,
      );
      await expect(tenants.updateConfig(tenant.id, {}, 'u')).rejects.toThrow(/is suspended/);
      expect((await tenants.resume(tenant.id, 'ops')).status).toBe('active');
      await expect(tenants.resume(tenant.id, 'ops')).rejects.toThrow(ConflictError);
      const events = (await outbox.listForTenant(tenant.id)).map((e) => e.type);
      expect(events).toEqual(['tenant.created', 'tenant.suspended', 'tenant.resumed']);
    });
  });

  describe('offboard', () => {
    it('exports every row, deletes the data, keeps audit entries and a tombstone', async () => {
      const { tenant } = await tenants.onboard(onboardInput('leaving'));
      await tenants.addOrganization(tenant.id, 'Only org', null, 'u');
      const exports: string[] = [];
      const res = await tenants.offboard(
        tenant.id,
        { put: (_id, json) => Promise.resolve((exports.push(json), 'mem://0')) },
        'ops',
      );

      const doc = JSON.parse(exports[0]!) as TenantExport;
      expect(doc.tables.users).toHaveLength(1);
      expect(doc.tables.tenant_organizations).toHaveLength(1);
      expect(doc.tables.audit_log!.map((r) => r.action)).toEqual(['tenant.created', 'organization.created']);
      expect(res.deletedRows).toMatchObject({
        users: 1,
        memberships: 1,
        tenant_organizations: 1,
        tenant_quotas: 1,
      });
      expect((await tenants.get(tenant.id)).status).toBe('offboarded');
      const left = await db.scope.withAdmin((tx) =>
        tx.query<{ n: number }>('select count(*)::int as n from users where tenant_id = $1', [tenant.id]),
      );
      expect(left.rows[0]!.n).toBe(0);
      const trail = await audit.list(tenant.id);
      expect(trail.map((e) => e.action)).toEqual([
        'tenant.created',
        'organization.created',
        'tenant.offboarded',
      ]);
      expect((await audit.verify(tenant.id)).ok).toBe(true);
      await expect(tenants.offboard(tenant.id, { put: () => Promise.resolve('x') }, 'ops')).rejects.toThrow(
        /already offboarded/,
      );
    });

    it('deletes nothing when the export cannot be written', async () => {
      const { tenant } = await tenants.onboard(onboardInput('stuck'));
      const failing = {
        put: (): Promise<string> => Promise.reject(new Error('bucket unavailable')),
      };
      await expect(tenants.offboard(tenant.id, failing, 'ops')).rejects.toThrow('bucket unavailable');
      expect((await tenants.get(tenant.id)).status).toBe('active');
      expect(await tenants.getQuotas(tenant.id)).toEqual(DEFAULT_QUOTAS.pool);
    });
  });

  describe('bad ids', () => {
    it('refuses malformed ids and reports unknown tenants', async () => {
      await expect(tenants.get('not-a-uuid')).rejects.toThrow(MalformedIdError);
      await expect(tenants.get("1' or '1'='1")).rejects.toThrow(/is not a UUID/);
      await expect(tenants.get('00000000-0000-4000-8000-000000000000')).rejects.toThrow(TenantNotFoundError);
      await expect(tenants.suspend('00000000-0000-4000-8000-000000000000', 'ops')).rejects.toThrow(
        TenantNotFoundError,
      );
      await expect(db.scope.withTenant('nope', () => Promise.resolve(1))).rejects.toThrow(MalformedIdError);
    });
  });
});

describe.each(backends())('audit retention after offboarding on %s', (backend) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb(backend);
  });
  afterAll(async () => db.close());

  it("purges an offboarded tenant's audit entries only once retention has passed", async () => {
    const eightYearsAgo = new Date(Date.UTC(2017, 0, 1));
    const past = new TenantService(new SqlTenantStore(db.scope, () => eightYearsAgo), () => eightYearsAgo);
    const now = new TenantService(new SqlTenantStore(db.scope));
    const sink = { put: () => Promise.resolve('mem://x') };
    const { tenant: expired } = await past.onboard(onboardInput('expired'));
    await past.offboard(expired.id, sink, 'ops'); // retained until 2024-01-01
    const { tenant: recent } = await now.onboard(onboardInput('recent'));
    await now.offboard(recent.id, sink, 'ops'); // retained for 7 more years
    const { tenant: live } = await now.onboard(onboardInput('live'));
    const audit = new SqlAuditLog(db.scope);

    const result = await purgeExpiredAudit(db.client, db.roles);

    expect(result).toEqual({ tenants: 1, entries: 2 }); // tenant.created + tenant.offboarded
    expect(await audit.list(expired.id)).toEqual([]);
    expect((await audit.list(recent.id)).map((e) => e.action)).toEqual([
      'tenant.created',
      'tenant.offboarded',
    ]);
    expect((await audit.verify(live.id)).ok).toBe(true);
    // The trigger is back on after the purge.
    await expect(
      db.asOwner(async (tx) => {
        await tx.query("select set_config('app.tenant_id', $1, true)", [live.id]);
        await tx.query('delete from audit_log');
      }),
    ).rejects.toThrow(/append-only/);
  });
});
