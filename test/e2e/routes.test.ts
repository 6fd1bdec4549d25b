/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- JSON response bodies: the assertions are the type checks */
/**
 * Every route's happy path over real HTTP against the local platform: the route table,
 * authorizer, RBAC, rate limiter and stores exactly as `npm start` runs them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './harness.js';

/** A tenant's declarative agent: onsite heat bought in MWh, DESNZ 2024 (0.17965 kg CO2e/kWh). */
const heatSpec = (version: string) => ({
  id: 'site-heat',
  version,
  name: 'Site heat',
  description: 'Onsite heat and steam bought in MWh, DESNZ 2024',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['mwh'],
    properties: { mwh: { type: 'number', minimum: 0 } },
  },
  steps: [
    { name: 'kwh', expression: "$convert(mwh, 'MWh', 'kWh')" },
    { name: 'f', expression: "$factor('heat-steam/onsite', 'GB', 'kWh')" },
  ],
  output: { kwh: '$kwh', kg_co2e: '$kwh * $f.value' },
});
// 2 MWh = 2000 kWh x 0.17965 = 359.3 kg
const goldenTests = [{ name: 'two MWh', input: { mwh: 2 }, expected: { kwh: 2000, kg_co2e: 359.3 } }];

const dieselLine = {
  fuel: 'diesel',
  quantity: 1000,
  unit: 'litres',
  period: { start: '2024-01-01', end: '2024-12-31' },
};

describe('every route over HTTP (local platform)', () => {
  let p: TestPlatform;
  let platformAdmin: string;
  let tenant: { id: string; admin: string };

  beforeAll(async () => {
    p = await startTestPlatform();
    platformAdmin = await p.token(null, [], { platformAdmin: true });
    tenant = await p.tenant('acme');
  });
  afterAll(async () => {
    await p?.stop();
    await p?.dispose();
  });

  describe('system', () => {
    it('answers /health, /ready and the OpenAPI document without a token', async () => {
      expect((await p.call('GET', '/health')).status).toBe(200);
      const ready = await p.call('GET', '/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready' });
      const doc = await p.call('GET', '/v1/openapi.json');
      expect(doc.status).toBe(200);
      expect(Object.keys(doc.body.paths as object)).toEqual(
        expect.arrayContaining(['/v1/agents', '/v1/executions', '/v1/tenants/{tenantId}']),
      );
    });

    it('serves the local issuer JWKS', async () => {
      const r = await p.call('GET', '/.well-known/jwks.json');
      expect(r.status).toBe(200);
      expect(r.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
      expect(r.body.keys[0]).not.toHaveProperty('d');
    });
  });

  describe('tenants (platform admin)', () => {
    it('onboards, lists, gets, updates quotas and config, suspends, resumes and offboards', async () => {
      const created = await p.call('POST', '/v1/tenants', {
        token: platformAdmin,
        body: {
          slug: 'globex',
          name: 'Globex',
          home_region: 'eu-west-1',
          admin: { email: 'a@globex.example' },
        },
      });
      expect(created.status).toBe(201);
      const id = created.body.tenant.tenant_id as string;

      const list = await p.call('GET', '/v1/tenants', { token: platformAdmin });
      expect(list.status).toBe(200);
      expect(list.body.items.map((t: { slug: string }) => t.slug)).toEqual(
        expect.arrayContaining(['acme', 'demo', 'globex']),
      );

      const got = await p.call('GET', `/v1/tenants/${id}`, { token: platformAdmin });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ tenant_id: id, slug: 'globex', status: 'active' });

      const quotas = await p.call('PATCH', `/v1/tenants/${id}/quotas`, {
        token: platformAdmin,
        body: { api_calls_per_minute: 1234 },
      });
      expect(quotas.status).toBe(200);
      expect(quotas.body).toMatchObject({ api_calls_per_minute: 1234 });

      const config = await p.call('PATCH', `/v1/tenants/${id}/config`, {
        token: platformAdmin,
        body: { reporting_currency: 'EUR' },
      });
      expect(config.status).toBe(200);

      const suspended = await p.call('POST', `/v1/tenants/${id}/suspend`, { token: platformAdmin });
      expect(suspended.status).toBe(200);
      expect(suspended.body).toMatchObject({ status: 'suspended' });
      const resumed = await p.call('POST', `/v1/tenants/${id}/resume`, { token: platformAdmin });
      expect(resumed.body).toMatchObject({ status: 'active' });

      const offboarded = await p.call('POST', `/v1/tenants/${id}/offboard`, { token: platformAdmin });
      expect(offboarded.status).toBe(200);
      expect((await p.call('GET', `/v1/tenants/${id}`, { token: platformAdmin })).status).toBe(404);
    });
  });

  describe('agents and versions', () => {
    it('lists and gets platform agents', async () => {
      const list = await p.call('GET', '/v1/agents', { token: tenant.admin });
      expect(list.status).toBe(200);
      expect(list.body.items.map((a: { agent_id: string }) => a.agent_id)).toContain('fuel-emissions');
      const got = await p.call('GET', '/v1/agents/fuel-emissions', { token: tenant.admin });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ agent_id: 'fuel-emissions', owner: 'platform' });
    });

    it('registers a declarative agent, publishes and promotes a version, and runs it', async () => {
      const registered = await p.call('POST', '/v1/agents', {
        token: tenant.admin,
        body: { spec: heatSpec('1.0.0'), golden_tests: goldenTests },
      });
      expect(registered.status).toBe(201);
      expect(registered.body.agent).toMatchObject({ agent_id: 'site-heat', owner: 'tenant' });

      const published = await p.call('POST', '/v1/agents/site-heat/versions', {
        token: tenant.admin,
        body: { version: '1.1.0', manifest: heatSpec('1.1.0'), golden_tests: goldenTests },
      });
      expect(published.status).toBe(201);
      expect(published.body).toMatchObject({ version: '1.1.0', status: 'draft' });

      const versions = await p.call('GET', '/v1/agents/site-heat/versions', { token: tenant.admin });
      expect(versions.body.items.map((v: { version: string }) => v.version)).toEqual(
        expect.arrayContaining(['1.0.0', '1.1.0']),
      );
      const promoted = await p.call('POST', '/v1/agents/site-heat/versions/1.1.0/promote', {
        token: tenant.admin,
        body: { to: 'experimental' },
      });
      expect(promoted.status).toBe(200);
      expect(promoted.body).toMatchObject({ status: 'experimental' });
      const got = await p.call('GET', '/v1/agents/site-heat/versions/1.1.0', { token: tenant.admin });
      expect(got.body).toMatchObject({ version: '1.1.0', status: 'experimental' });

      const run = await p.call('POST', '/v1/executions', {
        token: tenant.admin,
        body: { agent_id: 'site-heat', version: '1.1.0', mode: 'sync', input: { mwh: 2 } },
      });
      expect(run.status).toBe(200);
      expect(run.body).toMatchObject({ status: 'COMPLETED' });
      expect(JSON.stringify(run.body)).toContain('359.3');
    });
  });

  describe('executions', () => {
    it('runs fuel-emissions synchronously, then gets and lists it', async () => {
      const run = await p.call('POST', '/v1/executions', {
        token: tenant.admin,
        body: { agent_id: 'fuel-emissions', mode: 'sync', input: { lines: [dieselLine] } },
      });
      expect(run.status).toBe(200);
      expect(run.body).toMatchObject({ agent_id: 'fuel-emissions', status: 'COMPLETED' });
      // DESNZ 2024 diesel (average biofuel blend) 2.51279 kg CO2e/L x 1000 L
      expect(run.body.output.totals.co2e_kg).toBeCloseTo(2512.79, 6);
      const id = run.body.execution_id as string;

      const got = await p.call('GET', `/v1/executions/${id}`, { token: tenant.admin });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ execution_id: id, status: 'COMPLETED' });
      const list = await p.call('GET', '/v1/executions?agent_id=fuel-emissions&limit=5', {
        token: tenant.admin,
      });
      expect(list.status).toBe(200);
      expect(list.body.items.map((e: { execution_id: string }) => e.execution_id)).toContain(id);
    });

    it('accepts an async execution with 202 and a Location that leads to it', async () => {
      const r = await p.call('POST', '/v1/executions', {
        token: tenant.admin,
        body: { agent_id: 'fuel-emissions', input: { lines: [dieselLine] } },
      });
      expect(r.status).toBe(202);
      const location = r.headers.get('location');
      expect(location).toBe(`/v1/executions/${r.body.execution_id as string}`);
      const got = await p.call('GET', location!, { token: tenant.admin });
      expect(got.status).toBe(200);
      expect(got.body.execution_id).toBe(r.body.execution_id);
    });

    it('cancels a pending execution', async () => {
      // Stored directly so it stays PENDING: the inline dispatcher would run one made over HTTP.
      const { execution } = await p.platform.composed.executionStore.create(tenant.id, {
        agentId: 'fuel-emissions',
        agentVersion: '1.0.0',
        input: { lines: [dieselLine] },
        priority: 2,
      });
      const r = await p.call('POST', `/v1/executions/${execution.executionId}/cancel`, {
        token: tenant.admin,
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ execution_id: execution.executionId, status: 'CANCELLED' });
    });
  });

  describe('factors', () => {
    it('searches, gets by id, looks up at a point in time and diffs versions', async () => {
      const search = await p.call('GET', '/v1/factors?q=diesel&limit=5', { token: tenant.admin });
      expect(search.status).toBe(200);
      expect(search.body.items.length).toBeGreaterThan(0);
      const factorId = 'desnz/2024/fuel/diesel-average-biofuel-blend/gb/l';
      const got = await p.call('GET', `/v1/factors/${encodeURIComponent(factorId)}`, { token: tenant.admin });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ value: 2.51279 });

      const q = new URLSearchParams({
        activity: 'fuel/diesel-average-biofuel-blend',
        region: 'GB',
        unit: 'L',
        as_of: '2024-06-01',
      });
      const lookup = await p.call('GET', `/v1/factors/lookup?${q.toString()}`, { token: tenant.admin });
      expect(lookup.status).toBe(200);
      expect(lookup.body).toMatchObject({ value: 2.51279 });

      const diff = await p.call('GET', '/v1/factors/diff?source=DESNZ&from=2023&to=2024', {
        token: tenant.admin,
      });
      expect(diff.status).toBe(200);
      expect(JSON.stringify(diff.body)).toContain('changed');
    });
  });

  describe('audit, usage and API keys', () => {
    it('lists and verifies the audit chain', async () => {
      const list = await p.call('GET', '/v1/audit?limit=10', { token: tenant.admin });
      expect(list.status).toBe(200);
      expect(list.body.items.length).toBeGreaterThan(0); // onboarding wrote entries
      const verify = await p.call('POST', '/v1/audit/verify', { token: tenant.admin });
      expect(verify.status).toBe(200);
      expect(verify.body).toMatchObject({ ok: true });
    });

    it('reports quotas and consumption', async () => {
      const r = await p.call('GET', '/v1/usage', { token: tenant.admin });
      expect(r.status).toBe(200);
      expect(JSON.stringify(r.body)).toContain('executions');
    });

    it('creates an API key shown once, authenticates with it, lists it without the secret and revokes it', async () => {
      const created = await p.call('POST', '/v1/api-keys', {
        token: tenant.admin,
        body: { name: 'ci', role: 'viewer' },
      });
      expect(created.status).toBe(201);
      const raw = created.body.key as string;
      expect(raw).toMatch(/^glaf_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
      const keyId = created.body.id as string;

      const asKey = await p.call('GET', '/v1/agents', { apiKey: raw });
      expect(asKey.status).toBe(200);

      const list = await p.call('GET', '/v1/api-keys', { token: tenant.admin });
      expect(list.status).toBe(200);
      expect(list.body.items.map((k: { id: string }) => k.id)).toContain(keyId);
      expect(list.text).not.toContain(raw.split('_')[2]);

      const revoked = await p.call('DELETE', `/v1/api-keys/${keyId}`, { token: tenant.admin });
      expect([200, 204]).toContain(revoked.status);
    });
  });
});
