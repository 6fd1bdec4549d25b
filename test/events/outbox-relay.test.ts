/**
 * The outbox relay over the real `outbox` table: PGlite always, PostgreSQL when
 * TEST_DATABASE_URL is set (required under CI=true, see test/adapters/sql/harness.ts).
 * Events go through the real in-process bus, or through EventBridgeBus and the fake
 * endpoint where the bus must refuse entries.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeBus } from '../../lib/adapters/aws/eventbridge-bus.js';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import { enqueueOutbox, SqlOutbox } from '../../lib/adapters/sql/outbox.sql.js';
import { createTenantScope } from '../../lib/adapters/sql/tenant-scope.js';
import { deterministicEventId, type DomainEvent } from '../../lib/domain/events/envelope.js';
import type { EventBus } from '../../lib/ports/event-bus.js';
import { OutboxRelay } from '../../lib/services/outbox-relay.js';
import { backends, openTestDb, type TestDb } from '../adapters/sql/harness.js';
import { startFakeEventBridge } from './fake-eventbridge.js';

describe.each(backends())('OutboxRelay on %s', (backend) => {
  let db: TestDb;
  let tenants: string[];
  let bus: MemoryBus;
  let seen: DomainEvent[];

  const newTenant = async (slug: string): Promise<string> => {
    const { rows } = await db.scope.withAdmin((tx) =>
      tx.query<{ id: string }>(
        `insert into tenants (slug, name, tier, home_region) values ($1, $1, 'pool', 'eu-west-1') returning id`,
        [slug],
      ),
    );
    return rows[0]!.id;
  };

  /** Writes suspended events the way the tenant store does: inside a tenant transaction (RLS applies). */
  const enqueue = async (tenantId: string, n = 1, type = 'tenant.suspended'): Promise<number[]> => {
    await db.scope.withTenant(tenantId, async (tx) => {
      for (let i = 0; i < n; i++) await enqueueOutbox(tx, tenantId, type, { tenantId, reason: `r${i}` });
    });
    const rows = await new SqlOutbox(db.scope).listForTenant(tenantId);
    return rows.slice(-n).map((r) => r.id);
  };

  const pendingIds = async (): Promise<number[]> =>
    (await new SqlOutbox(db.scope).pending(10_000)).map((e) => e.id);
  const idOf = (outboxId: number) => deterministicEventId(`outbox:${outboxId}`);

  beforeAll(async () => {
    db = await openTestDb(backend);
    tenants = [];
    for (let i = 0; i < 5; i++) tenants.push(await newTenant(`relay-${i}`));
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    // Each test starts with an empty outbox (the raw connection is a superuser: setup only).
    await db.raw.query('delete from outbox');
    bus = new MemoryBus();
    seen = [];
    bus.subscribe('*', (e) => void seen.push(e));
  });

  it('publishes pending rows in id order with ids derived from the row, then marks them', async () => {
    // Prepare
    const [a, b] = tenants as [string, string];
    const a1 = await enqueue(a);
    const b1 = await enqueue(b, 2);
    const a2 = await enqueue(a);
    const ids = [...a1, ...b1, ...a2];
    const relay = new OutboxRelay({ scope: db.scope, bus });
    // Act
    const report = await relay.relayOnce();
    // Assess
    expect(report).toEqual({ locked: true, read: 4, marked: 4, retained: 0, invalid: [] });
    expect(seen.map((e) => e.id)).toEqual(ids.map(idOf));
    expect(seen[0]).toMatchObject({
      type: 'tenant.suspended',
      version: 1,
      tenantId: a,
      source: 'glaf',
      detail: { tenantId: a, reason: 'r0' },
    });
    expect(Number.isNaN(Date.parse(seen[0]!.time))).toBe(false);
    expect(await pendingIds()).toEqual([]);
    expect(await relay.relayOnce()).toMatchObject({ locked: true, read: 0, marked: 0 });
    expect(seen).toHaveLength(4);
  });

  it('reads in batches and drains everything', async () => {
    for (const t of tenants) await enqueue(t, 7);
    const relay = new OutboxRelay({ scope: db.scope, bus, batchSize: 4 });
    expect(await relay.drain()).toBe(35);
    expect(seen).toHaveLength(35);
    expect(await pendingIds()).toEqual([]);
  });

  it('at least once: a crash after publishing and before marking republishes the same ids', async () => {
    const ids = await enqueue(tenants[0]!, 3);
    const crashing: EventBus = {
      publish: async (events) => {
        await bus.publish(events);
        throw new Error('relay process died before COMMIT');
      },
    };
    await expect(new OutboxRelay({ scope: db.scope, bus: crashing }).relayOnce()).rejects.toThrow(/died/);
    expect(await pendingIds()).toEqual(ids);
    await new OutboxRelay({ scope: db.scope, bus }).relayOnce();
    expect(seen.map((e) => e.id)).toEqual([...ids, ...ids].map(idOf));
    expect(await pendingIds()).toEqual([]);
  });

  it('in order per tenant: a refused row holds back the later rows of its tenant only', async () => {
    // Prepare: a1 b1 a2 b2 a3; the bus refuses a2 (EventBridge without a DLQ, one attempt).
    const [a, b] = tenants as [string, string];
    const [a1] = await enqueue(a);
    const [b1] = await enqueue(b);
    const [a2] = await enqueue(a);
    const [b2] = await enqueue(b);
    const [a3] = await enqueue(a);
    const fake = await startFakeEventBridge(bus);
    try {
      fake.failWith((entry) =>
        (JSON.parse(entry.Detail) as DomainEvent).id === idOf(a2!) ? 'ThrottlingException' : undefined,
      );
      const client = new EventBridgeClient({
        endpoint: fake.endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
        maxAttempts: 1,
      });
      const eb = new EventBridgeBus({ client, eventBusName: 'glaf-test', maxAttempts: 1 });
      const relay = new OutboxRelay({ scope: db.scope, bus: eb });
      // Act
      const first = await relay.relayOnce();
      // Assess: b1, b2 and a1 are done; a2 and a3 wait (a3 went out but is not marked).
      expect(first).toMatchObject({ read: 5, marked: 3, retained: 2 });
      expect(await pendingIds()).toEqual([a2, a3]);
      fake.failWith(undefined);
      expect(await relay.relayOnce()).toMatchObject({ read: 2, marked: 2, retained: 0 });
      expect(await pendingIds()).toEqual([]);
      // Tenant a saw a1, a3 (early, not marked), then a2, a3 again with the same id: the
      // consumer's last occurrence of each id is in outbox order.
      const forA = seen.filter((e) => e.tenantId === a).map((e) => e.id);
      expect(forA).toEqual([a1, a3, a2, a3].map((id) => idOf(id!)));
      expect(seen.filter((e) => e.tenantId === b).map((e) => e.id)).toEqual([b1, b2].map((id) => idOf(id!)));
    } finally {
      await fake.close();
    }
  });

  it('leaves a row whose event fails its schema pending and reports it', async () => {
    const [bad] = await enqueue(tenants[0]!, 1, 'tenant.exploded');
    const [good] = await enqueue(tenants[1]!);
    const report = await new OutboxRelay({ scope: db.scope, bus }).relayOnce();
    expect(report.invalid).toEqual([
      { outboxId: bad, error: expect.stringMatching(/not a known event type/) as string },
    ]);
    expect(seen.map((e) => e.id)).toEqual([idOf(good!)]);
    expect(await pendingIds()).toEqual([bad]);
  });

  it('invalid rows do not stall the relay when they fill a whole batch', async () => {
    const bad = await enqueue(tenants[0]!, 3, 'tenant.exploded');
    const good = await enqueue(tenants[1]!, 2);
    const relay = new OutboxRelay({ scope: db.scope, bus, batchSize: 3 });
    const first = await relay.relayOnce();
    expect(first).toMatchObject({ read: 3, marked: 0 });
    expect(first.invalid.map((i) => i.outboxId)).toEqual(bad);
    expect(await relay.relayOnce()).toMatchObject({ read: 2, marked: 2, invalid: [] });
    expect(seen.map((e) => e.id)).toEqual(good.map(idOf));
    expect(await pendingIds()).toEqual(bad);
    await enqueue(tenants[0]!, 3, 'tenant.exploded');
    const more = await enqueue(tenants[2]!, 1);
    expect(await new OutboxRelay({ scope: db.scope, bus, batchSize: 3 }).drain()).toBe(1);
    expect(seen.at(-1)!.id).toBe(idOf(more[0]!));
  });

  it('two relays draining at once publish every event exactly once, in order per tenant', async () => {
    // Interleave tenants so every batch mixes them.
    for (let round = 0; round < 12; round++) for (const t of tenants) await enqueue(t);
    const second = backend === 'postgres' ? createTenantScope(db.connect(), db.roles) : db.scope;
    const r1 = new OutboxRelay({ scope: db.scope, bus, batchSize: 7 });
    const r2 = new OutboxRelay({ scope: second, bus, batchSize: 7 });
    const [n1, n2] = await Promise.all([r1.drain({ idleMs: 1 }), r2.drain({ idleMs: 1 })]);
    expect(n1 + n2).toBe(60);
    const ids = seen.map((e) => e.id);
    expect(new Set(ids).size).toBe(60);
    for (const t of tenants) {
      const expected = (await new SqlOutbox(db.scope).listForTenant(t)).map((r) => idOf(r.id));
      expect(seen.filter((e) => e.tenantId === t).map((e) => e.id)).toEqual(expected);
    }
  });
});

// Two connections are needed to hold the lock in one and try it from another: PostgreSQL
// only (PGlite has one connection, so its transactions never overlap in the first place).
describe.each(backends().filter((b) => b === 'postgres'))('OutboxRelay lock on %s', (backend) => {
  let db: TestDb;
  let tenant: string;
  beforeAll(async () => {
    db = await openTestDb(backend);
    const { rows } = await db.scope.withAdmin((tx) =>
      tx.query<{ id: string }>(
        `insert into tenants (slug, name, tier, home_region) values ('lock', 'lock', 'pool', 'eu-west-1') returning id`,
      ),
    );
    tenant = rows[0]!.id;
  });
  afterAll(() => db.close());

  it('a second relay does nothing while the first holds the lock', async () => {
    // Prepare: relay A stops inside publish until released.
    await db.scope.withTenant(tenant, (tx) =>
      enqueueOutbox(tx, tenant, 'tenant.resumed', { tenantId: tenant }),
    );
    const bus = new MemoryBus();
    const seen: string[] = [];
    bus.subscribe('*', (e) => void seen.push(e.id));
    let entered!: () => void;
    let release!: () => void;
    const inPublish = new Promise<void>((r) => (entered = r));
    const gate = new Promise<void>((r) => (release = r));
    const gated: EventBus = {
      publish: async (events) => {
        entered();
        await gate;
        return bus.publish(events);
      },
    };
    const a = new OutboxRelay({ scope: db.scope, bus: gated });
    const b = new OutboxRelay({ scope: createTenantScope(db.connect(), db.roles), bus });
    // Act
    const running = a.relayOnce();
    await inPublish;
    const whileLocked = await b.relayOnce();
    release();
    const done = await running;
    // Assess
    expect(whileLocked).toEqual({ locked: false, read: 0, marked: 0, retained: 0, invalid: [] });
    expect(done).toMatchObject({ locked: true, read: 1, marked: 1 });
    expect(seen).toHaveLength(1);
    expect(await b.relayOnce()).toMatchObject({ locked: true, read: 0 });
  });
});
