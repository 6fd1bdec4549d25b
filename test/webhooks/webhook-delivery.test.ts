import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEvent } from '../../lib/domain/events/envelope.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../lib/domain/webhook-signature.js';
import type { WebhookService } from '../../lib/services/webhooks.js';
import { backends } from '../adapters/sql/harness.js';
import { startReceiver, type Receiver } from './receiver.js';
import { NOW, openWebhookFixture, type WebhookFixture } from './webhook-fixture.js';

const completed = (tenantId: string) =>
  createEvent(
    'execution.completed',
    tenantId,
    { executionId: 'exec-1', agentId: 'fuel-emissions', agentVersion: '1.0.0', at: NOW.toISOString() },
    { time: NOW },
  );

describe.each(backends())('webhook delivery on %s', (backend) => {
  let fx: WebhookFixture;
  let service: WebhookService;
  let receiver: Receiver;
  let tenant: string;

  beforeAll(async () => {
    fx = await openWebhookFixture(backend);
    service = fx.service();
    tenant = await fx.newTenant('acme');
  });
  afterAll(async () => fx.close());
  beforeEach(async () => {
    receiver = await startReceiver();
    fx.sleeps.length = 0;
  });
  afterEach(async () => receiver.close());

  it('500, 500, then 200: delivered once, 3 attempts logged with status codes and durations', async () => {
    const { webhook, secret } = await service.register(tenant, {
      url: receiver.url,
      events: ['execution.completed'],
    });
    receiver.script([500, 500, 200]);
    const event = completed(tenant);

    const [result] = await service.dispatch(event);

    expect(result).toMatchObject({ webhookId: webhook.id, delivered: true });
    expect(receiver.requests).toHaveLength(3);
    for (const req of receiver.requests) {
      expect(req.method).toBe('POST');
      expect(req.path).toBe('/hooks/in');
      expect(JSON.parse(req.body)).toEqual(event);
      expect(req.headers['glaf-event-id']).toBe(event.id);
      const header = req.headers[SIGNATURE_HEADER.toLowerCase()] as string;
      expect(verifyWebhookSignature(req.body, header, secret, { now: NOW })).toMatchObject({ ok: true });
    }
    expect(receiver.requests.map((r) => r.headers['glaf-delivery-attempt'])).toEqual(['1', '2', '3']);
    expect(fx.sleeps).toEqual([1000, 2000]); // exponential backoff between attempts

    const log = await service.listDeliveries(tenant, webhook.id);
    const attempts = [...log.items].reverse();
    expect(attempts.map((a) => [a.attempt, a.responseStatus, a.outcome])).toEqual([
      [1, 500, 'failed'],
      [2, 500, 'failed'],
      [3, 200, 'delivered'],
    ]);
    for (const a of attempts) {
      expect(a).toMatchObject({ eventId: event.id, eventType: 'execution.completed', webhookId: webhook.id });
      expect(Number.isInteger(a.durationMs) && a.durationMs >= 0).toBe(true);
    }
    expect(attempts.filter((a) => a.outcome === 'delivered')).toHaveLength(1);
    await service.delete(tenant, webhook.id);
  });

  it('gives up after 3 retries (4 attempts) with backoff 1 s, 2 s, 4 s', async () => {
    const { webhook } = await service.register(tenant, { url: receiver.url, events: ['*'] });
    receiver.script([503]);

    const result = await service.sendTestPing(tenant, webhook.id);

    expect(result.delivered).toBe(false);
    expect(receiver.requests).toHaveLength(4);
    expect(fx.sleeps).toEqual([1000, 2000, 4000]);
    expect(result.attempts.map((a) => [a.attempt, a.responseStatus, a.outcome])).toEqual([
      [1, 503, 'failed'],
      [2, 503, 'failed'],
      [3, 503, 'failed'],
      [4, 503, 'failed'],
    ]);
    await service.delete(tenant, webhook.id);
  });

  it('does not retry a final client error (400), does retry 429', async () => {
    const { webhook } = await service.register(tenant, { url: receiver.url, events: ['webhook.test'] });
    receiver.script([400]);
    const rejected = await service.sendTestPing(tenant, webhook.id);
    expect(rejected.attempts.map((a) => a.responseStatus)).toEqual([400]);
    expect(fx.sleeps).toEqual([]);

    receiver.script([429, 204]);
    const throttled = await service.sendTestPing(tenant, webhook.id);
    expect(throttled.delivered).toBe(true);
    expect(throttled.attempts.map((a) => a.responseStatus)).toEqual([429, 204]);
    await service.delete(tenant, webhook.id);
  });

  it('retries when nothing listens, logging attempts without a status', async () => {
    const { webhook } = await service.register(tenant, { url: receiver.url, events: ['webhook.test'] });
    await receiver.close();
    receiver = await startReceiver(); // a fresh one for afterEach; the webhook's port is now closed

    const result = await service.sendTestPing(tenant, webhook.id);

    expect(result.delivered).toBe(false);
    expect(result.attempts).toHaveLength(4);
    expect(result.attempts.every((a) => a.responseStatus === undefined && a.outcome === 'failed')).toBe(true);
    await service.delete(tenant, webhook.id);
  });

  it('connects to the address the guard approved, not to a second DNS answer (pinning)', async () => {
    // "hooks.test" exists only in this resolver: the system resolver could not find it,
    // so the request reaching the receiver proves the sender used the pinned address.
    const resolver = () => Promise.resolve([{ address: '127.0.0.1', family: 4 as const }]);
    const pinned = fx.service({ resolver });
    const { webhook, secret } = await pinned.register(tenant, {
      url: `http://hooks.test:${receiver.port}/hooks/in`,
      events: ['webhook.test'],
    });

    const result = await pinned.sendTestPing(tenant, webhook.id);

    expect(result.delivered).toBe(true);
    expect(receiver.requests[0]!.headers.host).toBe(`hooks.test:${receiver.port}`);
    const header = receiver.requests[0]!.headers['glaf-signature'] as string;
    expect(verifyWebhookSignature(receiver.requests[0]!.body, header, secret, { now: NOW }).ok).toBe(true);
    await pinned.delete(tenant, webhook.id);
  });

  it('re-checks DNS at delivery time: a host that now resolves to 10.0.0.1 gets nothing (rebinding)', async () => {
    let answer = '127.0.0.1';
    const resolver = () => Promise.resolve([{ address: answer, family: 4 as const }]);
    const rebinding = fx.service({ resolver });
    const { webhook } = await rebinding.register(tenant, {
      url: `http://rebind.test:${receiver.port}/hooks/in`,
      events: ['webhook.test'],
    });
    answer = '10.0.0.1';

    const result = await rebinding.sendTestPing(tenant, webhook.id);

    expect(result.delivered).toBe(false);
    expect(result.attempts.map((a) => [a.attempt, a.outcome, a.responseStatus])).toEqual([
      [1, 'failed', undefined],
    ]);
    expect(receiver.requests).toHaveLength(0);
    expect(fx.sleeps).toEqual([]); // refused for good, not retried
    await rebinding.delete(tenant, webhook.id);
  });

  it('retries when DNS fails for a moment (transient), unlike a forbidden answer', async () => {
    let failures = 0;
    const flaky = fx.service({
      resolver: (host) =>
        host === 'flaky.test' && failures++ === 1 // 0: registration, 1: first attempt
          ? Promise.reject(new Error('EAI_AGAIN'))
          : Promise.resolve([{ address: '127.0.0.1', family: 4 as const }]),
    });
    const { webhook } = await flaky.register(tenant, {
      url: `http://flaky.test:${receiver.port}/hooks/in`,
      events: ['webhook.test'],
    });

    const result = await flaky.sendTestPing(tenant, webhook.id);

    expect(result.delivered).toBe(true);
    expect(result.attempts.map((a) => [a.attempt, a.outcome, a.responseStatus])).toEqual([
      [1, 'failed', undefined],
      [2, 'delivered', 200],
    ]);
    expect(fx.sleeps).toEqual([1000]);
    expect(receiver.requests).toHaveLength(1);
    await flaky.delete(tenant, webhook.id);
  });

  it('dispatch reaches only active webhooks subscribed to the event type', async () => {
    const other = await startReceiver();
    try {
      const subscribed = await service.register(tenant, {
        url: receiver.url,
        events: ['execution.completed'],
      });
      const wildcard = await service.register(tenant, { url: other.url, events: ['*'] });
      const elsewhere = await service.register(tenant, { url: other.url, events: ['agent.created'] });
      const disabled = await service.register(tenant, { url: other.url, events: ['execution.completed'] });
      await service.setEnabled(tenant, disabled.webhook.id, false);

      const results = await service.dispatch(completed(tenant));

      expect(results.map((r) => r.webhookId).sort()).toEqual(
        [subscribed.webhook.id, wildcard.webhook.id].sort(),
      );
      expect(receiver.requests).toHaveLength(1);
      expect(other.requests).toHaveLength(1);
      for (const w of [subscribed, wildcard, elsewhere, disabled]) await service.delete(tenant, w.webhook.id);
    } finally {
      await other.close();
    }
  });

  it('after rotation, deliveries carry the new signature: old secret fails, new passes', async () => {
    const { webhook, secret: oldSecret } = await service.register(tenant, {
      url: receiver.url,
      events: ['webhook.test'],
    });
    const rotated = await service.rotateSecret(tenant, webhook.id);
    expect(rotated.secret).not.toBe(oldSecret);

    await service.sendTestPing(tenant, webhook.id);

    const req = receiver.requests[0]!;
    const header = req.headers['glaf-signature'] as string;
    expect(verifyWebhookSignature(req.body, header, rotated.secret, { now: NOW })).toMatchObject({
      ok: true,
    });
    expect(verifyWebhookSignature(req.body, header, oldSecret, { now: NOW })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    expect(JSON.parse(req.body)).toMatchObject({ type: 'webhook.test', detail: { webhookId: webhook.id } });
    await service.delete(tenant, webhook.id);
  });
});
