/**
 * The REQUEST authorizer against real components: the local issuer's key on disk, aws-jwt-verify
 * (not mocked), PGlite with the real migrations for tenants and API keys. Every attack has a
 * positive control: the same construction with the one defect removed is allowed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlTenantStore } from '../../../lib/adapters/sql/tenant-store.sql.js';
import { createAuthorizer, type Authorize } from '../../../lib/http/auth/authorize.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, LocalIssuer } from '../../../lib/http/auth/local-issuer.js';
import { ApiKeyService } from '../../../lib/services/api-keys.js';
import { TenantService } from '../../../lib/services/tenants.js';
import { openTestDb, type TestDb } from '../../adapters/sql/harness.js';
import { forge, otherRsaKey, type Forge } from './forge.js';

const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/v1/agents';
const onboard = (slug: string) => ({
  slug,
  name: slug,
  homeRegion: 'eu-west-1',
  admin: { email: `a@${slug}.example` },
});

describe('authorize (REQUEST authorizer)', () => {
  let dir: string;
  let db: TestDb;
  let issuer: LocalIssuer;
  let f: Forge;
  let authorize: Authorize;
  let tenants: TenantService;
  let apiKeys: ApiKeyService;
  let keyNow = new Date();
  let tenantId: string;
  let suspendedId: string;
  const warnings: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'glaf-auth-'));
    db = await openTestDb('pglite');
    tenants = new TenantService(new SqlTenantStore(db.scope));
    apiKeys = new ApiKeyService(db.scope, () => keyNow);
    tenantId = (await tenants.onboard(onboard('auth-a'))).tenant.id;
    suspendedId = (await tenants.onboard(onboard('auth-s'))).tenant.id;
    issuer = await LocalIssuer.open(dir);
    f = forge(dir);
    authorize = createAuthorizer({
      verifier: issuer.verifier(),
      services: { apiKeys },
      logger: { warn: (message, extra) => warnings.push(JSON.stringify({ message, ...extra })) },
    });
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const now = (): number => Math.floor(Date.now() / 1000);
  const header = (): Record<string, unknown> => ({ alg: 'RS256', typ: 'JWT', kid: issuer.kid });
  const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    sub: 'user-1',
    token_use: 'access',
    iat: now(),
    exp: now() + 600,
    tenant_id: tenantId,
    roles: ['developer'],
    ...over,
  });
  const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` }, methodArn: ARN });
  /** Refused with exactly 'Unauthorized', and for the expected reason (not some incidental one). */
  async function expectRefused(token: string, reason: RegExp): Promise<void> {
    warnings.length = 0;
    await expect(authorize(bearer(token))).rejects.toThrow(/^Unauthorized$/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(reason);
  }

  describe('allowed', () => {
    it('a valid access token: stage-wide Allow policy and the flat principal context', async () => {
      const result = await authorize(bearer(f.rs(header(), claims())));
      expect(result).toEqual({
        principalId: 'user:user-1',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Action: 'execute-api:Invoke',
              Effect: 'Allow',
              Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*',
            },
          ],
        },
        context: {
          principalType: 'user',
          subject: 'user-1',
          tenantId,
          roles: 'developer',
          platformAdmin: 'false',
        },
        // The tenant's own usage-plan key, derived from its id (lib/config/usage-plans.ts).
        usageIdentifierKey: `glaf-usage-${tenantId}`,
      });
    });

    it("a token from the issuer's own mint(), with a lower-case header name", async () => {
      const token = await issuer.mint({ tenantId, roles: ['viewer', 'operator'], sub: 'u2', ttlSeconds: 60 });
      const r = await authorize({ headers: { authorization: `Bearer ${token}` } });
      expect(r.context).toMatchObject({ roles: 'viewer,operator', tenantId });
      expect(r.policyDocument.Statement[0].Resource).toBe('*'); // no methodArn locally
      expect(r.usageIdentifierKey).toBe(`glaf-usage-${tenantId}`);
    });

    it('a platform admin without a tenant (tenantId "" in the context), metered on the platform key', async () => {
      const token = f.rs(header(), claims({ tenant_id: undefined, roles: [], platform_admin: true }));
      const r = await authorize(bearer(token));
      expect(r.context).toMatchObject({
        tenantId: '',
        platformAdmin: 'true',
        roles: '',
      });
      // The platform plan's key of this API (abc123 in the methodArn); none locally.
      expect(r.usageIdentifierKey).toBe('glaf-usage-platform-abc123');
      expect(await authorize({ headers: { Authorization: `Bearer ${token}` } })).not.toHaveProperty(
        'usageIdentifierKey',
      );
    });

    it("each tenant is metered on its own key: another tenant's token names another key", async () => {
      const other = (await tenants.onboard(onboard('auth-b'))).tenant.id;
      const mine = await authorize(bearer(f.rs(header(), claims())));
      const theirs = await authorize(bearer(f.rs(header(), claims({ tenant_id: other }))));
      expect(theirs.usageIdentifierKey).toBe(`glaf-usage-${other}`);
      expect(theirs.usageIdentifierKey).not.toBe(mine.usageIdentifierKey);
    });

    it('an API key, as principal type api_key with its one role', async () => {
      const { apiKey, key } = await apiKeys.create(tenantId, { name: 'svc', role: 'operator' });
      const r = await authorize({ headers: { 'X-Api-Key': key }, methodArn: ARN });
      expect(r.principalId).toBe(`api_key:${apiKey.id}`);
      expect(r.context).toEqual({
        principalType: 'api_key',
        subject: apiKey.id,
        tenantId,
        roles: 'operator',
        platformAdmin: 'false',
      });
      expect(r.usageIdentifierKey).toBe(`glaf-usage-${tenantId}`);
    });
  });

  describe('JWT attacks (each refused with exactly "Unauthorized")', () => {
    it('alg: none (empty signature, and with a signature attached)', async () => {
      const none = f.none({ alg: 'none', typ: 'JWT', kid: issuer.kid }, claims());
      await expectRefused(none, /3 parts/);
      await expectRefused(
        `${none}${f.rs(header(), claims()).split('.')[2]!}`,
        /signature algorithm not allowed: none/,
      );
    });
    it('HS256 signed with the public key (PEM and raw modulus as HMAC secret)', async () => {
      await expectRefused(f.hs({ alg: 'HS256', typ: 'JWT', kid: issuer.kid }, claims(), f.publicPem), /alg/i);
      await expectRefused(
        f.hs({ alg: 'HS256', typ: 'JWT', kid: issuer.kid }, claims(), issuer.jwks().keys[0]!.n!),
        /alg/i,
      );
    });
    it('RS512 with the right key (alg other than RS256)', () =>
      expectRefused(
        f.rs({ ...header(), alg: 'RS512' }, claims(), f.key, 'sha512'),
        /signature algorithm not allowed: RS512/,
      ));
    it('expired', () =>
      expectRefused(f.rs(header(), claims({ iat: now() - 120, exp: now() - 60 })), /Token expired/));
    it('not yet valid (nbf in the future)', () =>
      expectRefused(f.rs(header(), claims({ nbf: now() + 300 })), /can't be used before/));
    it('wrong issuer', () =>
      expectRefused(f.rs(header(), claims({ iss: 'https://evil.example' })), /Issuer/i));
    it('wrong audience', () =>
      expectRefused(f.rs(header(), claims({ aud: 'another-api' })), /Audience not allowed/));
    it('tampered payload (roles raised to admin, signature kept)', async () => {
      const [h, , s] = f.rs(header(), claims()).split('.');
      const raised = Buffer.from(JSON.stringify(claims({ roles: ['admin'] }))).toString('base64url');
      await expectRefused(`${h}.${raised}.${s}`, /Invalid signature/);
    });
    it('unknown kid', () =>
      expectRefused(
        f.rs({ ...header(), kid: 'not-a-key-of-this-issuer' }, claims()),
        /not found in the JWKS/,
      ));
    it('missing kid', () => expectRefused(f.rs({ alg: 'RS256', typ: 'JWT' }, claims()), /valid kid/));
    it('signed by another RSA key under our kid', () =>
      expectRefused(f.rs(header(), claims(), otherRsaKey()), /Invalid signature/));
    it('missing exp', () => expectRefused(f.rs(header(), claims({ exp: undefined })), /exp is required/));
    it('an ID token used as an access token', async () => {
      await expectRefused(f.rs(header(), claims({ token_use: 'id' })), /token_use/);
      await expectRefused(f.rs(header(), claims({ token_use: undefined })), /token_use/);
    });
    it('missing tenant claim (not a platform admin)', () =>
      expectRefused(f.rs(header(), claims({ tenant_id: undefined })), /tenant_id is required/));
    it('malformed claims: tenant_id not a uuid, unknown role, roles not an array', async () => {
      await expectRefused(f.rs(header(), claims({ tenant_id: 'tenant-a' })), /tenant_id/);
      await expectRefused(f.rs(header(), claims({ roles: ['superuser'] })), /roles/);
      await expectRefused(f.rs(header(), claims({ roles: 'admin' })), /roles/);
    });
    it('a tenant that does not exist, or is suspended', async () => {
      await expectRefused(f.rs(header(), claims({ tenant_id: randomUUID() })), /does not exist/);
      await tenants.suspend(suspendedId, 'test');
      try {
        await expectRefused(f.rs(header(), claims({ tenant_id: suspendedId })), /is suspended/);
      } finally {
        await tenants.resume(suspendedId, 'test');
      }
      // Positive control: the same token construction passes for the resumed tenant.
      expect(
        (await authorize(bearer(f.rs(header(), claims({ tenant_id: suspendedId }))))).context.tenantId,
      ).toBe(suspendedId);
    });
    it('an offboarded tenant', async () => {
      const gone = (await tenants.onboard(onboard('auth-gone'))).tenant.id;
      await tenants.offboard(gone, { put: () => Promise.resolve('memory://export') }, 'test');
      await expectRefused(f.rs(header(), claims({ tenant_id: gone })), /offboarded|does not exist/);
    });
  });

  describe('API key attacks', () => {
    const withKey = (key: string) => authorize({ headers: { 'x-api-key': key }, methodArn: ARN });

    it('revoked key', async () => {
      const { apiKey, key } = await apiKeys.create(tenantId, { name: 'revoked', role: 'admin' });
      await expect(withKey(key)).resolves.toBeDefined();
      await apiKeys.revoke(tenantId, apiKey.id);
      await expect(withKey(key)).rejects.toThrow(/^Unauthorized$/);
    });
    it('expired key', async () => {
      const { key } = await apiKeys.create(tenantId, {
        name: 'expiring',
        role: 'viewer',
        expiresAt: new Date(keyNow.getTime() + 60_000).toISOString(),
      });
      await expect(withKey(key)).resolves.toBeDefined();
      const saved = keyNow;
      keyNow = new Date(saved.getTime() + 60_000);
      try {
        await expect(withKey(key)).rejects.toThrow(/^Unauthorized$/);
      } finally {
        keyNow = saved;
      }
    });
    it('wrong secret with a valid prefix', async () => {
      const { key } = await apiKeys.create(tenantId, { name: 'victim', role: 'admin' });
      const { key: other } = await apiKeys.create(tenantId, { name: 'other', role: 'viewer' });
      await expect(withKey(key)).resolves.toBeDefined();
      await expect(withKey(`${key.slice(0, 14)}${other.slice(14)}`)).rejects.toThrow(/^Unauthorized$/);
    });
    it('key of a suspended tenant', async () => {
      const { key } = await apiKeys.create(suspendedId, { name: 'svc', role: 'developer' });
      await expect(withKey(key)).resolves.toBeDefined();
      await tenants.suspend(suspendedId, 'test');
      try {
        await expect(withKey(key)).rejects.toThrow(/^Unauthorized$/);
      } finally {
        await tenants.resume(suspendedId, 'test');
      }
    });
    it('garbage and unknown keys', async () => {
      await expect(withKey('glaf_00000000_' + 'A'.repeat(43))).rejects.toThrow(/^Unauthorized$/);
      await expect(withKey("' or 1=1 --")).rejects.toThrow(/^Unauthorized$/);
    });
  });

  describe('credential shape', () => {
    it('refuses no credentials, other schemes, and a token together with an API key', async () => {
      const token = f.rs(header(), claims());
      const { key } = await apiKeys.create(tenantId, { name: 'both', role: 'viewer' });
      await expect(authorize({ headers: {} })).rejects.toThrow(/^Unauthorized$/);
      await expect(authorize({ headers: null })).rejects.toThrow(/^Unauthorized$/);
      await expect(authorize({ headers: { authorization: `Basic ${token}` } })).rejects.toThrow(
        /^Unauthorized$/,
      );
      await expect(authorize({ headers: { authorization: token } })).rejects.toThrow(/^Unauthorized$/);
      await expect(
        authorize({ headers: { authorization: `Bearer ${token}`, 'x-api-key': key } }),
      ).rejects.toThrow(/^Unauthorized$/);
    });

    it('never logs a token or key, only the reason', async () => {
      const token = f.rs(header(), claims({ aud: 'x' }));
      const { key } = await apiKeys.create(tenantId, { name: 'log', role: 'viewer' });
      await apiKeys.revoke(tenantId, (await apiKeys.list(tenantId)).find((k) => k.name === 'log')!.id);
      warnings.length = 0;
      await expect(authorize(bearer(token))).rejects.toThrow();
      await expect(authorize({ headers: { 'x-api-key': key } })).rejects.toThrow();
      expect(warnings).toHaveLength(2);
      expect(warnings.join('\n')).not.toContain(token.split('.')[2]!);
      expect(warnings.join('\n')).not.toContain(key.slice(14));
      expect(warnings[1]).toContain('revoked');
    });

    it('refuses a methodArn that is not an execute-api ARN instead of allowing "*"', async () => {
      await expect(
        authorize({ ...bearer(f.rs(header(), claims())), methodArn: 'arn:aws:s3:::bucket' }),
      ).rejects.toThrow(/Unexpected methodArn/);
    });
  });
});
