/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON response bodies: the assertions are the type checks */
/**
 * The SQL outbox's events on the running local platform, over real HTTP: the platform's relay
 * loop publishes tenant.* and agent.* events to the in-process bus without anyone asking, so a
 * bus subscriber sees a tenant onboarded through the API, and a tenant's webhooks receive its
 * agent lifecycle (in order) and its suspension. A platform stopped with rows still pending
 * publishes them after the restart. Everything is real: PGlite, dynalite, node:http receivers.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlatform, type LocalPlatform } from '../../lib/adapters/local/platform.js';
import type { DomainEvent } from '../../lib/domain/events/envelope.js';
import { validateEvent } from '../../lib/domain/events/validate.js';
import { heatSpec } from '../workers/harness.js';
import { startReceiver, type Receiver } from '../webhooks/receiver.js';
import { call, newDataDir } from './harness.js';

async function until<T>(check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const start = (dataDir: string) =>
  startLocalPlatform({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'SILENT',
    webhooks: { allowLoopback: true, policy: { retries: 1, baseDelayMs: 5, timeoutMs: 5_000 } },
  });

describe('outbox events on the local platform', () => {
  let dir: string;
  let p: LocalPlatform;
  const events: DomainEvent[] = [];
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    dir = await newDataDir();
    p = await start(dir);
    p.composed.bus.subscribe('*', (e) => void events.push(e));
  }, 180_000);
  afterAll(async () => {
    await p?.close();
    for (const r of receivers) await r.close();
    await rm(dir, { recursive: true, force: true });
  });

  const platformAdmin = () =>
    p.mintToken({ tenantId: null, roles: [], platformAdmin: true, sub: 'e2e', ttlSeconds: 600 });

  async function onboard(slug: string): Promise<{ id: string; token: string }> {
    const r = await call(p.url, 'POST', '/v1/tenants', {
      token: await platformAdmin(),
      body: { slug, name: slug, home_region: 'eu-west-1', admin: { email: `admin@${slug}.example` } },
    });
    expect(r.status).toBe(201);
    const id = String(r.body.tenant.tenant_id);
    return { id, token: await p.mintToken({ tenantId: id, roles: ['admin'], sub: 'e2e', ttlSeconds: 600 }) };
  }

  async function hook(token: string, types: string[]): Promise<Receiver> {
    const rx = await startReceiver([200]);
    receivers.push(rx);
    const r = await call(p.url, 'POST', '/v1/webhooks', { token, body: { url: rx.url, events: types } });
    expect(r.status).toBe(201);
    return rx;
  }

  it(
    'a tenant onboarded through the API reaches a bus subscriber as tenant.created, exactly',
    { timeout: 30_000 },
    async () => {
      // Act
      const t = await onboard('outbox-onboarded');
      // Assess
      const created = await until(() =>
        events.find((e) => e.type === 'tenant.created' && e.tenantId === t.id),
      );
      expect(validateEvent(created)).toEqual(created);
      expect(created).toMatchObject({ version: 1, source: 'glaf', tenantId: t.id });
      expect(created.detail).toEqual({
        tenantId: t.id,
        slug: 'outbox-onboarded',
        tier: 'pool',
        homeRegion: 'eu-west-1',
      });
      expect(events.filter((e) => e.id === created.id)).toHaveLength(1);
    },
  );

  it(
    "a tenant's webhook receives its agent's lifecycle and its suspension; the bus has them in order",
    { timeout: 60_000 },
    async () => {
      // Prepare
      const t = await onboard('outbox-agents');
      const other = await onboard('outbox-bystander');
      const rx = await hook(t.token, [
        'agent.created',
        'agent.version.published',
        'agent.certified',
        'tenant.suspended',
      ]);
      const otherRx = await hook(other.token, ['*']);
      // Act: register (created + first version), promote to experimental, then certified.
      const reg = await call(p.url, 'POST', '/v1/agents', {
        token: t.token,
        body: {
          spec: heatSpec,
          golden_tests: [{ name: 'two MWh', input: { mwh: 2 }, expected: { kwh: 2000, kg_co2e: 359.3 } }],
        },
      });
      expect(reg.status).toBe(201);
      for (const to of ['experimental', 'certified']) {
        const r = await call(p.url, 'POST', '/v1/agents/site-heat/versions/1.1.0/promote', {
          token: t.token,
          body: { to },
        });
        expect(r.status).toBe(200);
      }
      const suspend = await call(p.url, 'POST', `/v1/tenants/${t.id}/suspend`, {
        token: await platformAdmin(),
      });
      expect(suspend.status).toBe(200);
      // Assess
      const got = await until(() => (rx.requests.length >= 4 ? rx.requests : undefined));
      const delivered = got.map((r) => JSON.parse(r.body) as DomainEvent);
      // Webhook deliveries run concurrently (each with its own retries), so their arrival order is
      // not promised; the relay's order per tenant is checked on the bus below.
      const byType = (a: [string, unknown], b: [string, unknown]) => a[0].localeCompare(b[0]);
      const expected: [string, unknown][] = [
        ['agent.created', { agentId: 'site-heat', kind: 'declarative', displayName: 'Site heat' }],
        ['agent.version.published', { agentId: 'site-heat', version: '1.1.0', stage: 'draft' }],
        ['agent.certified', { agentId: 'site-heat', version: '1.1.0' }],
        ['tenant.suspended', { tenantId: t.id }],
      ];
      expect(delivered.map((e): [string, unknown] => [e.type, e.detail]).sort(byType)).toEqual(
        expected.sort(byType),
      );
      expect(delivered.every((e) => e.tenantId === t.id)).toBe(true);
      // The other tenant's catch-all webhook got none of them (positive control: same bus, same relay).
      // It may hold its own tenant.created: on a loaded machine the relay can publish that after the
      // webhook was registered, and it is the bystander's own event.
      await p.composed.webhookDispatcher!.idle();
      const seenByOther = otherRx.requests.map((r) => JSON.parse(r.body) as DomainEvent);
      expect(seenByOther.filter((e) => e.tenantId !== other.id)).toEqual([]);
      expect(seenByOther.filter((e) => e.type !== 'tenant.created')).toEqual([]);
      expect(events.filter((e) => e.tenantId === t.id).map((e) => e.type)).toEqual([
        'tenant.created',
        'agent.created',
        'agent.version.published',
        'agent.certified',
        'tenant.suspended',
      ]);
    },
  );

  it(
    'rows pending when the platform stops are published after the restart (tenant.created to a webhook)',
    { timeout: 240_000 },
    async () => {
      // Prepare: stop the relay, then onboard while nothing relays. The event waits in the
      // outbox, so a webhook registered now still receives the tenant's own tenant.created.
      await p.composed.outbox!.stop();
      const t = await onboard('outbox-restart');
      const rx = await hook(t.token, ['tenant.created']);
      await new Promise((r) => setTimeout(r, 300));
      expect(events.some((e) => e.tenantId === t.id)).toBe(false);
      expect(rx.requests).toEqual([]);
      await p.close();
      // Act
      p = await start(dir);
      // Assess
      const [req] = await until(() => (rx.requests.length > 0 ? rx.requests : undefined));
      const created = JSON.parse(req!.body) as DomainEvent;
      expect(created).toMatchObject({ type: 'tenant.created', tenantId: t.id });
      expect(created.detail).toMatchObject({ tenantId: t.id, slug: 'outbox-restart' });
      const pending = async () => {
        const { rows } = await p.composed.database.scope.withAdmin((tx) =>
          tx.query<{ n: string }>('select count(*) as n from outbox where published_at is null'),
        );
        return Number(rows[0]!.n);
      };
      await until(async () => ((await pending()) === 0 ? true : undefined));
      await p.composed.webhookDispatcher!.idle();
      expect(rx.requests).toHaveLength(1);
    },
  );
});
