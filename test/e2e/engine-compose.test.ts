/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON response bodies: the assertions are the type checks */
/**
 * The composed engine on the running local platform, over real HTTP: webhooks registered
 * through the API receive the events of async executions (signed, retried, logged, and only
 * their own tenant's), batches go through the batch queue and its aggregating consumer, the
 * async path is served from the result cache and says so, and a RUNNING execution cancelled
 * through the API ends CANCELLED without a completed event. Everything is real: PGlite,
 * dynalite, the in-process queues and workers, node:http receivers on 127.0.0.1.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlatform, type LocalPlatform } from '../../lib/adapters/local/platform.js';
import type { DomainEvent } from '../../lib/domain/events/envelope.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../lib/domain/webhook-signature.js';
import { startReceiver, type ReceivedRequest, type Receiver } from '../webhooks/receiver.js';
import { call, newDataDir } from './harness.js';

const fuelInput = (quantity: number) => ({
  lines: [{ fuel: 'diesel', quantity, unit: 'litres', period: { start: '2024-01-01', end: '2024-12-31' } }],
});
/** Runs with this quantity wait in their pre-exec hook until the test opens the gate. */
const GATED = 4242;

/** Polls until `check` returns a value (the test timeout bounds it; nothing is timed). */
async function until<T>(check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface ExecutionBody {
  readonly execution_id: string;
  readonly status: string;
  readonly served_from_cache: boolean;
  readonly output: { readonly totals: Record<string, unknown> } | null;
}
interface ProgressBody {
  readonly done: number;
  readonly progress: string;
  readonly counts: Record<string, number>;
  readonly totals: Record<string, number>;
  readonly items: readonly { readonly execution_id: string }[];
}
interface DeliveryBody {
  readonly attempt: number;
  readonly outcome: string;
  readonly response_status: number | null;
  readonly event_id: string;
}

const eventOf = (r: ReceivedRequest): DomainEvent => JSON.parse(r.body) as DomainEvent;
const header = (r: ReceivedRequest, name: string): string | undefined => {
  const v = r.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

describe('engine composition on the local platform', () => {
  let dir: string;
  let p: LocalPlatform;
  let openGate: () => void = () => {};
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const events: DomainEvent[] = [];
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    dir = await newDataDir();
    p = await startLocalPlatform({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      logLevel: 'SILENT',
      engine: {
        batchWindowMs: 200,
        hooks: {
          preExec: async ({ execution }) => {
            const input = execution.input as ReturnType<typeof fuelInput>;
            if (input.lines[0]?.quantity === GATED) await gate;
          },
        },
      },
      // Short backoff keeps the test quick; the 1 s / 2 s / 4 s schedule is test/webhooks' business.
      webhooks: { allowLoopback: true, policy: { retries: 3, baseDelayMs: 5, timeoutMs: 5_000 } },
    });
    p.composed.bus.subscribe('*', (e) => {
      events.push(e);
    });
  }, 180_000);
  afterAll(async () => {
    openGate();
    await p?.close();
    for (const r of receivers) await r.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function onboard(slug: string): Promise<{ id: string; token: string }> {
    const admin = await p.mintToken({
      tenantId: null,
      roles: [],
      platformAdmin: true,
      sub: 'e2e',
      ttlSeconds: 600,
    });
    const r = await call(p.url, 'POST', '/v1/tenants', {
      token: admin,
      body: { slug, name: slug, home_region: 'eu-west-1', admin: { email: `admin@${slug}.example` } },
    });
    expect(r.status).toBe(201);
    const id = String(r.body.tenant.tenant_id);
    return { id, token: await p.mintToken({ tenantId: id, roles: ['admin'], sub: 'e2e', ttlSeconds: 600 }) };
  }

  async function receiver(statuses: readonly number[] = [200]): Promise<Receiver> {
    const r = await startReceiver(statuses);
    receivers.push(r);
    return r;
  }

  async function register(t: { token: string }, url: string, types: string[]) {
    const r = await call(p.url, 'POST', '/v1/webhooks', { token: t.token, body: { url, events: types } });
    expect(r.status).toBe(201);
    return { id: String(r.body.id), secret: String(r.body.secret) };
  }

  async function submit(t: { token: string }, quantity: number): Promise<string> {
    const r = await call(p.url, 'POST', '/v1/executions', {
      token: t.token,
      body: { agent_id: 'fuel-emissions', mode: 'async', input: fuelInput(quantity) },
    });
    expect(r.status).toBe(202);
    return String(r.body.execution_id);
  }

  async function finished(t: { token: string }, id: string): Promise<ExecutionBody> {
    return until(async () => {
      const r = await call(p.url, 'GET', `/v1/executions/${id}`, { token: t.token });
      const body = r.body as ExecutionBody;
      return ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'].includes(body.status) ? body : undefined;
    });
  }

  const forExecution = (rx: Receiver, id: string, type: string) =>
    rx.requests.filter((r) => eventOf(r).type === type && eventOf(r).detail['executionId'] === id);

  describe('webhooks', () => {
    it('delivers execution.completed of an async execution, signed with the secret shown at registration', async () => {
      const a = await onboard('hooks-signed');
      const rx = await receiver();
      const hook = await register(a, rx.url, ['execution.completed']);

      const id = await submit(a, 101);
      expect((await finished(a, id)).status).toBe('COMPLETED');
      const [req] = await until(() => {
        const got = forExecution(rx, id, 'execution.completed');
        return got.length > 0 ? got : undefined;
      });

      expect(verifyWebhookSignature(req!.body, header(req!, SIGNATURE_HEADER), hook.secret)).toMatchObject({
        ok: true,
      });
      expect(verifyWebhookSignature(req!.body, header(req!, SIGNATURE_HEADER), 'whsec_wrong').ok).toBe(false);
      expect(eventOf(req!)).toMatchObject({ type: 'execution.completed', tenantId: a.id });
      expect(header(req!, 'GLAF-Event-Type')).toBe('execution.completed');
      // Subscribed to execution.completed only: the started / created events were not sent.
      await p.composed.webhookDispatcher!.idle();
      expect(rx.requests.map((r) => eventOf(r).type)).toEqual(['execution.completed']);
    });

    it('retries a receiver that answers 500 twice: delivered once, three attempts in the delivery log', async () => {
      const a = await onboard('hooks-retry');
      const rx = await receiver([500, 500, 200]);
      const hook = await register(a, rx.url, ['execution.completed']);

      const id = await submit(a, 102);
      await finished(a, id);
      await until(() => (forExecution(rx, id, 'execution.completed').length === 3 ? true : undefined));
      await p.composed.webhookDispatcher!.idle();

      const sent = forExecution(rx, id, 'execution.completed');
      expect(sent.map((r) => header(r, 'GLAF-Delivery-Attempt'))).toEqual(['1', '2', '3']);
      expect(new Set(sent.map((r) => eventOf(r).id)).size).toBe(1);
      const log = await call(p.url, 'GET', `/v1/webhooks/${hook.id}/deliveries`, { token: a.token });
      expect(log.status).toBe(200);
      const attempts = [...(log.body.items as DeliveryBody[])].reverse();
      expect(attempts.map((d) => [d.attempt, d.outcome, d.response_status])).toEqual([
        [1, 'failed', 500],
        [2, 'failed', 500],
        [3, 'delivered', 200],
      ]);
      expect(new Set(attempts.map((d) => d.event_id))).toEqual(new Set([eventOf(sent[0]!).id]));
    });

    it("never sends tenant A's events to tenant B's webhooks (and B gets its own)", async () => {
      const a = await onboard('hooks-iso-a');
      const b = await onboard('hooks-iso-b');
      const rxA = await receiver();
      const rxB = await receiver();
      await register(a, rxA.url, ['*']);
      await register(b, rxB.url, ['*']);

      const idA = await submit(a, 103);
      const idB = await submit(b, 104);
      await finished(a, idA);
      await finished(b, idB);
      await until(() => (forExecution(rxA, idA, 'execution.completed').length > 0 ? true : undefined));
      await until(() => (forExecution(rxB, idB, 'execution.completed').length > 0 ? true : undefined));
      await p.composed.webhookDispatcher!.idle();

      // Positive controls: each receiver has its own tenant's whole lifecycle.
      expect(rxA.requests.map((r) => eventOf(r).type)).toEqual(
        expect.arrayContaining(['execution.created', 'execution.started', 'execution.completed']),
      );
      expect(rxB.requests.map((r) => eventOf(r).type)).toEqual(
        expect.arrayContaining(['execution.created', 'execution.started', 'execution.completed']),
      );
      expect(new Set(rxA.requests.map((r) => eventOf(r).tenantId))).toEqual(new Set([a.id]));
      expect(new Set(rxB.requests.map((r) => eventOf(r).tenantId))).toEqual(new Set([b.id]));
      expect(rxB.requests.some((r) => r.body.includes(idA))).toBe(false);
    });
  });

  describe('batches', () => {
    it('runs N inputs through the batch queue: progress reaches N/N and the totals are the sum of the items', async () => {
      const a = await onboard('batch-run');
      const n = 130;
      const inputs = Array.from({ length: n }, (_, i) => fuelInput(1000 + i));
      const created = await call(p.url, 'POST', '/v1/batches', {
        token: a.token,
        body: { agent_id: 'fuel-emissions', inputs },
      });
      expect(created.status).toBe(202);
      expect(created.body.total).toBe(n);
      const batchId = String(created.body.batch_id);

      const progress = await until(async () => {
        const r = await call(p.url, 'GET', `/v1/batches/${batchId}?limit=1000`, { token: a.token });
        const body = r.body as ProgressBody;
        return body.done === n ? body : undefined;
      });
      expect(progress.progress).toBe(`${n}/${n}`);
      expect(progress.counts).toEqual({ COMPLETED: n });

      const sums: Record<string, number> = {};
      for (const item of progress.items) {
        const e = await call(p.url, 'GET', `/v1/executions/${item.execution_id}`, { token: a.token });
        for (const [k, v] of Object.entries((e.body as ExecutionBody).output?.totals ?? {})) {
          if (typeof v === 'number') sums[k] = (sums[k] ?? 0) + v;
        }
      }
      expect(Object.keys(sums).length).toBeGreaterThan(0);
      for (const [k, v] of Object.entries(sums)) expect(progress.totals[k]).toBeCloseTo(v, 6);
      // Through the batch queue, in aggregates of at most 100 messages.
      const aggregates = p.composed.engine!.batches!.aggregates;
      expect(aggregates.reduce((s, x) => s + x, 0)).toBeGreaterThanOrEqual(n);
      expect(Math.max(...aggregates)).toBeLessThanOrEqual(100);
      expect(await p.composed.engine!.queue.stats('batch')).toEqual({
        visible: 0,
        inFlight: 0,
        deadLetter: 0,
      });
    }, 120_000);
  });

  describe('result cache on the async path', () => {
    it('serves a repeated async input from the cache, keeps the mark on the record and says so in the event', async () => {
      const a = await onboard('cache-async');
      const first = await finished(a, await submit(a, 105));
      const second = await finished(a, await submit(a, 105));

      expect(first).toMatchObject({ status: 'COMPLETED', served_from_cache: false });
      expect(second).toMatchObject({ status: 'COMPLETED', served_from_cache: true });
      expect(second.execution_id).not.toBe(first.execution_id);
      expect(second.output).toEqual(first.output);
      const listed = await call(p.url, 'GET', '/v1/executions?status=COMPLETED', { token: a.token });
      expect(
        Object.fromEntries(
          (listed.body.items as ExecutionBody[]).map((e) => [e.execution_id, e.served_from_cache]),
        ),
      ).toEqual({ [first.execution_id]: false, [second.execution_id]: true });
      const completed = events.filter((e) => e.type === 'execution.completed' && e.tenantId === a.id);
      expect(completed.map((e) => [e.detail['executionId'], e.detail['fromCache']])).toEqual([
        [first.execution_id, false],
        [second.execution_id, true],
      ]);
    });
  });

  describe('cancellation', () => {
    it('cancels a RUNNING execution: the worker honours it, the final status is CANCELLED, no completed event', async () => {
      const a = await onboard('cancel-running');
      const rx = await receiver();
      await register(a, rx.url, ['execution.completed', 'execution.cancelled']);
      const id = await submit(a, GATED);
      await until(async () => {
        const r = await call(p.url, 'GET', `/v1/executions/${id}`, { token: a.token });
        return r.body.status === 'RUNNING' ? true : undefined;
      });
      const cancelledBefore = p.composed.engine!.metrics.get('ExecutionCancelled');

      const cancel = await call(p.url, 'POST', `/v1/executions/${id}/cancel`, { token: a.token });
      expect(cancel.status).toBe(200);
      expect(cancel.body.status).toBe('CANCELLED');
      openGate();
      await until(() =>
        p.composed.engine!.metrics.get('ExecutionCancelled') > cancelledBefore ? true : undefined,
      );
      await p.composed.webhookDispatcher!.idle();

      const final = await call(p.url, 'GET', `/v1/executions/${id}`, { token: a.token });
      expect(final.body).toMatchObject({ status: 'CANCELLED', output: null });
      const mine = events.filter((e) => e.detail['executionId'] === id).map((e) => e.type);
      expect(mine).toContain('execution.started');
      expect(mine).toContain('execution.cancelled');
      expect(mine).not.toContain('execution.completed');
      expect(rx.requests.map((r) => eventOf(r).type)).toEqual(['execution.cancelled']);
    });
  });
});

describe('webhooks on a platform started without the loopback opt-in', () => {
  it('refuses a loopback webhook URL by default (GLAF_WEBHOOKS_ALLOW_LOOPBACK unset)', async () => {
    const dir = await newDataDir();
    const saved = process.env.GLAF_WEBHOOKS_ALLOW_LOOPBACK;
    delete process.env.GLAF_WEBHOOKS_ALLOW_LOOPBACK;
    const p = await startLocalPlatform({ port: 0, host: '127.0.0.1', dataDir: dir, logLevel: 'SILENT' });
    try {
      const token = await p.mintToken({
        tenantId: p.demo.tenantId,
        roles: ['admin'],
        sub: 'e2e',
        ttlSeconds: 600,
      });
      const refused = await call(p.url, 'POST', '/v1/webhooks', {
        token,
        body: { url: 'http://127.0.0.1:9/hooks', events: ['*'] },
      });
      expect(refused.status).toBe(400);
      expect(refused.text).toMatch(/loopback/);
      // Positive control: the same request with a public address is accepted.
      const accepted = await call(p.url, 'POST', '/v1/webhooks', {
        token,
        body: { url: 'https://93.184.215.14/hooks', events: ['*'] },
      });
      expect(accepted.status).toBe(201);
    } finally {
      if (saved !== undefined) process.env.GLAF_WEBHOOKS_ALLOW_LOOPBACK = saved;
      await p.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
