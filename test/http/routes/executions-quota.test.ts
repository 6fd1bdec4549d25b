/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- JSON response bodies: the assertions are the type checks */
/**
 * The monthly executions quota through the real API handler, with the quotas read through
 * TenantService's short cache and the count kept by one conditional write per submission:
 * concurrent submissions never pass the limit together, a raised limit applies at once, and
 * a submission that stores nothing (an idempotent replay) gives its count back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineDispatcher } from '../../../lib/adapters/local/inline-dispatcher.js';
import { MemoryBus } from '../../../lib/adapters/local/memory-bus.js';
import { builtinAgents } from '../../../lib/agents/index.js';
import type { DomainEvent } from '../../../lib/domain/events/envelope.js';
import { ExecutionRunner } from '../../../lib/services/execution-runner.js';
import { ExecutionService } from '../../../lib/services/executions.js';
import { type Api, member, onboard, startApi } from './harness.js';

const input = (quantity: number) => ({
  lines: [{ fuel: 'diesel', quantity, unit: 'litres', period: { start: '2024-01-01', end: '2024-12-31' } }],
});

describe('monthly executions quota (through the API handler)', () => {
  let api: Api;
  let dispatcher: InlineDispatcher;
  const events: DomainEvent[] = [];

  const submit = (tenant: string, quantity: number, headers: Record<string, string> = {}) =>
    api.call('POST', '/v1/executions', {
      as: member(tenant, 'operator'),
      body: { agent_id: 'fuel-emissions', input: input(quantity) },
      headers,
    });
  const used = async (tenant: string): Promise<number> =>
    (await api.call('GET', '/v1/usage', { as: member(tenant, 'viewer') })).body.consumption.executions;
  const listed = async (tenant: string): Promise<number> =>
    (await api.call('GET', '/v1/executions', { as: member(tenant, 'viewer'), query: { limit: '100' } })).body
      .items.length;

  beforeAll(async () => {
    api = await startApi();
    const bus = new MemoryBus();
    bus.subscribe('quota.exceeded', (e) => {
      events.push(e);
    });
    const runner = new ExecutionRunner({
      store: api.store,
      registry: api.services.registry,
      builtins: builtinAgents(),
      context: { factors: api.services.catalogue },
    });
    dispatcher = new InlineDispatcher(runner);
    const executions = new ExecutionService({
      store: api.store,
      registry: api.services.registry,
      runner,
      dispatcher,
      bus,
      tenants: api.services.tenants,
    });
    Object.assign(api.services, { executions });
  }, 60_000);
  afterAll(async () => {
    await dispatcher?.idle();
    await api?.close();
  });

  it('lets exactly the quota through when many submissions race for the last places', async () => {
    // Prepare
    const t = await onboard(api, 'quota-race');
    await api.services.tenants.updateQuotas(t, { executionsPerMonth: 4 }, 'test');
    expect((await submit(t, 1)).status).toBe(202);

    // Act: 10 at once for the 3 places left.
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(t, 10 + i)));
    await dispatcher.idle();

    // Assess
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 202, 202, 429, 429, 429, 429, 429, 429, 429]);
    expect(replies.find((r) => r.status === 429)?.body).toMatchObject({ limit: 4, used: 4 });
    expect(await listed(t)).toBe(4);
    expect(await used(t)).toBe(4);
    expect(events.filter((e) => e.tenantId === t)).toHaveLength(7);
  });

  it('applies a raised quota at once (the cached quotas are forgotten on change)', async () => {
    const t = await onboard(api, 'quota-raise');
    await api.services.tenants.updateQuotas(t, { executionsPerMonth: 1 }, 'test');
    expect((await submit(t, 1)).status).toBe(202);
    expect((await submit(t, 2)).status).toBe(429);

    await api.services.tenants.updateQuotas(t, { executionsPerMonth: 2 }, 'test');

    expect((await submit(t, 2)).status).toBe(202);
    expect((await submit(t, 3)).status).toBe(429);
    await dispatcher.idle();
    expect(await used(t)).toBe(2);
  });

  it('gives the count back for an idempotent replay, so replays never use up the quota', async () => {
    const t = await onboard(api, 'quota-replay');
    await api.services.tenants.updateQuotas(t, { executionsPerMonth: 2 }, 'test');
    const first = await submit(t, 5, { 'idempotency-key': 'order-1' });

    // One after another, as a client retries (a replay is counted until it proves to be one, so
    // replays racing each other at the last place may see 429 and retry).
    const replays = [];
    for (let i = 0; i < 3; i++) replays.push(await submit(t, 5, { 'idempotency-key': 'order-1' }));
    const second = await submit(t, 6);
    await dispatcher.idle();

    expect(first.status).toBe(202);
    expect(replays.map((r) => r.body.execution_id)).toEqual([1, 2, 3].map(() => first.body.execution_id));
    expect(second.status).toBe(202);
    expect(await used(t)).toBe(2);
    expect((await submit(t, 7)).status).toBe(429);
  });
});
