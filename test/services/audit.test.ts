import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlAuditLog } from '../../lib/adapters/sql/audit-log.sql.js';
import { SqlTenantStore } from '../../lib/adapters/sql/tenant-store.sql.js';
import { GENESIS_HASH, auditHash } from '../../lib/domain/audit.js';
import { ValidationError } from '../../lib/domain/errors.js';
import { AuditService } from '../../lib/services/audit.js';
import { TenantService } from '../../lib/services/tenants.js';
import { backends, openTestDb } from '../adapters/sql/harness.js';
import type { TestDb } from '../adapters/sql/harness.js';

describe('auditHash', () => {
  it('is sha256 over prev hash + canonical JSON, independent of key order', () => {
    const a = auditHash(GENESIS_HASH, {
      tenantId: 't',
      seq: 1,
      occurredAt: '2024-01-01T00:00:00.000Z',
      actor: 'u',
      action: 'x.y',
      target: '',
      data: { b: 1, a: 2 },
    });
    const b = auditHash(GENESIS_HASH, {
      data: { a: 2, b: 1 },
      target: '',
      action: 'x.y',
      actor: 'u',
      occurredAt: '2024-01-01T00:00:00.000Z',
      seq: 1,
      tenantId: 't',
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe.each(backends())('AuditService on %s', (backend) => {
  let db: TestDb;
  let audit: AuditService;
  let tenants: TenantService;
  let n = 0;

  beforeAll(async () => {
    db = await openTestDb(backend);
    audit = new AuditService(new SqlAuditLog(db.scope));
    tenants = new TenantService(new SqlTenantStore(db.scope));
  });
  afterAll(async () => db.close());

  const newTenant = async (): Promise<string> =>
    (
      await tenants.onboard({
        slug: `audit-${(n += 1)}`,
        name: 'Audit Co',
        homeRegion: 'eu-west-1',
        admin: { email: 'a@audit.example' },
      })
    ).tenant.id;

  /** Tampering needs the owner switching the trigger off: exactly what verify must catch. */
  const tamper = (sql: string, params: unknown[]) =>
    db.asOwner(async (tx) => {
      await tx.exec('alter table audit_log disable trigger audit_log_append_only');
      await tx.query("select set_config('app.tenant_id', $1, true)", [params[0]]);
      await tx.query(sql, params);
      await tx.exec('alter table audit_log enable trigger audit_log_append_only');
    });

  it('chains entries per tenant and verifies', async () => {
    const t = await newTenant();
    const e2 = await audit.record(t, {
      actor: 'user:1',
      action: 'agent.created',
      target: 'agent:x',
      data: { v: 1.5 },
    });
    const e3 = await audit.record(t, {
      actor: 'user:1',
      action: 'agent.certified',
      data: { nested: { ok: true } },
    });
    expect(e2.seq).toBe(2); // 1 is tenant.created from onboarding
    expect(e3.prevHash).toBe(e2.hash);
    expect(await audit.verify(t)).toEqual({ ok: true, entries: 3, head: e3.hash });
  });

  it('keeps chains of different tenants apart', async () => {
    const [t1, t2] = [await newTenant(), await newTenant()];
    await audit.record(t1, { actor: 'u', action: 'x.one' });
    const other = await audit.record(t2, { actor: 'u', action: 'x.two' });
    expect(other.seq).toBe(2);
    expect((await audit.trail(t1)).map((e) => e.action)).toEqual(['tenant.created', 'x.one']);
  });

  it('serialises concurrent appends: no forked chain, no duplicate sequence', async () => {
    const t = await newTenant();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => audit.record(t, { actor: 'u', action: 'x.burst', data: { i } })),
    );
    const trail = await audit.trail(t);
    expect(trail.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await audit.verify(t)).ok).toBe(true);
  });

  it('finds the first tampered entry', async () => {
    const t = await newTenant();
    for (const action of ['a.one', 'a.two', 'a.three']) await audit.record(t, { actor: 'u', action });
    await tamper('update audit_log set data = \'{"forged": true}\' where tenant_id = $1 and seq = 3', [t]);
    expect(await audit.verify(t)).toMatchObject({ ok: false, seq: 3, reason: 'tampered' });
  });

  it('finds a missing entry', async () => {
    const t = await newTenant();
    for (const action of ['a.one', 'a.two', 'a.three']) await audit.record(t, { actor: 'u', action });
    await tamper('delete from audit_log where tenant_id = $1 and seq = 2', [t]);
    expect(await audit.verify(t)).toMatchObject({ ok: false, seq: 2, reason: 'missing' });
  });

  it('finds a re-hashed entry whose successor no longer links to it', async () => {
    const t = await newTenant();
    for (const action of ['a.one', 'a.two']) await audit.record(t, { actor: 'u', action });
    // The forger recomputes entry 2's own hash, but entry 3 still points at the old one.
    const [e2] = await audit.trail(t, 1, 1);
    const forged = { ...e2!, actor: 'someone-else' };
    await tamper('update audit_log set actor = $2, hash = $3 where tenant_id = $1 and seq = 2', [
      t,
      forged.actor,
      auditHash(forged.prevHash, forged),
    ]);
    expect(await audit.verify(t)).toMatchObject({ ok: false, seq: 3, reason: 'broken-link' });
  });

  it('the app role cannot update or delete entries (privilege and trigger)', async () => {
    const t = await newTenant();
    await expect(
      db.scope.withTenant(t, (tx) => tx.query("update audit_log set actor = 'x'")),
    ).rejects.toThrow(/permission denied/);
    await expect(db.scope.withTenant(t, (tx) => tx.query('delete from audit_log'))).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      db.asOwner(async (tx) => {
        await tx.query("select set_config('app.tenant_id', $1, true)", [t]);
        await tx.query('delete from audit_log');
      }),
    ).rejects.toThrow(/append-only/);
    expect((await audit.verify(t)).ok).toBe(true);
  });

  it('refuses a malformed entry', async () => {
    const t = await newTenant();
    await expect(audit.record(t, { actor: '', action: 'NoDots' })).rejects.toThrow(ValidationError);
    await expect(audit.record('x', { actor: 'u', action: 'a.b' })).rejects.toThrow(/not a UUID/);
  });
});
