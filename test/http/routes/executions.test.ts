/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment -- JSON response bodies: the assertions are the type checks */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, member, onboard, startApi } from './harness.js';

const fuelInput = JSON.parse(readFileSync('lib/agents/examples/fuel-emissions.json', 'utf8')) as Record<
  string,
  unknown
>;
/** 1,000 kWh of natural gas, DESNZ 2024: small, and with a distinctive quantity to look for. */
const smallInput = {
  factor_source: 'DESNZ',
  lines: [
    {
      id: 'secret-line-of-a',
      fuel: 'Natural gas',
      quantity: 987654,
      unit: 'kWh',
      period: { start: '2024-01-01', end: '2024-12-31' },
    },
  ],
};

describe('execution routes', () => {
  let api: Api;
  let a: string;
  let b: string;

  beforeAll(async () => {
    api = await startApi();
    a = await onboard(api, 'exec-a');
    b = await onboard(api, 'exec-b');
  }, 60_000);
  afterAll(async () => api?.close());

  const run = (tenant: string, body: unknown, headers: Record<string, string> = {}) =>
    api.call('POST', '/v1/executions', { as: member(tenant, 'operator'), body, headers });

  describe('createExecution', () => {
    it('runs a sync execution inline and answers 200 with output and provenance', async () => {
      const res = await run(a, { agent_id: 'fuel-emissions', input: fuelInput, mode: 'sync' });

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        agent_id: 'fuel-emissions',
        agent_version: '1.0.0',
        status: 'COMPLETED',
        priority: 'P2',
        attempts: 1,
        error: null,
      });
      expect(res.body.output.provenance).toMatchObject({
        agent_id: 'fuel-emissions',
        algorithm: 'sha256/rfc8785',
      });
      expect(res.body.output.provenance.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(res.body.execution_id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers 202 with a Location for async, and the execution completes in the background', async () => {
      const res = await run(a, { agent_id: 'fuel-emissions', input: smallInput, priority: 'P1' });

      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ status: 'PENDING', priority: 'P1', output: null });
      expect(res.headers.location).toBe(`/v1/executions/${res.body.execution_id}`);
      await api.idle();
      const got = await api.call('GET', res.headers.location!, { as: member(a, 'viewer') });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ execution_id: res.body.execution_id, status: 'COMPLETED' });
      expect(got.body.output.provenance.agent_id).toBe('fuel-emissions');
    });

    it('records a FAILED execution with the issues when valid input cannot be computed', async () => {
      const noFactor = {
        factor_source: 'DESNZ',
        lines: [
          {
            id: 'x',
            fuel: 'Natural gas',
            quantity: 10,
            unit: 'kWh',
            period: { start: '1990-01-01', end: '1990-12-31' },
          },
        ],
      };
      const res = await run(a, { agent_id: 'fuel-emissions', input: noFactor, mode: 'sync' });

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'FAILED',
        output: null,
        error: { code: 'agent_rejected_input' },
      });
      expect(res.body.error.issues[0].path).toBe('lines.0.period');
      expect(res.body.error.issues[0].message).toContain('1990-12-31');
    });

    it('refuses input that does not match the agent schema with every issue, and stores nothing', async () => {
      const fresh = await onboard(api, 'exec-invalid');
      const res = await run(fresh, {
        agent_id: 'fuel-emissions',
        mode: 'sync',
        input: { lines: [{ id: 'x', fuel: 'Natural gas', quantity: -1, period: { start: 'soon' } }] },
      });

      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const paths = (res.body.errors as { path: string }[]).map((e) => e.path);
      expect(paths.length).toBeGreaterThanOrEqual(3);
      expect(paths.every((p) => p.startsWith('body.input.'))).toBe(true);
      expect(paths).toContain('body.input.lines.0.quantity');
      const listed = await api.call('GET', '/v1/executions', { as: member(fresh, 'viewer') });
      expect(listed.body).toEqual({ items: [], next_cursor: null });
    });

    it('lists every invalid body field (pipeline validation) before any service runs', async () => {
      const res = await run(a, { agent_id: 'Not An Id', mode: 'later', priority: 'P9', extra: 1 });

      expect(res.status).toBe(400);
      const paths = (res.body.errors as { path: string }[]).map((e) => e.path).sort();
      expect(paths).toEqual(
        expect.arrayContaining(['body.agent_id', 'body.mode', 'body.priority', 'body.input']),
      );
    });

    it('answers 404 for an agent that does not exist and 404 for a version no range matches', async () => {
      const missing = await run(a, { agent_id: 'no-such-agent', input: {} });
      expect(missing.status).toBe(404);
      const noVersion = await run(a, { agent_id: 'fuel-emissions', version: '^9', input: fuelInput });
      expect(noVersion.status).toBe(404);
      expect(noVersion.body.detail).toContain('1.0.0');
    });

    it('replays an Idempotency-Key: same execution, counted once; a different body is a 409', async () => {
      const tenant = await onboard(api, 'exec-idem');
      const body = { agent_id: 'fuel-emissions', input: smallInput, mode: 'sync' };
      const first = await run(tenant, body, { 'idempotency-key': 'order-42' });
      const again = await run(tenant, body, { 'idempotency-key': 'order-42' });

      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.body.execution_id).toBe(first.body.execution_id);
      expect(again.body.idempotency_key).toBe('order-42');
      const other = await run(tenant, { ...body, input: fuelInput }, { 'idempotency-key': 'order-42' });
      expect(other.status).toBe(409);
      const usage = await api.call('GET', '/v1/usage', { as: member(tenant, 'viewer') });
      expect(usage.body.consumption.executions).toBe(1);
      const bad = await run(tenant, body, { 'idempotency-key': 'has space' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].path).toBe('headers.idempotency-key');
    });

    it('forbids a viewer from running an agent (403)', async () => {
      const res = await api.call('POST', '/v1/executions', {
        as: member(a, 'viewer'),
        body: { agent_id: 'fuel-emissions', input: smallInput },
      });
      expect(res.status).toBe(403);
    });
  });

  describe('listExecutions', () => {
    it('pages newest first with a cursor, and filters by status and agent', async () => {
      const tenant = await onboard(api, 'exec-list');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await run(tenant, { agent_id: 'fuel-emissions', input: smallInput, mode: 'sync' });
        ids.push(res.body.execution_id as string);
      }
      const as = member(tenant, 'viewer');
      const first = await api.call('GET', '/v1/executions', { as, query: { limit: '2' } });
      expect(first.status).toBe(200);
      expect(first.body.items.map((e: { execution_id: string }) => e.execution_id)).toEqual([ids[2], ids[1]]);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      const second = await api.call('GET', '/v1/executions', {
        as,
        query: { limit: '2', cursor: first.body.next_cursor as string },
      });
      expect(second.body.items.map((e: { execution_id: string }) => e.execution_id)).toEqual([ids[0]]);
      expect(second.body.next_cursor).toBeNull();

      const completed = await api.call('GET', '/v1/executions', { as, query: { status: 'COMPLETED' } });
      expect(completed.body.items).toHaveLength(3);
      const failed = await api.call('GET', '/v1/executions', { as, query: { status: 'FAILED' } });
      expect(failed.body.items).toHaveLength(0);
      const byAgent = await api.call('GET', '/v1/executions', { as, query: { agent_id: 'cbam' } });
      expect(byAgent.body.items).toHaveLength(0);
    });

    it('refuses limit outside 1..100 and an unknown status', async () => {
      const as = member(a, 'viewer');
      const queries: Record<string, string>[] = [{ limit: '0' }, { limit: '101' }, { status: 'DONE' }];
      for (const query of queries) {
        const res = await api.call('GET', '/v1/executions', { as, query });
        expect(res.status).toBe(400);
      }
    });
  });

  describe('cancelExecution', () => {
    it('cancels a pending execution, then 409 on a second cancel', async () => {
      // A PENDING execution that nobody runs: stored directly, as a queue would hold it.
      const pending = await storePending(api, a);
      const res = await api.call('POST', `/v1/executions/${pending}/cancel`, { as: member(a, 'operator') });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('CANCELLED');
      const again = await api.call('POST', `/v1/executions/${pending}/cancel`, { as: member(a, 'operator') });
      expect(again.status).toBe(409);
    });
  });

  describe('tenant isolation', () => {
    it("answers 404 to tenant B for tenant A's execution (get and cancel) with none of A's data", async () => {
      const created = await run(a, { agent_id: 'fuel-emissions', input: smallInput, mode: 'sync' });
      const id = created.body.execution_id as string;
      const pending = await storePending(api, a);

      // Positive control: A reads its own.
      expect((await api.call('GET', `/v1/executions/${id}`, { as: member(a, 'viewer') })).status).toBe(200);
      for (const target of [id, pending]) {
        const get = await api.call('GET', `/v1/executions/${target}`, { as: member(b, 'admin') });
        const cancel = await api.call('POST', `/v1/executions/${target}/cancel`, { as: member(b, 'admin') });
        for (const res of [get, cancel]) {
          expect(res.status).toBe(404);
          expect(res.text).not.toContain('987654');
          expect(res.text).not.toContain('secret-line-of-a');
          expect(res.text).not.toContain(a);
        }
      }
      const list = await api.call('GET', '/v1/executions', { as: member(b, 'admin') });
      expect(list.text).not.toContain(id);
      // B's cancel did not touch A's pending execution.
      const still = await api.call('GET', `/v1/executions/${pending}`, { as: member(a, 'viewer') });
      expect(still.body.status).toBe('PENDING');
    });

    it("refuses tenant A's list cursor to tenant B", async () => {
      for (let i = 0; i < 2; i++)
        await run(a, { agent_id: 'fuel-emissions', input: smallInput, mode: 'sync' });
      const page = await api.call('GET', '/v1/executions', {
        as: member(a, 'viewer'),
        query: { limit: '1' },
      });
      const cursor = page.body.next_cursor as string;
      expect(cursor).toEqual(expect.any(String));
      const stolen = await api.call('GET', '/v1/executions', {
        as: member(b, 'viewer'),
        query: { limit: '1', cursor },
      });
      expect(stolen.status).toBe(400);
      expect(stolen.text).not.toContain('987654');
    });

    it('answers 400 for a malformed execution id', async () => {
      const res = await api.call('GET', '/v1/executions/not-an-id', { as: member(a, 'viewer') });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toBe('params.executionId');
    });
  });
});

/** Stores a PENDING execution through the real store (no dispatcher runs it). */
async function storePending(api: Api, tenantId: string): Promise<string> {
  const { execution } = await api.store.create(tenantId, {
    agentId: 'fuel-emissions',
    agentVersion: '1.0.0',
    input: smallInput,
  });
  return execution.executionId;
}
