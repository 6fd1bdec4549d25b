/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- JSON response bodies: the assertions are the type checks */
/**
 * The attack suite over real HTTP: forged and mis-claimed tokens (401), a revoked API key
 * (401), one tenant reaching for another's agents, executions, audit entries and keys by id
 * (404 with none of the other tenant's data in any body), and a viewer on a developer route
 * (403). Every denial has a positive control with the same request made legitimately, so a
 * request broken for another reason cannot pass as "denied".
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type Reply, type TestPlatform } from './harness.js';
import {
  decodeJwt,
  issuerPrivateKey,
  publicPem,
  signHs256,
  signRs256,
  tamper,
  unsigned,
  type Json,
} from './jwt-forge.js';

/** Setup steps fail loudly (expect belongs in tests, not hooks). */
function ok(r: Reply, status: number): void {
  if (r.status !== status) throw new Error(`setup: expected ${status}, got ${r.status}: ${r.text}`);
}

/** Marker that only tenant B's data contains. */
const B_SECRET = 'bsecret-7f3a9c';

const bSpec = {
  id: 'bsecret-agent',
  version: '1.0.0',
  name: 'B agent',
  description: `Private to tenant B (${B_SECRET})`,
  input: { type: 'object', required: ['x'], properties: { x: { type: 'number' } } },
  steps: [{ name: 'y', expression: 'x * 2' }],
  output: { y: '$y' },
};

describe('attack suite (local platform over HTTP)', () => {
  let p: TestPlatform;
  let a: { id: string; admin: string };
  let b: { id: string; admin: string };
  let key: KeyObject;
  let kid: string;
  let good: string;
  let claims: Json;
  let header: Json;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    p = await startTestPlatform();
    a = await p.tenant('tenant-a');
    b = await p.tenant('tenant-b');
    key = await issuerPrivateKey(p.dataDir);
    kid = p.platform.issuer.kid;
    good = await p.token(a.id, ['admin']);
    ({ header, payload: claims } = decodeJwt(good));
  });
  afterAll(async () => {
    await p?.stop();
    await p?.dispose();
  });

  describe('tokens', () => {
    const agents = (token: string) => p.call('GET', '/v1/agents', { token });
    const resigned = (change: (c: Json) => Json) => signRs256(header, change({ ...claims }), key);

    it('accepts the real token and a re-signed copy of it (positive controls)', async () => {
      expect((await agents(good)).status).toBe(200);
      // Same claims signed here with the issuer key: proves the forging below is sound.
      expect((await agents(resigned((c) => ({ ...c, jti: 'control' })))).status).toBe(200);
      expect(header).toMatchObject({ alg: 'RS256', kid });
    });

    const cases: [string, () => string][] = [
      ['alg: none', () => unsigned({ ...header, alg: 'none' }, claims)],
      [
        'HS256 signed with the public key',
        () => signHs256({ ...header, alg: 'HS256' }, claims, publicPem(key)),
      ],
      ['expired', () => resigned((c) => ({ ...c, iat: now() - 7200, exp: now() - 3600 }))],
      ['not yet valid (nbf in the future)', () => resigned((c) => ({ ...c, nbf: now() + 3600 }))],
      ['wrong issuer', () => resigned((c) => ({ ...c, iss: 'https://evil.example' }))],
      ['wrong audience', () => resigned((c) => ({ ...c, aud: 'someone-else' }))],
      ['tampered payload (tenant B)', () => tamper(good, { ...claims, tenant_id: b.id })],
      [
        'unknown kid',
        () => {
          const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
          return signRs256({ ...header, kid: 'not-a-known-key' }, claims, other);
        },
      ],
      [
        'missing tenant claim',
        () =>
          resigned((c) => {
            delete c['tenant_id'];
            return c;
          }),
      ],
      [
        'no exp claim',
        () =>
          resigned((c) => {
            delete c['exp'];
            return c;
          }),
      ],
      ['an ID token (token_use: id)', () => resigned((c) => ({ ...c, token_use: 'id' }))],
      ['garbage', () => 'not.a.jwt'],
    ];
    it.each(cases)('refuses %s with 401 problem+json', async (_name, forge) => {
      const r = await agents(forge());
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.text).not.toContain('fuel-emissions');
    });

    it('refuses a request without credentials with 401', async () => {
      expect((await p.call('GET', '/v1/agents')).status).toBe(401);
    });

    it('refuses a revoked API key with 401 (an identical unrevoked key works)', async () => {
      const mk = async (name: string) => {
        const r = await p.call('POST', '/v1/api-keys', { token: a.admin, body: { name, role: 'viewer' } });
        expect(r.status).toBe(201);
        return { id: r.body.id as string, raw: r.body.key as string };
      };
      const control = await mk('control');
      const old = await mk('old');
      expect((await p.call('GET', '/v1/agents', { apiKey: control.raw })).status).toBe(200);
      // Not used before revocation: the authorizer's result, like API Gateway's, is cached
      // for 5 minutes per key, so a key used just before revocation works until that expires.
      const revoked = await p.call('DELETE', `/v1/api-keys/${old.id}`, { token: a.admin });
      expect([200, 204]).toContain(revoked.status);
      const r = await p.call('GET', '/v1/agents', { apiKey: old.raw });
      expect(r.status).toBe(401);
      expect(r.text).not.toContain('fuel-emissions');
    });
  });

  describe('tenant isolation', () => {
    let bExecution: string;
    let bPending: string;
    let bKeyId: string;

    beforeAll(async () => {
      const reg = await p.call('POST', '/v1/agents', { token: b.admin, body: { spec: bSpec } });
      ok(reg, 201);
      const run = await p.call('POST', '/v1/executions', {
        token: b.admin,
        body: {
          agent_id: 'fuel-emissions',
          mode: 'sync',
          input: {
            lines: [
              {
                id: B_SECRET,
                fuel: 'diesel',
                quantity: 1,
                unit: 'litres',
                period: { start: '2024-01-01', end: '2024-12-31' },
              },
            ],
          },
        },
      });
      ok(run, 200);
      bExecution = run.body.execution_id as string;
      const pending = await p.platform.composed.executionStore.create(b.id, {
        agentId: 'fuel-emissions',
        agentVersion: '1.0.0',
        input: { lines: [], note: B_SECRET },
        priority: 2,
      });
      bPending = pending.execution.executionId;
      const k = await p.call('POST', '/v1/api-keys', {
        token: b.admin,
        body: { name: B_SECRET, role: 'viewer' },
      });
      ok(k, 201);
      bKeyId = k.body.id as string;
    });

    const noBData = (text: string) => {
      expect(text).not.toContain(B_SECRET);
      expect(text).not.toContain('tenant-b');
    };

    it('B sees its own things (positive controls)', async () => {
      expect((await p.call('GET', '/v1/agents/bsecret-agent', { token: b.admin })).status).toBe(200);
      expect((await p.call('GET', `/v1/executions/${bExecution}`, { token: b.admin })).status).toBe(200);
      const audit = await p.call('GET', '/v1/audit?limit=100', { token: b.admin });
      expect(audit.status).toBe(200);
      expect(audit.body.items.length).toBeGreaterThan(0);
    });

    const attempts: [string, string, () => string, unknown?][] = [
      ['reading B agent', 'GET', () => '/v1/agents/bsecret-agent'],
      ['listing B agent versions', 'GET', () => '/v1/agents/bsecret-agent/versions'],
      ['reading B agent version', 'GET', () => '/v1/agents/bsecret-agent/versions/1.0.0'],
      [
        'publishing to B agent',
        'POST',
        () => '/v1/agents/bsecret-agent/versions',
        { version: '1.0.1', manifest: { ...bSpec, version: '1.0.1' } },
      ],
      [
        'promoting B agent version',
        'POST',
        () => '/v1/agents/bsecret-agent/versions/1.0.0/promote',
        { to: 'experimental' },
      ],
      ['reading B execution', 'GET', () => `/v1/executions/${bExecution}`],
      ['cancelling B pending execution', 'POST', () => `/v1/executions/${bPending}/cancel`],
      ['revoking B API key', 'DELETE', () => `/v1/api-keys/${bKeyId}`],
    ];
    it.each(attempts)('A %s gets 404 and nothing of B', async (_name, method, path, body) => {
      const r = await p.call(method, path(), { token: a.admin, ...(body === undefined ? {} : { body }) });
      expect(r.status).toBe(404);
      noBData(r.text);
    });

    it("B's pending execution and API key are untouched after A's attempts", async () => {
      const pending = await p.call('GET', `/v1/executions/${bPending}`, { token: b.admin });
      expect(pending.body).toMatchObject({ status: 'PENDING' });
      const keys = await p.call('GET', '/v1/api-keys', { token: b.admin });
      expect(keys.body.items.map((k: { id: string }) => k.id)).toContain(bKeyId);
    });

    it("A's lists and audit trail hold none of B's agents, executions or audit entries", async () => {
      for (const path of [
        '/v1/agents?limit=100',
        '/v1/executions?limit=100',
        '/v1/audit?limit=100',
        '/v1/api-keys',
      ]) {
        const r = await p.call('GET', path, { token: a.admin });
        expect(r.status).toBe(200);
        noBData(r.text);
        expect(r.text).not.toContain(bExecution);
        expect(r.text).not.toContain(b.id);
      }
    });

    it("A's audit cursor past B's entries still returns only A's", async () => {
      const r = await p.call('GET', '/v1/audit?after=0&limit=100', { token: a.admin });
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeGreaterThan(0);
      expect(r.text).not.toContain(b.id);
    });
  });

  describe('roles', () => {
    it('refuses a viewer on a developer route with 403, and lets a developer through', async () => {
      const body = { spec: { ...bSpec, id: 'viewer-try', description: 'x' } };
      const viewer = await p.token(a.id, ['viewer']);
      const r = await p.call('POST', '/v1/agents', { token: viewer, body });
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect((await p.call('GET', '/v1/agents', { token: viewer })).status).toBe(200);
      const developer = await p.token(a.id, ['developer']);
      expect((await p.call('POST', '/v1/agents', { token: developer, body })).status).toBe(201);
    });

    it('refuses a tenant admin on a platform-admin route with 403', async () => {
      expect((await p.call('GET', '/v1/tenants', { token: a.admin })).status).toBe(403);
    });
  });
});
