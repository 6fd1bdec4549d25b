/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON response bodies: the assertions are the type checks */
/**
 * The local platform's queue engine end to end: async executions submitted over HTTP go
 * through the in-process priority queues to the platform's two workers; work queued when the
 * platform stops (workers paused, so nothing ran) is recovered from the store on restart and
 * completes exactly once; a RUNNING execution whose worker died (lease expired) is released
 * and completed on restart.
 */
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalPlatform, type LocalPlatform } from '../../lib/adapters/local/platform.js';
import type { LocalEngineOptions } from '../../lib/adapters/local/engine.js';
import { call, newDataDir } from './harness.js';

const fuelInput = (quantity: number) => ({
  lines: [{ fuel: 'diesel', quantity, unit: 'litres', period: { start: '2024-01-01', end: '2024-12-31' } }],
});

async function start(dataDir: string, engine: LocalEngineOptions = {}): Promise<LocalPlatform> {
  return startLocalPlatform({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'SILENT', engine });
}

async function onboard(p: LocalPlatform, slug: string): Promise<{ id: string; token: string }> {
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

/** Polls until every execution is terminal (the test timeout bounds it; no timing assertion). */
async function settled(p: LocalPlatform, tenantId: string, ids: readonly string[]): Promise<string[]> {
  for (;;) {
    const all = await Promise.all(ids.map((id) => p.composed.executionStore.get(tenantId, id)));
    if (all.every((e) => ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'].includes(e.status))) {
      return all.map((e) => e.status);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Each test starts the platform (PGlite migrations, dynalite) up to three times: on the shared,
// loaded test machine that alone can pass the 30 s default.
describe('local queue engine', () => {
  const dirs: string[] = [];
  let p: LocalPlatform | undefined;
  afterAll(async () => {
    await p?.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('runs async executions through the queues and the workers', async () => {
    const dir = await newDataDir();
    dirs.push(dir);
    p = await start(dir);
    const t = await onboard(p, 'engine-run');
    const ids: string[] = [];
    for (const [i, priority] of (['P0', 'P1', 'P2', 'P3'] as const).entries()) {
      const r = await call(p.url, 'POST', '/v1/executions', {
        token: t.token,
        body: { agent_id: 'fuel-emissions', mode: 'async', priority, input: fuelInput(10 + i) },
      });
      expect(r.status).toBe(202);
      ids.push(String(r.body.execution_id));
    }
    expect(await settled(p, t.id, ids)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    const engine = p.composed.engine;
    expect(engine).toBeDefined();
    expect(engine?.metrics.get('ExecutionCompleted')).toBe(4);
    const got = await call(p.url, 'GET', `/v1/executions/${ids[0]}`, { token: t.token });
    expect(got.body.status).toBe('COMPLETED');
    await p.close();
    p = undefined;
  }, 180_000);

  it('loses nothing queued across a restart and runs each execution exactly once', async () => {
    const dir = await newDataDir();
    dirs.push(dir);
    // Workers paused: the work stays queued (in memory only) when the platform stops.
    p = await start(dir, { workers: 0 });
    const a = await onboard(p, 'engine-a');
    const b = await onboard(p, 'engine-b');
    const submitted = new Map<string, string[]>([
      [a.id, []],
      [b.id, []],
    ]);
    for (const t of [a, b]) {
      for (let i = 0; i < 6; i++) {
        const r = await call(p.url, 'POST', '/v1/executions', {
          token: t.token,
          body: { agent_id: 'fuel-emissions', mode: 'async', priority: `P${i % 4}`, input: fuelInput(i + 1) },
        });
        expect(r.status).toBe(202);
        submitted.get(t.id)?.push(String(r.body.execution_id));
      }
    }
    expect((await p.composed.engine?.queue.stats('P0'))?.visible).toBeGreaterThan(0);
    await p.close();

    p = await start(dir);
    expect(p.composed.engine?.recovery).toEqual({ requeued: 12, released: 0 });
    for (const [tenantId, ids] of submitted) {
      expect(await settled(p, tenantId, ids)).toEqual(ids.map(() => 'COMPLETED'));
      for (const id of ids) {
        const e = await p.composed.executionStore.get(tenantId, id);
        expect(e.attempts).toBe(1);
      }
    }
    expect(p.composed.engine?.metrics.get('ExecutionCompleted')).toBe(12);
    expect(p.composed.engine?.metrics.get('DuplicateDelivery')).toBe(0);
    await p.close();

    // Nothing left to recover: a second restart queues nothing and runs nothing again.
    p = await start(dir);
    expect(p.composed.engine?.recovery).toEqual({ requeued: 0, released: 0 });
    await p.close();
    p = undefined;
  }, 180_000);

  it('releases and completes a RUNNING execution whose worker died (lease expired)', async () => {
    const dir = await newDataDir();
    dirs.push(dir);
    p = await start(dir, { workers: 0 });
    const t = await onboard(p, 'engine-dead');
    const store = p.composed.executionStore;
    const { execution } = await store.create(t.id, {
      agentId: 'fuel-emissions',
      agentVersion: (await p.services.registry.resolve(t.id, 'fuel-emissions@*')).version.version,
      input: fuelInput(3),
      priority: 2,
    });
    // A worker claimed it with the shortest lease (1 s) and died; wait until the lease is over.
    const claimed = await store.claim(t.id, execution.executionId, 1000);
    const expires = Date.parse(claimed.leaseExpiresAt ?? '');
    while (Date.now() <= expires) await new Promise((r) => setTimeout(r, 50));
    await p.close();

    p = await start(dir);
    expect(p.composed.engine?.recovery).toEqual({ requeued: 1, released: 1 });
    expect(await settled(p, t.id, [execution.executionId])).toEqual(['COMPLETED']);
    expect((await p.composed.executionStore.get(t.id, execution.executionId)).attempts).toBe(2);
    await p.close();
    p = undefined;
  }, 180_000);
});
