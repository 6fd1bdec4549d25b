/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment -- JSON response bodies: the assertions are the type checks */
/**
 * Webhook routes over the real handler and real services: createServices (PGlite in memory
 * with the webhooks table under RLS, dynalite for the delivery log), 0600 secret files, the
 * URL guard (loopback allowed so the receiver on 127.0.0.1 can be called, except where a test
 * says otherwise) and node:http to a real receiver. The test composes the WebhookService
 * itself and adds it to the services as `webhooks`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../../lib/adapters/local/file-secret-store.js';
import { NodeHttpSender } from '../../../lib/adapters/net/node-http-sender.js';
import { UrlGuard } from '../../../lib/adapters/net/url-guard.js';
import { SqlWebhookStore } from '../../../lib/adapters/sql/webhook-store.sql.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../../lib/domain/webhook-signature.js';
import { createApiHandler } from '../../../lib/http/lambda.js';
import { routes } from '../../../lib/http/routes/index.js';
import { createServices, type AppServices, type ComposedServices } from '../../../lib/http/services.js';
import { WebhookService } from '../../../lib/services/webhooks.js';
import { startReceiver, type Receiver } from '../../webhooks/receiver.js';
import { type Api, callerFor, member, onboard } from './harness.js';

interface Composition {
  readonly api: Api;
  close(): Promise<void>;
}

/** The route harness's shape over services that include (or lack) webhooks. */
async function compose(options: { allowLoopback: boolean; webhooks: boolean }): Promise<Composition> {
  const secretsDir = mkdtempSync(join(tmpdir(), 'glaf-webhook-secrets-'));
  // The test composes its own WebhookService (or none): the composition's default is left out.
  const composed: ComposedServices = await createServices({ dataDir: 'memory', webhooks: null });
  const webhooks = new WebhookService({
    store: new SqlWebhookStore(composed.database.scope),
    secrets: new FileSecretStore(secretsDir),
    executions: composed.executionStore,
    guard: new UrlGuard({ allowLoopback: options.allowLoopback }),
    sender: new NodeHttpSender(),
    clock: () => new Date(),
    sleep: () => Promise.resolve(), // backoff is the delivery tests' subject, not this file's
  });
  const services: AppServices & { readonly webhooks?: WebhookService } = options.webhooks
    ? { ...composed.services, webhooks }
    : composed.services;
  const handler = createApiHandler(routes, () => services, {
    logger: new Logger({ serviceName: 'webhook-route-tests', logLevel: 'SILENT' }),
  });
  const call = callerFor(handler);
  const api: Api = {
    call,
    idle: () => Promise.resolve(),
    services,
    store: composed.executionStore,
    exportsDir: secretsDir,
    close: () => Promise.resolve(),
  };
  return {
    api,
    close: async () => {
      await composed.close();
      rmSync(secretsDir, { recursive: true, force: true });
    },
  };
}

describe('webhook routes', () => {
  let c: Composition;
  let api: Api;
  let receiver: Receiver;
  let a: string;
  let b: string;

  beforeAll(async () => {
    c = await compose({ allowLoopback: true, webhooks: true });
    api = c.api;
    receiver = await startReceiver();
    a = await onboard(api, 'hooks-a');
    b = await onboard(api, 'hooks-b');
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    await c?.close();
  });

  const admin = (t: string) => member(t, 'admin');
  const register = (t: string, body: unknown = { url: receiver.url, events: ['execution.completed'] }) =>
    api.call('POST', '/v1/webhooks', { as: admin(t), body });

  it('registers a webhook: 201, Location, the secret once; list and get never show it', async () => {
    const res = await register(a);

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ url: receiver.url, events: ['execution.completed'], active: true });
    expect(res.body.secret).toMatch(/^whsec_/);
    expect(res.headers.location).toBe(`/v1/webhooks/${res.body.id}`);
    expect(res.headers['cache-control']).toBe('no-store');

    const list = await api.call('GET', '/v1/webhooks', { as: admin(a) });
    expect(list.status).toBe(200);
    expect(list.body.items.map((w: { id: string }) => w.id)).toContain(res.body.id);
    const got = await api.call('GET', `/v1/webhooks/${res.body.id}`, { as: admin(a) });
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      id: res.body.id,
      url: receiver.url,
      events: ['execution.completed'],
      active: true,
      created_at: res.body.created_at,
    });
    expect(list.text + got.text).not.toContain(res.body.secret);
    expect(list.text + got.text).not.toContain('secret');
  });

  it('refuses a private or loopback-less URL with 400 and the reason, and bad bodies with the issues', async () => {
    const priv = await register(a, { url: 'http://10.1.2.3/hook', events: ['*'] });
    expect(priv.status).toBe(400);
    expect(priv.text).toContain('10.1.2.3');
    expect(priv.text).toMatch(/private/);

    const badEvent = await register(a, { url: receiver.url, events: ['no.such-event'] });
    expect(badEvent.status).toBe(400);
    expect(badEvent.text).toContain('events');

    const missing = await register(a, { events: ['*'] });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('body.url');
  });

  it('is for admins only: other roles get 403', async () => {
    for (const role of ['viewer', 'operator', 'developer'] as const) {
      const res = await api.call('GET', '/v1/webhooks', { as: member(a, role) });
      expect({ role, status: res.status }).toEqual({ role, status: 403 });
    }
  });

  it('disables and enables, rotates the secret (a new one, shown once) and deletes', async () => {
    const { body: hook } = await register(a);
    const base = `/v1/webhooks/${hook.id}`;

    const off = await api.call('POST', `${base}/disable`, { as: admin(a) });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const on = await api.call('POST', `${base}/enable`, { as: admin(a) });
    expect(on.body.active).toBe(true);

    const rotated = await api.call('POST', `${base}/rotate-secret`, { as: admin(a) });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(hook.secret);
    expect(rotated.headers['cache-control']).toBe('no-store');

    // The ping is signed with the new secret, not the old one.
    const before = receiver.requests.length;
    const ping = await api.call('POST', `${base}/test`, { as: admin(a) });
    expect(ping.status).toBe(200);
    expect(ping.body).toMatchObject({ webhook_id: hook.id, delivered: true });
    const req = receiver.requests[before]!;
    const header = req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined;
    expect(verifyWebhookSignature(req.body, header, rotated.body.secret as string).ok).toBe(true);
    expect(verifyWebhookSignature(req.body, header, hook.secret as string).ok).toBe(false);

    const del = await api.call('DELETE', base, { as: admin(a) });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ id: hook.id, deleted: true });
    expect((await api.call('GET', base, { as: admin(a) })).status).toBe(404);
  });

  it('sends a test ping and lists the delivery log newest first, with a cursor', async () => {
    const { body: hook } = await register(a);
    const base = `/v1/webhooks/${hook.id}`;
    receiver.script([500, 200]);
    const ping = await api.call('POST', `${base}/test`, { as: admin(a) });
    receiver.script([200]);
    expect(ping.body.delivered).toBe(true);
    expect(ping.body.attempts.map((d: { outcome: string }) => d.outcome)).toEqual(['failed', 'delivered']);
    expect(ping.body.attempts[0].response_status).toBe(500);

    const first = await api.call('GET', `${base}/deliveries`, { as: admin(a), query: { limit: '1' } });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0]).toMatchObject({
      attempt: 2,
      outcome: 'delivered',
      event_type: 'webhook.test',
    });
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await api.call('GET', `${base}/deliveries`, {
      as: admin(a),
      query: { limit: '1', cursor: first.body.next_cursor },
    });
    expect(second.body.items[0]).toMatchObject({ attempt: 1, outcome: 'failed', response_status: 500 });
  });

  it("answers 404 for another tenant's webhook on every route, and changes nothing", async () => {
    const { body: hook } = await register(a);
    const base = `/v1/webhooks/${hook.id}`;
    const tries: [string, string][] = [
      ['GET', base],
      ['DELETE', base],
      ['POST', `${base}/enable`],
      ['POST', `${base}/disable`],
      ['POST', `${base}/rotate-secret`],
      ['POST', `${base}/test`],
      ['GET', `${base}/deliveries`],
    ];
    const before = receiver.requests.length;
    for (const [method, path] of tries) {
      const res = await api.call(method, path, { as: admin(b) });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
    }
    expect(receiver.requests.length).toBe(before);
    const list = await api.call('GET', '/v1/webhooks', { as: admin(b) });
    expect(list.body.items).toEqual([]);
    const still = await api.call('GET', base, { as: admin(a) });
    expect(still.body).toMatchObject({ id: hook.id, active: true });
  });
});

describe('webhook routes without loopback or without the service', () => {
  it('refuses a loopback URL with 400 when the guard does not allow it', async () => {
    const c = await compose({ allowLoopback: false, webhooks: true });
    try {
      const t = await onboard(c.api, 'hooks-strict');
      const res = await c.api.call('POST', '/v1/webhooks', {
        as: member(t, 'admin'),
        body: { url: 'http://127.0.0.1:9/hook', events: ['*'] },
      });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/loopback/);
    } finally {
      await c.close();
    }
  }, 60_000);

  it('answers 503 when the composition has no webhook service', async () => {
    const c = await compose({ allowLoopback: true, webhooks: false });
    try {
      const t = await onboard(c.api, 'hooks-none');
      const res = await c.api.call('GET', '/v1/webhooks', { as: member(t, 'admin') });
      expect(res.status).toBe(503);
    } finally {
      await c.close();
    }
  }, 60_000);
});
