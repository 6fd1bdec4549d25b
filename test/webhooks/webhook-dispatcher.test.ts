/**
 * WebhookDispatcher on the in-process bus, over the real WebhookService (PGlite with RLS,
 * dynalite delivery log, file secrets, node:http to receivers on 127.0.0.1): the publisher
 * returns before a slow receiver answers, each tenant's events reach only its own webhooks,
 * a webhook registered or disabled takes effect on the next event (the 2 s list cache is
 * dropped on change), and close() drops what is still queued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import { createEvent, type DomainEvent } from '../../lib/domain/events/envelope.js';
import { WebhookDispatcher } from '../../lib/services/webhook-dispatcher.js';
import type { WebhookService } from '../../lib/services/webhooks.js';
import { startReceiver, type Receiver } from './receiver.js';
import { NOW, openWebhookFixture, type WebhookFixture } from './webhook-fixture.js';

const completed = (tenantId: string, executionId: string): DomainEvent =>
  createEvent(
    'execution.completed',
    tenantId,
    { executionId, agentId: 'fuel-emissions', agentVersion: '1.0.0', at: NOW.toISOString() },
    { time: NOW },
  );
const idsAt = (r: Receiver) =>
  r.requests.map((q) => (JSON.parse(q.body) as DomainEvent).detail['executionId'] as string);
const silent = { warn: () => {}, error: () => {} };

describe('WebhookDispatcher', () => {
  let fx: WebhookFixture;
  let service: WebhookService;
  let A: string;
  let B: string;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    fx = await openWebhookFixture('pglite');
    service = fx.service();
    A = await fx.newTenant('dispatch-a');
    B = await fx.newTenant('dispatch-b');
  });
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await fx.close();
  });

  async function receiver(): Promise<Receiver> {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  }

  it("does not hold up the publisher, and delivers each tenant's events to that tenant's webhooks only", async () => {
    const [rxA, rxB] = [await receiver(), await receiver()];
    await service.register(A, { url: rxA.url, events: ['*'] });
    await service.register(B, { url: rxB.url, events: ['execution.completed'] });
    const bus = new MemoryBus();
    const dispatcher = new WebhookDispatcher({ webhooks: service, logger: silent });
    bus.subscribe('*', dispatcher.enqueue);

    await bus.publish([completed(A, 'a-1'), completed(B, 'b-1'), completed(A, 'a-2')]);
    // publish() awaited its subscribers, yet nothing has been sent: delivery runs afterwards.
    expect(rxA.requests.length + rxB.requests.length).toBe(0);
    await dispatcher.idle();

    expect(idsAt(rxA).sort()).toEqual(['a-1', 'a-2']);
    expect(idsAt(rxB)).toEqual(['b-1']);
    await dispatcher.close();
  });

  it('sees a webhook disabled or registered in this process on the next event', async () => {
    const tenant = await fx.newTenant('dispatch-change');
    const [first, second] = [await receiver(), await receiver()];
    const hook = await service.register(tenant, { url: first.url, events: ['execution.completed'] });
    const dispatcher = new WebhookDispatcher({ webhooks: service, logger: silent });

    dispatcher.enqueue(completed(tenant, 'before'));
    await dispatcher.idle();
    await service.setEnabled(tenant, hook.webhook.id, false);
    await service.register(tenant, { url: second.url, events: ['execution.completed'] });
    dispatcher.enqueue(completed(tenant, 'after'));
    await dispatcher.idle();

    expect(idsAt(first)).toEqual(['before']);
    expect(idsAt(second)).toEqual(['after']);
    await dispatcher.close();
  });

  it("finishes every webhook's delivery before reporting one that could not run (its secret is gone)", async () => {
    const tenant = await fx.newTenant('dispatch-partial');
    const [ok, broken] = [await receiver(), await receiver()];
    await service.register(tenant, { url: ok.url, events: ['*'] });
    const lost = await service.register(tenant, { url: broken.url, events: ['*'] });
    const { rows } = await fx.db.scope.withAdmin((tx) =>
      tx.query<{ secret_ref: string }>('select secret_ref from webhooks where id = $1', [lost.webhook.id]),
    );
    await fx.secrets.delete(tenant, rows[0]!.secret_ref);
    const errors: unknown[] = [];
    const dispatcher = new WebhookDispatcher({
      webhooks: service,
      logger: { warn: () => {}, error: (...args: unknown[]) => void errors.push(args[1]) },
    });

    dispatcher.enqueue(completed(tenant, 'partial'));
    await dispatcher.idle();

    expect(idsAt(ok)).toEqual(['partial']);
    expect(broken.requests).toHaveLength(0);
    expect(errors).toEqual([expect.objectContaining({ tenantId: tenant, eventType: 'execution.completed' })]);
    await dispatcher.close();
  });

  it('runs at most `concurrency` deliveries at once and drops the queued ones on close', async () => {
    const tenant = await fx.newTenant('dispatch-bound');
    const rx = await receiver();
    await service.register(tenant, { url: rx.url, events: ['*'] });
    let active = 0;
    let peak = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const dispatcher = new WebhookDispatcher({
      // The real service, entered through a gate so the test sees how many run at once.
      webhooks: {
        dispatch: async (event) => {
          active++;
          peak = Math.max(peak, active);
          await held;
          try {
            return await service.dispatch(event);
          } finally {
            active--;
          }
        },
      },
      concurrency: 2,
      logger: silent,
    });
    for (let i = 0; i < 6; i++) dispatcher.enqueue(completed(tenant, `e-${i}`));
    await new Promise((r) => setImmediate(r));
    expect(active).toBe(2);

    const closing = dispatcher.close();
    dispatcher.enqueue(completed(tenant, 'after-close'));
    release();
    await closing;

    expect(peak).toBe(2);
    expect(idsAt(rx).sort()).toEqual(['e-0', 'e-1']);
  });
});
