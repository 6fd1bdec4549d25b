/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON response bodies: the assertions are the type checks */
/**
 * Backpressure as createServices wires it: single async executions look at their priority's
 * queue, a batch at the batch queue (where its items go), once, before anything is stored, so
 * a full batch queue refuses the whole batch with 503 + Retry-After and a full P3 queue does
 * not stop a batch. The real handler and services (PGlite in memory, dynalite); the queue
 * depths are what the probe reports, the batch items land on a recording dispatcher.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKPRESSURE_DEPTH, type QueueName } from '../../../lib/config/queues.js';
import { createApiHandler } from '../../../lib/http/lambda.js';
import { routes } from '../../../lib/http/routes/index.js';
import { createServices, type ComposedServices } from '../../../lib/http/services.js';
import type { ExecutionDispatcher } from '../../../lib/ports/execution-dispatcher.js';
import { type Api, callerFor, member, onboard } from './harness.js';

const input = {
  factor_source: 'DESNZ',
  lines: [
    {
      id: 'l1',
      fuel: 'Natural gas',
      quantity: 1000,
      unit: 'kWh',
      period: { start: '2024-01-01', end: '2024-12-31' },
    },
  ],
};

describe('batch backpressure', { timeout: 60_000 }, () => {
  const depths: Record<QueueName, number> = { P0: 0, P1: 0, P2: 0, P3: 0, batch: 0 };
  const probed: QueueName[] = [];
  const batched: string[] = [];
  const batchQueue: ExecutionDispatcher = {
    dispatch: (_tenant, executionId) => {
      batched.push(executionId);
      return Promise.resolve();
    },
  };
  let composed: ComposedServices;
  let api: Api;
  let tenant: string;

  beforeAll(async () => {
    composed = await createServices({
      dataDir: 'memory',
      batchDispatcher: batchQueue,
      queueDepth: (q) => {
        probed.push(q);
        return Promise.resolve(depths[q]);
      },
    });
    const handler = createApiHandler(routes, () => composed.services, {
      logger: new Logger({ serviceName: 'backpressure-tests', logLevel: 'SILENT' }),
    });
    api = {
      call: callerFor(handler),
      idle: () => Promise.resolve(),
      services: composed.services,
      store: composed.executionStore,
      exportsDir: '',
      close: () => composed.close(),
    };
    tenant = await onboard(api, 'backpressure');
  }, 60_000);
  afterAll(async () => composed?.close());

  const submitBatch = () =>
    api.call('POST', '/v1/batches', {
      as: member(tenant, 'operator'),
      body: { agent_id: 'fuel-emissions', inputs: [input, input, input] },
    });

  it('a full P3 queue does not stop a batch: it looks at the batch queue, once', async () => {
    depths.P3 = BACKPRESSURE_DEPTH;
    probed.length = 0;
    const res = await submitBatch();
    expect(res.status).toBe(202);
    expect(batched).toHaveLength(3);
    expect(probed).toEqual(['batch']);
    depths.P3 = 0;
  });

  it('a full batch queue refuses the whole batch (503, Retry-After) before storing anything', async () => {
    depths.batch = BACKPRESSURE_DEPTH;
    const before = batched.length;
    const listed = async () =>
      (await api.call('GET', '/v1/executions', { as: member(tenant, 'viewer'), query: { limit: '100' } }))
        .body.items.length as number;
    const stored = await listed();

    const res = await submitBatch();

    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.body).toMatchObject({ queue: 'batch', priority: 'P3' });
    expect(res.body.detail).toMatch(/The batch queue holds 10000/);
    expect(batched).toHaveLength(before);
    expect(await listed()).toBe(stored);
    depths.batch = 0;
  });

  it("single async executions still look at their own priority's queue", async () => {
    depths.P3 = BACKPRESSURE_DEPTH;
    depths.batch = BACKPRESSURE_DEPTH;
    const submit = (priority: string) =>
      api.call('POST', '/v1/executions', {
        as: member(tenant, 'operator'),
        body: { agent_id: 'fuel-emissions', input, mode: 'async', priority },
      });
    const full = await submit('P3');
    expect(full.status).toBe(503);
    expect(full.body).toMatchObject({ queue: 'P3', priority: 'P3' });
    expect((await submit('P2')).status).toBe(202);
    depths.P3 = 0;
    depths.batch = 0;
  });
});
