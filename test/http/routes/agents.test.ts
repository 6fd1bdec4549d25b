/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- JSON response bodies: the assertions are the type checks */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, member, onboard, startApi } from './harness.js';

/** A tenant's declarative agent on published factors: onsite heat, DESNZ 2024. */
const heatSpec = (version: string) => ({
  id: 'site-heat',
  version,
  name: 'Site heat',
  description: 'Onsite heat of tenant A, DESNZ 2024',
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
// DESNZ 2024 onsite heat and steam 0.17965 kg CO2e/kWh: 2 MWh = 2000 kWh -> 359.3 kg.
const golden = [{ name: 'two MWh', input: { mwh: 2 }, expected: { kwh: 2000, kg_co2e: 359.3 } }];

describe('agent routes', () => {
  let api: Api;
  let a: string;
  let b: string;

  beforeAll(async () => {
    api = await startApi();
    a = await onboard(api, 'agents-a');
    b = await onboard(api, 'agents-b');
  }, 60_000);
  afterAll(async () => api?.close());

  const dev = () => member(a, 'developer');

  describe('platform agents', () => {
    it('lists built-in and declarative platform agents with cursor pagination', async () => {
      const all = await api.call('GET', '/v1/agents', { as: member(a, 'viewer'), query: { limit: '100' } });
      expect(all.status).toBe(200);
      const ids = all.body.items.map((x: { agent_id: string }) => x.agent_id);
      expect(ids).toEqual(expect.arrayContaining(['fuel-emissions', 'cbam', 'eudr', 'building-energy']));
      expect(all.body.items.find((x: { agent_id: string }) => x.agent_id === 'fuel-emissions')).toMatchObject(
        {
          owner: 'platform',
          kind: 'builtin',
        },
      );
      expect(all.body.items.some((x: { kind: string }) => x.kind === 'declarative')).toBe(true);
      expect(all.body.next_cursor).toBeNull();

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string> = cursor ? { limit: '3', cursor } : { limit: '3' };
        const page = await api.call('GET', '/v1/agents', { as: member(a, 'viewer'), query });
        expect(page.body.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.body.items.map((x: { agent_id: string }) => x.agent_id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(seen).toEqual(ids);
    });

    it('gets an agent with its versions, and 404 for an unknown one', async () => {
      const res = await api.call('GET', '/v1/agents/fuel-emissions', { as: member(a, 'viewer') });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        agent_id: 'fuel-emissions',
        versions: [{ version: '1.0.0', status: 'certified' }],
      });
      const missing = await api.call('GET', '/v1/agents/no-such-agent', { as: member(a, 'viewer') });
      expect(missing.status).toBe(404);
    });

    it('refuses a bad cursor and a bad limit', async () => {
      const as = member(a, 'viewer');
      expect((await api.call('GET', '/v1/agents', { as, query: { cursor: '!!' } })).status).toBe(400);
      expect((await api.call('GET', '/v1/agents', { as, query: { limit: 'x' } })).status).toBe(400);
    });
  });

  describe("the tenant's declarative agents", () => {
    it('registers from a spec (draft 1.0.0), audited; a duplicate is a 409', async () => {
      const res = await api.call('POST', '/v1/agents', {
        as: dev(),
        body: { spec: heatSpec('1.0.0'), golden_tests: golden },
      });

      expect(res.status).toBe(201);
      expect(res.headers.location).toBe('/v1/agents/site-heat');
      expect(res.body.agent).toMatchObject({
        agent_id: 'site-heat',
        owner: 'tenant',
        kind: 'declarative',
        display_name: 'Site heat',
      });
      expect(res.body.version).toMatchObject({ version: '1.0.0', status: 'draft', golden_tests: golden });
      const dup = await api.call('POST', '/v1/agents', { as: dev(), body: { spec: heatSpec('1.0.0') } });
      expect(dup.status).toBe(409);
    });

    it('refuses a spec that does not load with spec paths, and creates nothing', async () => {
      const bad = {
        ...heatSpec('1.0.0'),
        id: 'broken-heat',
        steps: [{ name: 'kwh', expression: '$convert(mwh, ' }],
      };
      const res = await api.call('POST', '/v1/agents', { as: dev(), body: { spec: bad } });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toMatch(/^body\.spec\.steps/);
      const after = await api.call('GET', '/v1/agents/broken-heat', { as: dev() });
      expect(after.status).toBe(404);
    });

    it('refuses register and publish for viewers and operators (403)', async () => {
      for (const role of ['viewer', 'operator'] as const) {
        const reg = await api.call('POST', '/v1/agents', {
          as: member(a, role),
          body: { spec: heatSpec('1.0.0') },
        });
        expect(reg.status).toBe(403);
        const pub = await api.call('POST', '/v1/agents/site-heat/versions', {
          as: member(a, role),
          body: { version: '1.1.0', manifest: heatSpec('1.1.0') },
        });
        expect(pub.status).toBe(403);
      }
    });

    it('publishes, lists and gets versions', async () => {
      const pub = await api.call('POST', '/v1/agents/site-heat/versions', {
        as: dev(),
        body: { version: '1.1.0', manifest: heatSpec('1.1.0'), golden_tests: golden },
      });
      expect(pub.status).toBe(201);
      expect(pub.headers.location).toBe('/v1/agents/site-heat/versions/1.1.0');
      const list = await api.call('GET', '/v1/agents/site-heat/versions', { as: member(a, 'viewer') });
      expect(list.body.items.map((v: { version: string }) => v.version)).toEqual(['1.0.0', '1.1.0']);
      const one = await api.call('GET', '/v1/agents/site-heat/versions/1.1.0', { as: member(a, 'viewer') });
      expect(one.body).toMatchObject({
        agent_id: 'site-heat',
        version: '1.1.0',
        status: 'draft',
        certified_at: null,
      });
      const mismatch = await api.call('POST', '/v1/agents/site-heat/versions', {
        as: dev(),
        body: { version: '1.2.0', manifest: heatSpec('1.1.0') },
      });
      expect(mismatch.status).toBe(400);
      const badVersion = await api.call('GET', '/v1/agents/site-heat/versions/1.x', { as: dev() });
      expect(badVersion.status).toBe(400);
    });

    it('promotes through the lifecycle (certification runs golden tests) and runs the agent', async () => {
      const promote = (version: string, to: string) =>
        api.call('POST', `/v1/agents/site-heat/versions/${version}/promote`, { as: dev(), body: { to } });
      expect((await promote('1.0.0', 'certified')).status).toBe(409); // no skipping
      expect((await promote('1.0.0', 'experimental')).body.status).toBe('experimental');
      const certified = await promote('1.0.0', 'certified');
      expect(certified.status).toBe(200);
      expect(certified.body).toMatchObject({ status: 'certified', certified_at: expect.any(String) });
      expect((await promote('1.0.0', 'draft')).status).toBe(400);

      const run = await api.call('POST', '/v1/executions', {
        as: member(a, 'operator'),
        body: { agent_id: 'site-heat', input: { mwh: 2 }, mode: 'sync' },
      });
      expect(run.status).toBe(200);
      expect(run.body).toMatchObject({ agent_version: '1.0.0', status: 'COMPLETED' });
      expect(run.body.output.kg_co2e).toBeCloseTo(359.3, 9);
    });

    it("keeps tenant B out of tenant A's agent: 404 on read, publish and promote, not listed", async () => {
      const as = member(b, 'admin');
      const reads = [
        await api.call('GET', '/v1/agents/site-heat', { as }),
        await api.call('GET', '/v1/agents/site-heat/versions', { as }),
        await api.call('GET', '/v1/agents/site-heat/versions/1.0.0', { as }),
        await api.call('POST', '/v1/agents/site-heat/versions', {
          as,
          body: { version: '9.0.0', manifest: heatSpec('9.0.0') },
        }),
        await api.call('POST', '/v1/agents/site-heat/versions/1.0.0/promote', {
          as,
          body: { to: 'deprecated' },
        }),
        await api.call('POST', '/v1/executions', {
          as,
          body: { agent_id: 'site-heat', input: { mwh: 2 }, mode: 'sync' },
        }),
      ];
      for (const res of reads) {
        expect(res.status).toBe(404);
        expect(res.text).not.toContain('Onsite heat of tenant A');
        expect(res.text).not.toContain(a);
      }
      const list = await api.call('GET', '/v1/agents', { as, query: { limit: '100' } });
      expect(list.text).not.toContain('site-heat');
      // Positive control: A still sees its version unchanged.
      const own = await api.call('GET', '/v1/agents/site-heat/versions/1.0.0', { as: dev() });
      expect(own.body.status).toBe('certified');
    });

    it('refuses changes to platform agents (409)', async () => {
      const res = await api.call('POST', '/v1/agents/fuel-emissions/versions/1.0.0/promote', {
        as: member(a, 'admin'),
        body: { to: 'deprecated' },
      });
      expect(res.status).toBe(409);
    });
  });

  describe('audit routes', () => {
    it("lists the tenant's trail with the agent writes, paged by sequence number", async () => {
      const res = await api.call('GET', '/v1/audit', { as: member(a, 'operator'), query: { limit: '100' } });
      expect(res.status).toBe(200);
      const actions = res.body.items.map((e: { action: string }) => e.action);
      expect(actions[0]).toBe('tenant.created');
      expect(actions).toEqual(
        expect.arrayContaining(['agent.registered', 'agent.version.published', 'agent.version.promoted']),
      );
      expect(res.body.items[1]).toMatchObject({ seq: 2, prev_hash: res.body.items[0].hash });
      const registered = res.body.items.find((e: { action: string }) => e.action === 'agent.registered');
      expect(registered).toMatchObject({
        actor: `user:developer@${a.slice(0, 8)}`,
        target: 'agent:site-heat',
      });

      const first = await api.call('GET', '/v1/audit', { as: member(a, 'admin'), query: { limit: '2' } });
      expect(first.body.items.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
      expect(first.body.next_cursor).toBe('2');
      const next = await api.call('GET', '/v1/audit', {
        as: member(a, 'admin'),
        query: { limit: '2', after: first.body.next_cursor },
      });
      expect(next.body.items[0].seq).toBe(3);
    });

    it('verifies the chain for admins only', async () => {
      const ok = await api.call('POST', '/v1/audit/verify', { as: member(a, 'admin') });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({
        ok: true,
        entries: expect.any(Number),
        head: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect((await api.call('POST', '/v1/audit/verify', { as: member(a, 'operator') })).status).toBe(403);
      expect((await api.call('GET', '/v1/audit', { as: member(a, 'viewer') })).status).toBe(403);
      expect((await api.call('GET', '/v1/audit', { as: member(a, 'developer') })).status).toBe(403);
    });

    it("shows tenant B none of tenant A's entries", async () => {
      const res = await api.call('GET', '/v1/audit', { as: member(b, 'admin'), query: { limit: '100' } });
      expect(res.status).toBe(200);
      expect(res.body.items.map((e: { action: string }) => e.action)).toEqual(['tenant.created']);
      expect(res.text).not.toContain('site-heat');
      expect(res.text).not.toContain(a);
    });
  });
});
