/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- JSON response bodies: the assertions are the type checks */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTAS } from '../../../lib/domain/quotas.js';
import { type Api, member, onboard, startApi } from './harness.js';

const platform = (subject: string) => ({ platformAdmin: true, subject });

describe('tenant routes (platform admins)', () => {
  let api: Api;

  beforeAll(async () => {
    api = await startApi();
  }, 60_000);
  afterAll(async () => api?.close());

  describe('createTenant', () => {
    it('onboards a tenant with its admin and answers 201 in snake_case', async () => {
      const res = await api.call('POST', '/v1/tenants', {
        as: platform('ops-1'),
        body: {
          slug: 'acme',
          name: 'Acme Ltd',
          tier: 'pool',
          home_region: 'eu-west-1',
          config: { reporting_currency: 'EUR', data_residency: 'eu' },
          admin: { email: 'admin@acme.example', display_name: 'First Admin' },
        },
      });

      expect(res.status).toBe(201);
      expect(res.body.tenant).toEqual({
        tenant_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        slug: 'acme',
        name: 'Acme Ltd',
        tier: 'pool',
        status: 'active',
        home_region: 'eu-west-1',
        config: { reporting_currency: 'EUR', data_residency: 'eu' },
        created_at: expect.any(String),
      });
      expect(res.body.admin_user_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.location).toBe(`/v1/tenants/${res.body.tenant.tenant_id}`);
    });

    it('lists every invalid field, and 409 for a taken slug', async () => {
      const res = await api.call('POST', '/v1/tenants', {
        as: platform('ops-2'),
        body: { slug: 'A!', name: '', home_region: 'mars', admin: { email: 'nope' } },
      });
      expect(res.status).toBe(400);
      const paths = res.body.errors.map((e: { path: string }) => e.path);
      expect(paths).toEqual(
        expect.arrayContaining(['body.slug', 'body.name', 'body.home_region', 'body.admin.email']),
      );
      const dup = await api.call('POST', '/v1/tenants', {
        as: platform('ops-2'),
        body: { slug: 'acme', name: 'Again', home_region: 'eu-west-1', admin: { email: 'a@b.example' } },
      });
      expect(dup.status).toBe(409);
    });

    it('needs the platform-admin claim: a tenant admin gets 403, no principal 401', async () => {
      const tenant = await onboard(api, 'not-platform');
      const body = { slug: 'sneaky', name: 'x', home_region: 'eu-west-1', admin: { email: 'a@b.example' } };
      expect((await api.call('POST', '/v1/tenants', { as: member(tenant, 'admin'), body })).status).toBe(403);
      expect((await api.call('POST', '/v1/tenants', { body })).status).toBe(401);
      expect((await api.call('GET', `/v1/tenants/${tenant}`, { as: member(tenant, 'admin') })).status).toBe(
        403,
      );
    });
  });

  describe('listTenants / getTenant', () => {
    it('pages tenants by slug with a cursor', async () => {
      for (const slug of ['list-b', 'list-a', 'list-c']) await onboard(api, slug);
      const slugs: string[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string> = cursor ? { limit: '2', cursor } : { limit: '2' };
        const res = await api.call('GET', '/v1/tenants', { as: platform('ops-3'), query });
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        slugs.push(...res.body.items.map((t: { slug: string }) => t.slug));
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(slugs).toEqual([...slugs].sort());
      expect(slugs).toEqual(expect.arrayContaining(['acme', 'list-a', 'list-b', 'list-c']));
    });

    it('gets a tenant with its quotas; 404 unknown, 400 malformed', async () => {
      const id = await onboard(api, 'get-me');
      const res = await api.call('GET', `/v1/tenants/${id}`, { as: platform('ops-4') });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        tenant_id: id,
        slug: 'get-me',
        quotas: {
          max_agents: DEFAULT_QUOTAS.pool.maxAgents,
          api_calls_per_minute: DEFAULT_QUOTAS.pool.apiCallsPerMinute,
          executions_per_month: DEFAULT_QUOTAS.pool.executionsPerMonth,
        },
      });
      const unknown = '0b6f1c1e-8a1d-4c3e-9a57-1f0e2d3c4b5a';
      expect((await api.call('GET', `/v1/tenants/${unknown}`, { as: platform('ops-4') })).status).toBe(404);
      const bad = await api.call('GET', '/v1/tenants/acme', { as: platform('ops-4') });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].path).toBe('params.tenantId');
    });
  });

  describe('quotas, config and lifecycle', () => {
    it('updates some quotas; an empty or unknown patch is a 400', async () => {
      const id = await onboard(api, 'quota-me');
      const as = platform('ops-5');
      const res = await api.call('PATCH', `/v1/tenants/${id}/quotas`, {
        as,
        body: { api_calls_per_minute: 1200, max_agents: 5 },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ api_calls_per_minute: 1200, max_agents: 5 });
      expect(res.body.executions_per_month).toBe(DEFAULT_QUOTAS.pool.executionsPerMonth);
      expect((await api.call('PATCH', `/v1/tenants/${id}/quotas`, { as, body: {} })).status).toBe(400);
      const unknown = await api.call('PATCH', `/v1/tenants/${id}/quotas`, { as, body: { maxAgents: 1 } });
      expect(unknown.status).toBe(400);
      const negative = await api.call('PATCH', `/v1/tenants/${id}/quotas`, { as, body: { max_agents: -1 } });
      expect(negative.body.errors[0].path).toBe('body.max_agents');
    });

    it('replaces the config', async () => {
      const id = await onboard(api, 'config-me');
      const res = await api.call('PATCH', `/v1/tenants/${id}/config`, {
        as: platform('ops-6'),
        body: { default_region: 'GB', factor_sources: ['DESNZ'], labels: { team: 'ops' } },
      });
      expect(res.status).toBe(200);
      expect(res.body.config).toEqual({
        default_region: 'GB',
        factor_sources: ['DESNZ'],
        labels: { team: 'ops' },
      });
      const bad = await api.call('PATCH', `/v1/tenants/${id}/config`, {
        as: platform('ops-6'),
        body: { reporting_currency: 'euro' },
      });
      expect(bad.status).toBe(400);
    });

    it('suspends and resumes, each audited in the tenant trail; resuming an active tenant is a 409', async () => {
      const id = await onboard(api, 'pause-me');
      const as = platform('ops-7');
      const suspended = await api.call('POST', `/v1/tenants/${id}/suspend`, { as });
      expect(suspended.status).toBe(200);
      expect(suspended.body.status).toBe('suspended');
      const resumed = await api.call('POST', `/v1/tenants/${id}/resume`, { as });
      expect(resumed.body.status).toBe('active');
      expect((await api.call('POST', `/v1/tenants/${id}/resume`, { as })).status).toBe(409);
      const trail = await api.call('GET', '/v1/audit', { as: member(id, 'admin') });
      expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual([
        'tenant.created',
        'tenant.suspended',
        'tenant.resumed',
      ]);
      expect(trail.body.items[1].actor).toBe('user:ops-7');
    });

    it('offboards: exports then deletes; the export is written and the tenant is a tombstone', async () => {
      const id = await onboard(api, 'leave-me');
      const res = await api.call('POST', `/v1/tenants/${id}/offboard`, { as: platform('ops-8') });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        tenant_id: id,
        export_location: expect.stringContaining(api.exportsDir),
        export_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        audit_retained_until: expect.any(String),
      });
      const file = res.body.export_location as string;
      expect(existsSync(file)).toBe(true);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ tenantId: id });
      const after = await api.call('GET', `/v1/tenants/${id}`, { as: platform('ops-8') });
      // Offboarded tenants are not served (the row stays only as a tombstone for the audit trail).
      expect(after.status).toBe(404);
      expect((await api.call('POST', `/v1/tenants/${id}/offboard`, { as: platform('ops-8') })).status).toBe(
        409,
      );
    });
  });

  describe('usage', () => {
    it("shows quotas and this month's consumption, per tenant", async () => {
      const a = await onboard(api, 'usage-a');
      const b = await onboard(api, 'usage-b');
      const run = await api.call('POST', '/v1/executions', {
        as: member(a, 'operator'),
        body: {
          agent_id: 'fuel-emissions',
          mode: 'sync',
          input: {
            lines: [
              {
                id: 'gas',
                fuel: 'Natural gas',
                quantity: 1000,
                unit: 'kWh',
                period: { start: '2024-01-01', end: '2024-12-31' },
              },
            ],
          },
        },
      });
      expect(run.body.status).toBe('COMPLETED');

      const res = await api.call('GET', '/v1/usage', { as: member(a, 'viewer') });
      expect(res.status).toBe(200);
      expect(res.body.month).toBe(new Date().toISOString().slice(0, 7));
      expect(res.body.quotas.executions_per_month).toBe(DEFAULT_QUOTAS.pool.executionsPerMonth);
      expect(res.body.consumption.executions).toBe(1);
      expect(res.body.consumption.compute_ms).toBeGreaterThanOrEqual(1);
      expect(res.body.remaining.executions).toBe(DEFAULT_QUOTAS.pool.executionsPerMonth - 1);

      const other = await api.call('GET', '/v1/usage', { as: member(b, 'viewer') });
      expect(other.body.consumption).toEqual({ executions: 0, compute_ms: 0, api_calls: 0 });
      const past = await api.call('GET', '/v1/usage', {
        as: member(a, 'viewer'),
        query: { month: '2020-01' },
      });
      expect(past.body).toMatchObject({ month: '2020-01', consumption: { executions: 0 } });
      const bad = await api.call('GET', '/v1/usage', {
        as: member(a, 'viewer'),
        query: { month: '2020-13' },
      });
      expect(bad.status).toBe(400);
    });
  });
});
