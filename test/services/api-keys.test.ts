import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlTenantStore } from '../../lib/adapters/sql/tenant-store.sql.js';
import { ValidationError } from '../../lib/domain/errors.js';
import { ApiKeyNotFoundError, ApiKeyService } from '../../lib/services/api-keys.js';
import { TenantService } from '../../lib/services/tenants.js';
import { backends, openTestDb, type TestDb } from '../adapters/sql/harness.js';

const onboard = (slug: string) => ({
  slug,
  name: `${slug} Ltd`,
  homeRegion: 'eu-west-1',
  admin: { email: `admin@${slug}.example` },
});

describe.each(backends())('ApiKeyService on %s', (backend) => {
  let db: TestDb;
  let now = new Date('2026-03-01T12:00:00Z');
  let keys: ApiKeyService;
  let tenants: TenantService;
  let a: string;
  let b: string;

  beforeAll(async () => {
    db = await openTestDb(backend);
    tenants = new TenantService(new SqlTenantStore(db.scope));
    keys = new ApiKeyService(db.scope, () => now);
    a = (await tenants.onboard(onboard('keys-a'))).tenant.id;
    b = (await tenants.onboard(onboard('keys-b'))).tenant.id;
  });
  afterAll(async () => db.close());

  it('creates a 256-bit key shown once, stores only its SHA-256, and authenticates it', async () => {
    const { apiKey, key } = await keys.create(a, { name: 'ci', role: 'operator' });
    const [, prefix, secret] = /^glaf_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/.exec(key) ?? [];
    expect(prefix).toBe(apiKey.prefix);
    expect(Buffer.from(secret!, 'base64url')).toHaveLength(32);
    const stored = await db.scope.withAdmin((tx) =>
      tx.query<{ key_hash: string }>('select key_hash from api_keys where id = $1', [apiKey.id]),
    );
    expect(stored.rows[0]!.key_hash).toBe(createHash('sha256').update(secret!).digest('hex'));
    expect(JSON.stringify(await keys.list(a))).not.toContain(secret!);

    expect(await keys.authenticate(key)).toEqual({
      ok: true,
      keyId: apiKey.id,
      tenantId: a,
      role: 'operator',
    });
    const [listed] = (await keys.list(a)).filter((k) => k.id === apiKey.id);
    expect(listed).toMatchObject({ lastUsedAt: now.toISOString(), revokedAt: null, tenantId: a });
    expect(Object.keys(listed!)).not.toContain('keyHash');
  });

  it('refuses a wrong secret with a valid prefix, an unknown prefix and a malformed key', async () => {
    const { key } = await keys.create(a, { name: 'wrong-secret', role: 'viewer' });
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(await keys.authenticate(tampered)).toEqual({ ok: false, reason: 'wrong_secret' });
    expect(await keys.authenticate(`glaf_ffffffff_${key.slice(-43)}`)).toEqual({
      ok: false,
      reason: 'unknown',
    });
    for (const bad of [
      '',
      'glaf_',
      key.slice(0, -1),
      `${key}x`,
      key.replace('glaf_', 'glaf-'),
      `Bearer ${key}`,
    ]) {
      expect(await keys.authenticate(bad)).toEqual({ ok: false, reason: 'malformed' });
    }
    // Positive control: the untouched key still works.
    expect((await keys.authenticate(key)).ok).toBe(true);
  });

  it('revokes (idempotently) and then refuses the key', async () => {
    const { apiKey, key } = await keys.create(a, { name: 'to-revoke', role: 'admin' });
    const revoked = await keys.revoke(a, apiKey.id);
    expect(revoked.revokedAt).toBe(now.toISOString());
    expect(await keys.revoke(a, apiKey.id)).toEqual(revoked);
    expect(await keys.authenticate(key)).toEqual({ ok: false, reason: 'revoked' });
  });

  it("cannot see or revoke another tenant's key (not found, and the key keeps working)", async () => {
    const { apiKey, key } = await keys.create(a, { name: 'owned-by-a', role: 'viewer' });
    await expect(keys.revoke(b, apiKey.id)).rejects.toThrow(ApiKeyNotFoundError);
    expect((await keys.list(b)).map((k) => k.id)).not.toContain(apiKey.id);
    expect((await keys.list(a)).map((k) => k.id)).toContain(apiKey.id);
    expect((await keys.authenticate(key)).ok).toBe(true);
  });

  it('expires keys at expiresAt and refuses an expiry in the past', async () => {
    const { key } = await keys.create(a, {
      name: 'short',
      role: 'viewer',
      expiresAt: '2026-03-01T13:00:00Z',
    });
    expect((await keys.authenticate(key)).ok).toBe(true);
    const saved = now;
    now = new Date('2026-03-01T13:00:00Z');
    try {
      expect(await keys.authenticate(key)).toEqual({ ok: false, reason: 'expired' });
    } finally {
      now = saved;
    }
    await expect(
      keys.create(a, { name: 'past', role: 'viewer', expiresAt: '2026-03-01T11:59:59Z' }),
    ).rejects.toThrow(/expiresAt must be in the future/);
  });

  it('lists every invalid field of a create request', async () => {
    const err = await keys.create(a, { name: '', role: 'root', extra: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path).sort()).toEqual(['(root)', 'name', 'role']);
  });

  it('refuses the key of a suspended tenant, and accepts it again after resume', async () => {
    const c = (await tenants.onboard(onboard('keys-c'))).tenant.id;
    const { key } = await keys.create(c, { name: 'svc', role: 'developer' });
    await tenants.suspend(c, 'test');
    expect(await keys.authenticate(key)).toEqual({ ok: false, reason: 'tenant_inactive' });
    await tenants.resume(c, 'test');
    expect((await keys.authenticate(key)).ok).toBe(true);
  });

  it('reads a tenant status under RLS as the app role (null for no such tenant)', async () => {
    expect(await keys.tenantStatus(a)).toBe('active');
    expect(await keys.tenantStatus('6f1c1e0b-8a1d-4c3e-9a57-1f0e2d3c4b5a')).toBeNull();
  });

  it('the lookup function is the only door: the app role outside a tenant sees no key rows', async () => {
    const { apiKey } = await keys.create(a, { name: 'door', role: 'viewer' });
    const nil = '00000000-0000-0000-0000-000000000000';
    const direct = await db.scope.withTenant(nil, (tx) =>
      tx.query('select 1 from api_keys where prefix = $1', [apiKey.prefix]),
    );
    expect(direct.rowCount).toBe(0);
    const viaFunction = await db.scope.withTenant(nil, (tx) =>
      tx.query<{ id: string; current: string }>(
        "select id, current_setting('app.tenant_id', true) as current from api_key_lookup($1)",
        [apiKey.prefix],
      ),
    );
    expect(viaFunction.rows.map((r) => r.id)).toEqual([apiKey.id]);
    // The function restores the caller's tenant setting after reading the key's tenant row.
    const after = await db.scope.withTenant(nil, async (tx) => {
      await tx.query('select * from api_key_lookup($1)', [apiKey.prefix]);
      return tx.query<{ t: string }>("select current_setting('app.tenant_id', true) as t");
    });
    expect(after.rows[0]!.t).toBe(nil);
    // The owner role sees no key without the function's transaction-local prefix setting.
    expect((await db.asOwner((tx) => tx.query('select 1 from api_keys'))).rowCount).toBe(0);
  });
});
