/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- JSON response bodies: the assertions are the type checks */
/**
 * Submission rules of the execution engine through the real API handler: monthly quota (429 +
 * quota.exceeded), backpressure (503 + Retry-After), sync only where the manifest allows it, the
 * manifest timeout (TIMED_OUT), the result cache (served_from_cache) and the execution events.
 * Each test composes the executions service with the optional parts it exercises over the
 * harness's real stores (PGlite, dynalite).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineDispatcher } from '../../../lib/adapters/local/inline-dispatcher.js';
import { LruResultCache } from '../../../lib/adapters/local/lru-result-cache.js';
import { MemoryBus } from '../../../lib/adapters/local/memory-bus.js';
import { builtinAgents } from '../../../lib/agents/index.js';
import type { Agent } from '../../../lib/agents/types.js';
import type { DomainEvent } from '../../../lib/domain/events/envelope.js';
import type { ExecutionPriority } from '../../../lib/ports/execution-dispatcher.js';
import { ExecutionRunner } from '../../../lib/services/execution-runner.js';
import { ExecutionService } from '../../../lib/services/executions.js';
import { TwoLevelResultCache } from '../../../lib/services/result-cache.js';
import { type Api, member, onboard, startApi } from './harness.js';

const input = (quantity: number) => ({
  factor_source: 'DESNZ',
  lines: [
    {
      id: 'line-1',
      fuel: 'Natural gas',
      quantity,
      unit: 'kWh',
      period: { start: '2024-01-01', end: '2024-12-31' },
    },
  ],
});

interface Parts {
  readonly builtins?: readonly Agent[];
  readonly cache?: boolean;
  readonly quotas?: boolean;
  readonly depth?: (priority: ExecutionPriority) => number;
}

/** fuel-emissions with another manifest and, optionally, a run that never answers. */
function fuelWith(manifest: Partial<Agent['manifest']>, hang = false): Agent[] {
  return builtinAgents().map((a) => {
    if (a.id !== 'fuel-emissions') return a;
    const changed = Object.assign(Object.create(Object.getPrototypeOf(a) as object) as Agent, a, {
      manifest: { ...a.manifest, ...manifest },
    });
    if (hang) Object.assign(changed, { run: () => new Promise<never>(() => undefined) });
    return changed;
  });
}

describe('execution engine rules (through the API handler)', () => {
  let api: Api;
  let events: DomainEvent[];
  let bus: MemoryBus;
  let dispatcher: InlineDispatcher;

  /** Replaces the executions service the handler uses with one made of `parts`. */
  function compose(parts: Parts = {}): void {
    const store = api.store;
    const registry = api.services.registry;
    const runner = new ExecutionRunner({
      store,
      registry,
      builtins: parts.builtins ?? builtinAgents(),
      context: { factors: api.services.catalogue },
      bus,
      ...(parts.cache ? { cache: new TwoLevelResultCache({ l1: new LruResultCache() }) } : {}),
    });
    dispatcher = new InlineDispatcher(runner);
    const executions = new ExecutionService({
      store,
      registry,
      runner,
      dispatcher,
      bus,
      ...(parts.quotas ? { tenants: api.services.tenants } : {}),
      ...(parts.depth ? { depth: parts.depth } : {}),
    });
    Object.assign(api.services, { executions });
  }

  const submit = (tenant: string, body: Record<string, unknown>) =>
    api.call('POST', '/v1/executions', {
      as: member(tenant, 'operator'),
      body: { agent_id: 'fuel-emissions', ...body },
    });
  const ofType = (type: string, tenant: string) =>
    events.filter((e) => e.type === type && e.tenantId === tenant);

  beforeAll(async () => {
    api = await startApi();
    bus = new MemoryBus();
    bus.subscribe('*', (e) => {
      events.push(e);
    });
  }, 60_000);
  afterAll(async () => {
    await dispatcher?.idle();
    await api?.close();
  });

  it('refuses a tenant at its monthly executions quota with 429 and a quota.exceeded event, storing nothing', async () => {
    events = [];
    compose({ quotas: true });
    const t = await onboard(api, 'engine-quota');
    await api.services.tenants.updateQuotas(t, { executionsPerMonth: 1 }, 'test');

    const first = await submit(t, { input: input(11), mode: 'sync' });
    expect(first.status).toBe(200);
    const refused = await submit(t, { input: input(12), mode: 'sync' });

    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ status: 429, limit: 1, used: 1, quota: 'executions_per_month' });
    expect(refused.body.type).toMatch(/quota_exceeded$/);
    expect(ofType('quota.exceeded', t)).toHaveLength(1);
    expect(ofType('quota.exceeded', t)[0]!.detail).toMatchObject({ quota: 'executions_per_month', limit: 1 });
    const listed = await api.call('GET', '/v1/executions', { as: member(t, 'viewer') });
    expect(listed.body.items).toHaveLength(1);
  });

  it('answers 503 with Retry-After when the priority queue holds 10,000 messages, and accepts below that', async () => {
    events = [];
    compose({ depth: (p) => (p === 'P3' ? 10_000 : 9_999) });
    const t = await onboard(api, 'engine-backpressure');

    const full = await submit(t, { input: input(21), priority: 'P3' });
    expect(full.status).toBe(503);
    expect(full.headers['retry-after']).toBe('30');
    expect(full.body).toMatchObject({ status: 503, priority: 'P3' });
    expect(full.body.type).toMatch(/queue_full$/);

    const accepted = await submit(t, { input: input(21), priority: 'P2' });
    expect(accepted.status).toBe(202);
    await dispatcher.idle();
    const listed = await api.call('GET', '/v1/executions', { as: member(t, 'viewer') });
    expect(listed.body.items.map((e: { priority: string }) => e.priority)).toEqual(['P2']);
  });

  it('refuses sync mode with 400 when the manifest does not allow it (never silently async)', async () => {
    events = [];
    compose({ builtins: fuelWith({ syncAllowed: false }) });
    const t = await onboard(api, 'engine-nosync');

    const res = await submit(t, { input: input(31), mode: 'sync' });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/use mode "async"/);
    const listed = await api.call('GET', '/v1/executions', { as: member(t, 'viewer') });
    expect(listed.body.items).toHaveLength(0);
  });

  it('aborts a sync run at the manifest timeout: TIMED_OUT and an execution.timed_out event', async () => {
    events = [];
    compose({ builtins: fuelWith({ timeoutMs: 5 }, true) });
    const t = await onboard(api, 'engine-timeout');

    const res = await submit(t, { input: input(41), mode: 'sync' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'TIMED_OUT', output: null });
    expect(ofType('execution.timed_out', t)).toHaveLength(1);
  });

  it('serves an identical request from the result cache as a new COMPLETED execution marked served_from_cache', async () => {
    events = [];
    compose({ cache: true });
    const t = await onboard(api, 'engine-cache');

    const first = await submit(t, { input: input(51), mode: 'sync' });
    const second = await submit(t, { input: input(51), mode: 'sync' });
    const other = await submit(t, { input: input(52), mode: 'sync' });

    expect(first.body).toMatchObject({ status: 'COMPLETED', served_from_cache: false });
    expect(second.body).toMatchObject({ status: 'COMPLETED', served_from_cache: true });
    expect(second.body.execution_id).not.toBe(first.body.execution_id);
    expect(second.body.output).toEqual(first.body.output);
    expect(other.body).toMatchObject({ status: 'COMPLETED', served_from_cache: false });
    expect(ofType('execution.completed', t).map((e) => e.detail['fromCache'])).toEqual([false, true, false]);
  });

  it('announces execution.created on submit and execution.completed / execution.failed on the bus', async () => {
    events = [];
    compose();
    const t = await onboard(api, 'engine-events');

    const ok = await submit(t, { input: input(61), priority: 'P1' });
    const noFactor = {
      factor_source: 'DESNZ',
      lines: [
        {
          id: 'x',
          fuel: 'Natural gas',
          quantity: 1,
          unit: 'kWh',
          period: { start: '1990-01-01', end: '1990-12-31' },
        },
      ],
    };
    const bad = await submit(t, { input: noFactor });
    await dispatcher.idle();

    const created = ofType('execution.created', t);
    expect(created.map((e) => e.detail['executionId'])).toEqual([
      ok.body.execution_id,
      bad.body.execution_id,
    ]);
    expect(created[0]!.detail).toMatchObject({ agentId: 'fuel-emissions', priority: 1 });
    expect(ofType('execution.completed', t).map((e) => e.detail['executionId'])).toEqual([
      ok.body.execution_id,
    ]);
    const failed = ofType('execution.failed', t);
    expect(failed.map((e) => e.detail['executionId'])).toEqual([bad.body.execution_id]);
    expect(failed[0]!.detail['error']).toMatchObject({ code: 'agent_rejected_input' });
  });
});
