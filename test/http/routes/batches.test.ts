/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment -- JSON response bodies: the assertions are the type checks */
/**
 * Batch routes over the real handler and real services: createServices (PGlite in memory,
 * dynalite for executions), an inline dispatcher the test can wait on, and the DynamoDB
 * batch store on its own dynalite table (same table definition). The test composes the
 * BatchService itself and adds it to the services as `batches`.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbBatchStore } from '../../../lib/adapters/aws/dynamodb-batch-store.js';
import { ensureTable } from '../../../lib/adapters/aws/dynamodb-table.js';
import { dynaliteClient, startDynalite } from '../../../lib/adapters/local/dynalite.js';
import { InlineDispatcher } from '../../../lib/adapters/local/inline-dispatcher.js';
import { builtinAgents } from '../../../lib/agents/index.js';
import { EXECUTION_TABLE } from '../../../lib/config/execution-table.js';
import { createApiHandler } from '../../../lib/http/lambda.js';
import { routes } from '../../../lib/http/routes/index.js';
import { createServices, type AppServices, type ComposedServices } from '../../../lib/http/services.js';
import { BatchService } from '../../../lib/services/batches.js';
import { ExecutionRunner } from '../../../lib/services/execution-runner.js';
import { ExecutionService } from '../../../lib/services/executions.js';
import { type Api, callerFor, member, onboard } from './harness.js';

const line = (id: string, quantity: number) => ({
  id,
  fuel: 'Natural gas',
  quantity,
  unit: 'kWh',
  period: { start: '2024-01-01', end: '2024-12-31' },
});
const input = (quantity: number) => ({ factor_source: 'DESNZ', lines: [line('l1', quantity)] });

describe('batch routes', () => {
  let composed: ComposedServices;
  let dispatcher: InlineDispatcher;
  let closeDynalite: () => Promise<void>;
  let api: Api;
  let a: string;
  let b: string;

  beforeAll(async () => {
    composed = await createServices({ dataDir: 'memory' });
    const base = composed.services;
    const runner = new ExecutionRunner({
      store: composed.executionStore,
      registry: base.registry,
      builtins: builtinAgents(),
      context: { factors: base.catalogue },
    });
    dispatcher = new InlineDispatcher(runner);
    const executions = new ExecutionService({
      store: composed.executionStore,
      registry: base.registry,
      runner,
      dispatcher,
    });
    const dynalite = await startDynalite();
    const client = dynaliteClient(dynalite.endpoint);
    await ensureTable(client, EXECUTION_TABLE, 'batches');
    closeDynalite = async () => {
      client.destroy();
      await dynalite.close();
    };
    const batches = new BatchService({
      store: new DynamoDbBatchStore({ client, tableName: 'batches' }),
      registry: base.registry,
      runner,
      executions,
    });
    const services: AppServices & { readonly batches: BatchService } = { ...base, executions, batches };
    const handler = createApiHandler(routes, () => services, {
      logger: new Logger({ serviceName: 'batch-route-tests', logLevel: 'SILENT' }),
    });
    const call = callerFor(handler);
    api = {
      call,
      idle: () => dispatcher.idle(),
      services,
      store: composed.executionStore,
      exportsDir: '',
      close: () => Promise.resolve(),
    };
    a = await onboard(api, 'batch-a');
    b = await onboard(api, 'batch-b');
  }, 60_000);
  afterAll(async () => {
    await dispatcher?.idle();
    await closeDynalite?.();
    await composed?.close();
  });

  it('keeps 10,000 execution ids in order across chunked items of the DynamoDB store', async () => {
    const dynalite = await startDynalite();
    const client = dynaliteClient(dynalite.endpoint);
    try {
      await ensureTable(client, EXECUTION_TABLE, 'big');
      const store = new DynamoDbBatchStore({ client, tableName: 'big' });
      const ids = Array.from({ length: 10_000 }, () => randomUUID());
      const batch = {
        batchId: randomUUID(),
        tenantId: a,
        agentId: 'fuel-emissions',
        agentVersion: '1.0.0',
        executionIds: ids,
        createdAt: '2026-01-01T00:00:00.000Z',
      };
      await store.put(batch);
      expect(await store.get(a, batch.batchId)).toEqual(batch);
      await expect(store.get(b, batch.batchId)).rejects.toThrow(/batch/);
    } finally {
      client.destroy();
      await dynalite.close();
    }
  }, 60_000);

  const submit = (t: string, body: unknown) =>
    api.call('POST', '/v1/batches', { as: member(t, 'operator'), body });

  it('runs every input, reports done/total, per-item status (paginated) and summed totals', async () => {
    const res = await submit(a, {
      agent_id: 'fuel-emissions',
      inputs: [input(1000), input(2000), input(3000)],
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ agent_id: 'fuel-emissions', agent_version: '1.0.0', total: 3 });
    expect(res.headers.location).toBe(`/v1/batches/${res.body.batch_id}`);
    await api.idle();

    const got = await api.call('GET', res.headers.location!, {
      as: member(a, 'viewer'),
      query: { limit: '2' },
    });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ total: 3, done: 3, progress: '3/3', counts: { COMPLETED: 3 } });
    expect(got.body.items.map((i: { index: number; status: string }) => [i.index, i.status])).toEqual([
      [0, 'COMPLETED'],
      [1, 'COMPLETED'],
    ]);
    // The sum over the items equals the sum of each execution's own totals.
    let sum = 0;
    const all = [...got.body.items];
    const rest = await api.call('GET', res.headers.location!, {
      as: member(a, 'viewer'),
      query: { limit: '2', cursor: got.body.next_cursor },
    });
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.next_cursor).toBeNull();
    all.push(...rest.body.items);
    for (const item of all) {
      const e = await api.call('GET', `/v1/executions/${item.execution_id}`, { as: member(a, 'viewer') });
      sum += e.body.output.totals.co2e_kg as number;
    }
    expect(sum).toBeGreaterThan(0);
    expect(got.body.totals.co2e_kg).toBeCloseTo(sum, 6);
  });

  it('validates every input first: 400 listing body.inputs.N issues, and nothing is created', async () => {
    const before = await api.call('GET', '/v1/executions', {
      as: member(a, 'viewer'),
      query: { limit: '100' },
    });
    const res = await submit(a, {
      agent_id: 'fuel-emissions',
      inputs: [input(10), { factor_source: 'DESNZ' }, input(20), { lines: 'nope' }],
    });
    expect(res.status).toBe(400);
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path);
    expect(paths.some((p) => p.startsWith('body.inputs.1'))).toBe(true);
    expect(paths.some((p) => p.startsWith('body.inputs.3'))).toBe(true);
    expect(paths.some((p) => p.startsWith('body.inputs.0') || p.startsWith('body.inputs.2'))).toBe(false);
    const after = await api.call('GET', '/v1/executions', {
      as: member(a, 'viewer'),
      query: { limit: '100' },
    });
    expect(after.body.items.length).toBe(before.body.items.length);

    const tooMany = await submit(a, { agent_id: 'fuel-emissions', inputs: new Array(10_001).fill(0) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toContain('body.inputs');
  });

  it("answers 404 for another tenant's batch and for unknown ids; viewers cannot submit", async () => {
    const res = await submit(a, { agent_id: 'fuel-emissions', inputs: [input(5)] });
    await api.idle();
    expect(
      (await api.call('GET', `/v1/batches/${res.body.batch_id}`, { as: member(b, 'admin') })).status,
    ).toBe(404);
    expect((await api.call('GET', `/v1/batches/${randomUUID()}`, { as: member(a, 'admin') })).status).toBe(
      404,
    );
    expect((await api.call('POST', '/v1/batches', { as: member(a, 'viewer'), body: {} })).status).toBe(403);
  });
});
