/**
 * OutboxLoop over the real relay and the real `outbox` table (PGlite always, PostgreSQL with
 * TEST_DATABASE_URL), publishing to the in-process bus: rows written while it runs go out
 * without anyone calling it, a nudge cuts the pause short, a failing bus is retried, and a
 * loop stopped in the middle of a round and a fresh one started later lose nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import { enqueueOutbox, SqlOutbox } from '../../lib/adapters/sql/outbox.sql.js';
import { deterministicEventId, type DomainEvent } from '../../lib/domain/events/envelope.js';
import type { EventBus } from '../../lib/ports/event-bus.js';
import { OutboxLoop, startOutboxLoop } from '../../lib/services/outbox-loop.js';
import { OutboxRelay } from '../../lib/services/outbox-relay.js';
import { backends, openTestDb, type TestDb } from '../adapters/sql/harness.js';

/** Polls until `check` holds (the test's time limit bounds it). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 10));
}

const silent = { warn: () => {}, error: () => {} };

describe.each(backends())('OutboxLoop on %s', (backend) => {
  let db: TestDb;
  let tenants: string[];
  let bus: MemoryBus;
  let seen: DomainEvent[];
  let loops: OutboxLoop[];

  const enqueue = async (tenantId: string, n = 1): Promise<number[]> => {
    await db.scope.withTenant(tenantId, async (tx) => {
      for (let i = 0; i < n; i++)
        await enqueueOutbox(tx, tenantId, 'tenant.suspended', { tenantId, reason: `r${i}` });
    });
    return (await new SqlOutbox(db.scope).listForTenant(tenantId)).slice(-n).map((r) => r.id);
  };
  const pending = async () => (await new SqlOutbox(db.scope).pending(10_000)).map((e) => e.id);
  const idOf = (outboxId: number) => deterministicEventId(`outbox:${outboxId}`);
  const track = (loop: OutboxLoop) => (loops.push(loop), loop);

  beforeAll(async () => {
    db = await openTestDb(backend);
    tenants = [];
    for (const slug of ['loop-a', 'loop-b']) {
      const { rows } = await db.scope.withAdmin((tx) =>
        tx.query<{ id: string }>(
          `insert into tenants (slug, name, tier, home_region) values ($1, $1, 'pool', 'eu-west-1') returning id`,
          [slug],
        ),
      );
      tenants.push(rows[0]!.id);
    }
  }, 60_000);
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.raw.query('delete from outbox');
    bus = new MemoryBus();
    seen = [];
    bus.subscribe('*', (e) => void seen.push(e));
    loops = [];
    return async () => {
      for (const l of loops) await l.stop();
    };
  });

  it('publishes rows written while it runs, without being called', { timeout: 20_000 }, async () => {
    // Prepare
    track(startOutboxLoop(db.scope, bus, { intervalMs: 20, logger: silent }));
    // Act
    const ids = [...(await enqueue(tenants[0]!, 2)), ...(await enqueue(tenants[1]!, 1))];
    // Assess
    await until(() => seen.length === 3);
    expect(seen.map((e) => e.id)).toEqual(ids.map(idOf));
    await until(async () => (await pending()).length === 0);
  });

  it('a nudge runs the next round at once instead of after the pause', { timeout: 20_000 }, async () => {
    // Prepare: a pause far longer than the test's limit; the first round finds nothing.
    const loop = track(startOutboxLoop(db.scope, bus, { intervalMs: 600_000, logger: silent }));
    await until(() => loop.stats().rounds >= 1);
    const [id] = await enqueue(tenants[0]!);
    // Act
    loop.nudge();
    // Assess
    await until(() => seen.length === 1);
    expect(seen[0]!.id).toBe(idOf(id!));
  });

  it(
    'keeps going when the bus fails: the rows stay pending and go out once it works',
    { timeout: 20_000 },
    async () => {
      // Prepare
      let broken = true;
      const flaky: EventBus = {
        publish: (events) => (broken ? Promise.reject(new Error('bus unreachable')) : bus.publish(events)),
      };
      const errors: string[] = [];
      const loop = track(
        startOutboxLoop(db.scope, flaky, {
          intervalMs: 10,
          errorBackoffMs: 10,
          logger: { warn: () => {}, error: (m: string) => void errors.push(m) },
        }),
      );
      const ids = await enqueue(tenants[0]!, 2);
      await until(() => loop.stats().failedRounds >= 2);
      expect(await pending()).toEqual(ids);
      // Act
      broken = false;
      // Assess
      await until(() => seen.length === 2);
      expect(seen.map((e) => e.id)).toEqual(ids.map(idOf));
      expect(errors[0]).toMatch(/round failed/);
      await until(async () => (await pending()).length === 0);
    },
  );

  it(
    'a bus that refuses every event is retried after the error backoff, not the idle interval',
    { timeout: 20_000 },
    async () => {
      // Prepare: the bus answers, but fails each event (as EventBridge without a DLQ may).
      const refusing: EventBus = {
        publish: (events) =>
          Promise.resolve({
            published: [],
            deadLettered: [],
            failed: events.map((event) => ({ event, code: 'ThrottlingException', reason: 'slow down' })),
          }),
      };
      const ids = await enqueue(tenants[0]!, 2);
      const loop = track(
        startOutboxLoop(db.scope, refusing, { intervalMs: 5, errorBackoffMs: 600_000, logger: silent }),
      );
      // Act
      await until(() => loop.stats().rounds >= 1);
      await new Promise((r) => setTimeout(r, 200));
      // Assess: one round, not forty; the rows wait.
      expect(loop.stats()).toMatchObject({ rounds: 1, marked: 0 });
      expect(await pending()).toEqual(ids);
    },
  );

  it(
    'stopped in the middle of a round and started again later: nothing lost, order kept per tenant',
    { timeout: 30_000 },
    async () => {
      // Prepare: 12 rows over two tenants; batches of 4; the second batch blocks inside publish.
      for (let i = 0; i < 6; i++) {
        await enqueue(tenants[0]!);
        await enqueue(tenants[1]!);
      }
      const all = await pending();
      let batches = 0;
      let entered!: () => void;
      let release!: () => void;
      const inSecond = new Promise<void>((r) => (entered = r));
      const gate = new Promise<void>((r) => (release = r));
      const gated: EventBus = {
        publish: async (events) => {
          if (++batches === 2) {
            entered();
            await gate;
          }
          return bus.publish(events);
        },
      };
      const first = new OutboxLoop({
        relay: new OutboxRelay({ scope: db.scope, bus: gated, batchSize: 4 }),
        intervalMs: 10,
        logger: silent,
      }).start();
      await inSecond;
      // Act: stop while the round is under way; it finishes (commits) before stop resolves.
      const stopped = first.stop();
      release();
      await stopped;
      const afterStop = await pending();
      // Assess: exactly the first two batches went out and were marked; the rest wait.
      expect(batches).toBe(2);
      expect(seen).toHaveLength(8);
      expect(afterStop).toEqual(all.slice(8));
      await new Promise((r) => setTimeout(r, 50));
      expect(batches).toBe(2);

      // Act: a fresh loop (another process, after a restart) picks up the rest.
      track(startOutboxLoop(db.scope, bus, { intervalMs: 10, batchSize: 4, logger: silent }));
      await until(async () => (await pending()).length === 0);
      // Assess: every row once, and per tenant in outbox order.
      expect(seen.map((e) => e.id).sort()).toEqual(all.map(idOf).sort());
      for (const t of tenants) {
        const expected = (await new SqlOutbox(db.scope).listForTenant(t)).map((r) => idOf(r.id));
        expect(seen.filter((e) => e.tenantId === t).map((e) => e.id)).toEqual(expected);
      }
    },
  );

  it(
    'a process that dies between publish and mark republishes the same ids on restart',
    { timeout: 20_000 },
    async () => {
      // Prepare
      const ids = await enqueue(tenants[0]!, 3);
      const dying: EventBus = {
        publish: async (events) => {
          await bus.publish(events);
          throw new Error('process died before COMMIT');
        },
      };
      const doomed = new OutboxLoop({
        relay: new OutboxRelay({ scope: db.scope, bus: dying }),
        intervalMs: 10,
        errorBackoffMs: 600_000,
        logger: silent,
      }).start();
      await until(() => doomed.stats().failedRounds === 1);
      await doomed.stop();
      expect(await pending()).toEqual(ids);
      // Act
      track(startOutboxLoop(db.scope, bus, { intervalMs: 10, logger: silent }));
      await until(async () => (await pending()).length === 0);
      // Assess: at least once, with the same event ids both times.
      expect(seen.map((e) => e.id)).toEqual([...ids, ...ids].map(idOf));
    },
  );

  it('stop() while idle returns without waiting out the pause', { timeout: 10_000 }, async () => {
    const loop = startOutboxLoop(db.scope, bus, { intervalMs: 600_000, logger: silent });
    await until(() => loop.stats().rounds >= 1);
    const started = Date.now();
    await loop.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(loop.stats().rounds).toBe(1);
  });
});
