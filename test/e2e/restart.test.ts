/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- JSON response bodies: the assertions are the type checks */
/**
 * Start -> call -> stop -> restart on the same data directory: tenants, agents, executions
 * and the issuer's keys survive (a token minted before the restart still works).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { newDataDir, startTestPlatform, type TestPlatform } from './harness.js';

describe('local platform restart', () => {
  let p: TestPlatform | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    await p?.stop();
    await p?.dispose();
  });

  it('finds the same tenant, agent and execution after a restart', async () => {
    dataDir = await newDataDir();
    p = await startTestPlatform(dataDir);
    const demoId = p.platform.demo.tenantId;
    expect(p.platform.demo.created).toBe(true);
    const tenant = await p.tenant('keep-me');
    const reg = await p.call('POST', '/v1/agents', {
      token: tenant.admin,
      body: {
        spec: {
          id: 'doubler',
          version: '1.0.0',
          name: 'Doubler',
          description: 'doubles x',
          input: { type: 'object', required: ['x'], properties: { x: { type: 'number' } } },
          steps: [{ name: 'y', expression: 'x * 2' }],
          output: { y: '$y' },
        },
      },
    });
    expect(reg.status).toBe(201);
    const run = await p.call('POST', '/v1/executions', {
      token: tenant.admin,
      body: {
        agent_id: 'fuel-emissions',
        mode: 'sync',
        input: {
          lines: [
            {
              fuel: 'diesel',
              quantity: 10,
              unit: 'litres',
              period: { start: '2024-01-01', end: '2024-12-31' },
            },
          ],
        },
      },
    });
    expect(run.status).toBe(200);
    const executionId = run.body.execution_id as string;
    await p.stop();

    p = await startTestPlatform(dataDir);
    expect(p.platform.demo).toMatchObject({ tenantId: demoId, created: false });
    // The token minted before the restart: the issuer key was kept under <dataDir>/issuer.
    const got = await p.call('GET', `/v1/executions/${executionId}`, { token: tenant.admin });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ execution_id: executionId, status: 'COMPLETED' });
    expect(got.body.output).toEqual(run.body.output);
    const agent = await p.call('GET', '/v1/agents/doubler', { token: tenant.admin });
    expect(agent.status).toBe(200);
    const admin = await p.token(null, [], { platformAdmin: true });
    const t = await p.call('GET', `/v1/tenants/${tenant.id}`, { token: admin });
    expect(t.body).toMatchObject({ tenant_id: tenant.id, slug: 'keep-me', status: 'active' });
    // Platform agents and the catalogue were not loaded twice.
    const agents = await p.call('GET', '/v1/agents?limit=100', { token: tenant.admin });
    const ids = agents.body.items.map((a: { agent_id: string }) => a.agent_id) as string[];
    expect(ids.filter((id) => id === 'fuel-emissions')).toHaveLength(1);
  }, 120_000); // two platform starts
});
