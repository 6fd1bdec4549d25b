/**
 * Contract suite for the ExecutionStore port. Every adapter runs it unchanged:
 * `executionStoreContract('name', factory)` from a *.test.ts file.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../../lib/domain/errors.js';
import {
  EXECUTION_STATUSES,
  ExecutionConflictError,
  IdempotencyConflictError,
  canTransition,
  type Execution,
  type ExecutionStatus,
} from '../../../lib/domain/execution.js';
import type { ExecutionStore } from '../../../lib/ports/execution-store.js';

export interface ContractClock {
  now: Date;
}

export type ExecutionStoreFactory = (
  clock: () => Date,
) => Promise<{ store: ExecutionStore; close(): Promise<void> }>;

const LEASE_MS = 60_000;

export function executionStoreContract(name: string, factory: ExecutionStoreFactory): void {
  describe(`ExecutionStore contract: ${name}`, () => {
    const clock: ContractClock = { now: new Date('2025-03-31T12:00:00.000Z') };
    const advance = (ms: number) => {
      clock.now = new Date(clock.now.getTime() + ms);
    };
    let store: ExecutionStore;
    let close: () => Promise<void>;

    beforeAll(async () => {
      const made = await factory(() => clock.now);
      store = made.store;
      close = () => made.close();
    });
    afterAll(async () => {
      await close();
    });

    const tenant = () => randomUUID();
    const request = (overrides: Record<string, unknown> = {}) => ({
      agentId: 'fuel-emissions',
      agentVersion: '1.0.0',
      input: { lines: [{ fuel: 'natural_gas', quantity: 1000, unit: 'kWh' }] },
      ...overrides,
    });

    /** Brings a fresh execution to `status` through legal transitions; returns it and its lease. */
    async function inStatus(t: string, status: ExecutionStatus): Promise<{ e: Execution; lease: string }> {
      const { execution } = await store.create(t, request());
      if (status === 'PENDING') return { e: execution, lease: randomUUID() };
      if (status === 'CANCELLED')
        return { e: await store.cancel(t, execution.executionId), lease: randomUUID() };
      const running = await store.claim(t, execution.executionId, LEASE_MS);
      const lease = running.leaseToken!;
      const id = execution.executionId;
      switch (status) {
        case 'RUNNING':
          return { e: running, lease };
        case 'COMPLETED':
          return { e: await store.complete(t, id, lease, { total: 1 }), lease };
        case 'FAILED':
          return { e: await store.fail(t, id, lease, { code: 'x', message: 'boom' }), lease };
        case 'TIMED_OUT':
          return { e: await store.timeOut(t, id, { leaseToken: lease }), lease };
      }
    }

    function attempt(t: string, id: string, to: ExecutionStatus, lease: string): Promise<Execution> {
      switch (to) {
        case 'PENDING':
          return store.release(t, id, { leaseToken: lease });
        case 'RUNNING':
          return store.claim(t, id, LEASE_MS);
        case 'COMPLETED':
          return store.complete(t, id, lease, { ok: true });
        case 'FAILED':
          return store.fail(t, id, lease, { code: 'agent_error', message: 'failed' });
        case 'TIMED_OUT':
          return store.timeOut(t, id, { leaseToken: lease });
        case 'CANCELLED':
          return store.cancel(t, id);
      }
    }

    describe('create and get', () => {
      it('stores a PENDING execution and reads it back', async () => {
        const t = tenant();
        const { execution, created } = await store.create(t, request({ priority: 1 }));
        expect(created).toBe(true);
        expect(execution).toMatchObject({ tenantId: t, status: 'PENDING', attempts: 0, priority: 1 });
        // 90-day hot window: 2025-03-31T12:00Z + 90 d = 2025-06-29T12:00Z
        expect(execution.expiresAt).toBe(Date.parse('2025-06-29T12:00:00Z') / 1000);
        expect(await store.get(t, execution.executionId)).toEqual(execution);
      });

      it('answers NotFound for an unknown id and for another tenant alike', async () => {
        const t = tenant();
        const { execution } = await store.create(t, request());
        await expect(store.get(t, randomUUID())).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.get(tenant(), execution.executionId)).rejects.toBeInstanceOf(NotFoundError);
      });

      it.each([
        ['tenantId', 'TENANT#x', randomUUID()],
        ['tenantId', '', randomUUID()],
        ['executionId', randomUUID(), 'abc#EXEC#1'],
        ['executionId', randomUUID(), '../etc'],
      ])('refuses a malformed %s (%s / %s) with a ValidationError', async (path, t, id) => {
        const err = await store.get(t, id).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).issues[0]?.path).toBe(path);
      });

      it('refuses bad requests, listing every invalid field', async () => {
        const err = await store
          .create(tenant(), request({ agentId: 'Bad Id', agentVersion: '1.0', priority: 7 }))
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).issues.map((i) => i.path).sort()).toEqual([
          'agentId',
          'agentVersion',
          'priority',
        ]);
        const nan = await store
          .create(tenant(), request({ input: { q: Number.NaN } }))
          .catch((e: unknown) => e);
        expect((nan as ValidationError).issues).toEqual([
          { path: 'input.q', message: 'must be a finite number, got NaN' },
        ]);
      });
    });

    describe('idempotency', () => {
      it('returns the same execution for the same key and body', async () => {
        const t = tenant();
        const first = await store.create(t, request(), { idempotencyKey: 'order-42' });
        const again = await store.create(t, request(), { idempotencyKey: 'order-42' });
        expect(first.created).toBe(true);
        expect(again.created).toBe(false);
        expect(again.execution.executionId).toBe(first.execution.executionId);
      });

      it('refuses the same key with a different body', async () => {
        const t = tenant();
        await store.create(t, request(), { idempotencyKey: 'k-1' });
        const err = await store
          .create(t, request({ input: { lines: [] } }), { idempotencyKey: 'k-1' })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(IdempotencyConflictError);
        expect((err as Error).message).toContain("'k-1'");
      });

      it('keeps keys per tenant', async () => {
        const a = await store.create(tenant(), request(), { idempotencyKey: 'shared' });
        const b = await store.create(tenant(), request(), { idempotencyKey: 'shared' });
        expect(b.created).toBe(true);
        expect(b.execution.executionId).not.toBe(a.execution.executionId);
      });

      it('forgets a key after the 24 h window', async () => {
        const t = tenant();
        const first = await store.create(t, request(), { idempotencyKey: 'daily' });
        advance(24 * 3600_000 + 1000);
        const later = await store.create(t, request({ input: { other: true } }), { idempotencyKey: 'daily' });
        expect(later.created).toBe(true);
        expect(later.execution.executionId).not.toBe(first.execution.executionId);
      });

      it('gives ten concurrent duplicates one execution', async () => {
        const t = tenant();
        const results = await Promise.all(
          Array.from({ length: 10 }, () => store.create(t, request(), { idempotencyKey: 'burst' })),
        );
        expect(new Set(results.map((r) => r.execution.executionId)).size).toBe(1);
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect((await store.list(t)).items).toHaveLength(1);
      });

      it('refuses a malformed key', async () => {
        await expect(store.create(tenant(), request(), { idempotencyKey: 'a#b' })).rejects.toBeInstanceOf(
          ValidationError,
        );
      });
    });

    describe('state machine', () => {
      const pairs = EXECUTION_STATUSES.flatMap((from) => EXECUTION_STATUSES.map((to) => [from, to] as const));
      const allowed = pairs.filter(([from, to]) => canTransition(from, to));
      const refused = pairs.filter(([from, to]) => !canTransition(from, to));

      it('covers all 36 pairs: 7 allowed, 29 refused', () => {
        expect([allowed.length, refused.length]).toEqual([7, 29]);
      });

      it.each(allowed)('%s -> %s is written', async (from, to) => {
        const t = tenant();
        const { e, lease } = await inStatus(t, from);
        await expect(attempt(t, e.executionId, to, lease)).resolves.toMatchObject({ status: to });
        expect((await store.get(t, e.executionId)).status).toBe(to);
      });

      it.each(refused)('%s -> %s is refused and nothing changes', async (from, to) => {
        const t = tenant();
        const { e, lease } = await inStatus(t, from);
        const err = await attempt(t, e.executionId, to, lease).catch((x: unknown) => x);
        expect(err).toBeInstanceOf(ExecutionConflictError);
        expect(err).toMatchObject({ actual: from, to });
        expect(await store.get(t, e.executionId)).toEqual(e);
      });

      it('lets exactly one of ten concurrent workers claim an execution', async () => {
        const t = tenant();
        const { execution } = await store.create(t, request());
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.claim(t, execution.executionId, LEASE_MS)),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o) => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(9);
        for (const l of lost) {
          expect(l.reason).toBeInstanceOf(ExecutionConflictError);
          expect((l.reason as Error).message).toContain(
            'it is RUNNING; RUNNING is allowed only from PENDING',
          );
        }
        const stored = await store.get(t, execution.executionId);
        expect(stored.attempts).toBe(1);
        expect(stored.leaseToken).toBe(won[0]!.value.leaseToken);
      });

      it('refuses completion by a worker that does not hold the lease', async () => {
        const t = tenant();
        const { e } = await inStatus(t, 'RUNNING');
        const err = await store.complete(t, e.executionId, randomUUID(), {}).catch((x: unknown) => x);
        expect(err).toBeInstanceOf(ExecutionConflictError);
        expect((err as Error).message).toContain('lease token does not match');
        expect((await store.get(t, e.executionId)).status).toBe('RUNNING');
      });

      it('stores the output and the error of finished runs, and drops the lease', async () => {
        const t = tenant();
        const { e, lease } = await inStatus(t, 'RUNNING');
        const done = await store.complete(t, e.executionId, lease, { total_kg: 184.3 });
        expect(done.output).toEqual({ total_kg: 184.3 });
        expect(done.leaseToken).toBeUndefined();
        const { e: f, lease: l2 } = await inStatus(t, 'RUNNING');
        const failed = await store.fail(t, f.executionId, l2, { code: 'agent_error', message: 'bad fuel' });
        expect(failed.error).toEqual({ code: 'agent_error', message: 'bad fuel' });
      });

      it('keeps the served-from-cache mark of a completion, and only where it was given', async () => {
        const t = tenant();
        const { e: cached, lease } = await inStatus(t, 'RUNNING');
        const done = await store.complete(
          t,
          cached.executionId,
          lease,
          { total_kg: 1 },
          { servedFromCache: true },
        );
        expect(done.servedFromCache).toBe(true);
        expect((await store.get(t, cached.executionId)).servedFromCache).toBe(true);
        const { e: computed, lease: l2 } = await inStatus(t, 'RUNNING');
        await store.complete(t, computed.executionId, l2, { total_kg: 1 }, { servedFromCache: false });
        const plain = await store.get(t, computed.executionId);
        expect(plain.status).toBe('COMPLETED');
        expect(plain.servedFromCache).toBeUndefined();
        const listed = await store.list(t, { status: 'COMPLETED' });
        expect(listed.items.map((x) => [x.executionId, x.servedFromCache ?? false])).toEqual(
          expect.arrayContaining([
            [cached.executionId, true],
            [computed.executionId, false],
          ]),
        );
      });

      it('times out or releases a dead worker only after its lease expires', async () => {
        const t = tenant();
        const { e } = await inStatus(t, 'RUNNING');
        const early = await store.timeOut(t, e.executionId, {}).catch((x: unknown) => x);
        expect(early).toBeInstanceOf(ExecutionConflictError);
        expect((early as Error).message).toContain('lease has not expired');
        advance(LEASE_MS + 1);
        const timedOut = await store.timeOut(t, e.executionId, {});
        expect(timedOut).toMatchObject({ status: 'TIMED_OUT', error: { code: 'timed_out' } });

        const { e: r } = await inStatus(t, 'RUNNING');
        await expect(store.release(t, r.executionId, {})).rejects.toBeInstanceOf(ExecutionConflictError);
        advance(LEASE_MS + 1);
        const released = await store.release(t, r.executionId, {});
        expect(released.status).toBe('PENDING');
        expect(released.leaseToken).toBeUndefined();
        const again = await store.claim(t, r.executionId, LEASE_MS);
        expect(again.attempts).toBe(2);
      });

      it('answers NotFound for transitions of a missing execution', async () => {
        await expect(store.claim(tenant(), randomUUID(), LEASE_MS)).rejects.toBeInstanceOf(NotFoundError);
      });

      it('refuses a bad lease length, lease token or error record', async () => {
        const t = tenant();
        const { e, lease } = await inStatus(t, 'PENDING');
        await expect(store.claim(t, e.executionId, 10)).rejects.toBeInstanceOf(ValidationError);
        await expect(store.complete(t, e.executionId, 'not-a-token', {})).rejects.toBeInstanceOf(
          ValidationError,
        );
        await expect(store.fail(t, e.executionId, lease, { code: '', message: '' })).rejects.toBeInstanceOf(
          ValidationError,
        );
      });
    });

    describe('list', () => {
      const t = tenant();
      const ids: Record<string, string[]> = { 'fuel-emissions': [], cbam: [] };
      beforeAll(async () => {
        // Seven executions, one second apart: 4 fuel (2 claimed), 3 cbam (1 claimed).
        for (const [i, agentId] of [
          'fuel-emissions',
          'cbam',
          'fuel-emissions',
          'cbam',
          'fuel-emissions',
          'cbam',
          'fuel-emissions',
        ].entries()) {
          advance(1000);
          const { execution } = await store.create(t, request({ agentId }));
          ids[agentId]!.push(execution.executionId);
          if (i < 3) await store.claim(t, execution.executionId, LEASE_MS);
        }
      });

      async function all(query: Parameters<ExecutionStore['list']>[1]) {
        const seen: Execution[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.list(t, { ...query, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items);
          cursor = page.cursor;
          pages++;
        } while (cursor && pages < 20);
        return { seen, pages };
      }

      it('pages through every execution newest first without repeats', async () => {
        const { seen, pages } = await all({ limit: 3 });
        expect(seen).toHaveLength(7);
        expect(pages).toBeGreaterThanOrEqual(3);
        const created = seen.map((e) => e.createdAt);
        expect(created).toEqual([...created].sort().reverse());
      });

      it('filters by status, by agent, and by both', async () => {
        expect((await all({ status: 'RUNNING', limit: 2 })).seen).toHaveLength(3);
        expect((await all({ status: 'PENDING' })).seen).toHaveLength(4);
        const fuel = await all({ agentId: 'fuel-emissions', limit: 2 });
        expect(fuel.seen.map((e) => e.executionId).sort()).toEqual([...ids['fuel-emissions']!].sort());
        const both = await all({ agentId: 'cbam', status: 'RUNNING', limit: 1 });
        // cbam executions #2 (claimed) only: i = 1 < 3
        expect(both.seen.map((e) => e.executionId)).toEqual([ids['cbam']![0]]);
      });

      it('refuses a tampered cursor, a cursor of another query, and a cursor of another tenant', async () => {
        const page = await store.list(t, { limit: 2 });
        const cursor = page.cursor!;
        const edit = (f: (o: { k: Record<string, string> }) => void) => {
          const o = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { k: Record<string, string> };
          f(o);
          return Buffer.from(JSON.stringify(o)).toString('base64url');
        };
        const other = tenant();
        for (const bad of [
          'not a cursor!',
          cursor.slice(0, -4),
          edit((o) => (o.k['PK'] = `TENANT#${other}`)),
          edit((o) => (o.k['SK'] = 'IDEMP#x')),
          edit((o) => (o.k['extra'] = 'y')),
        ]) {
          const err = await store.list(t, { limit: 2, cursor: bad }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(ValidationError);
          expect((err as ValidationError).issues[0]?.path).toBe('cursor');
        }
        await expect(store.list(t, { status: 'PENDING', cursor })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.list(other, { limit: 2, cursor })).rejects.toBeInstanceOf(ValidationError);
      });

      it('refuses bad limits and filters', async () => {
        await expect(store.list(t, { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.list(t, { limit: 101 })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.list(t, { status: 'DONE' as ExecutionStatus })).rejects.toBeInstanceOf(
          ValidationError,
        );
        await expect(store.list(t, { agentId: 'x#y' })).rejects.toBeInstanceOf(ValidationError);
      });
    });

    describe('usage counters', () => {
      it('adds concurrently without losing increments', async () => {
        const t = tenant();
        await Promise.all(
          Array.from({ length: 25 }, () => store.addUsage(t, '2025-03', { executions: 1, computeMs: 10 })),
        );
        // 25 x 1 execution, 25 x 10 ms = 250 ms
        expect(await store.getUsage(t, '2025-03')).toEqual({ executions: 25, computeMs: 250, apiCalls: 0 });
        expect(await store.getUsage(t, '2025-04')).toEqual({ executions: 0, computeMs: 0, apiCalls: 0 });
        expect(await store.addUsage(t, '2025-03', { apiCalls: 3 })).toEqual({
          executions: 25,
          computeMs: 250,
          apiCalls: 3,
        });
      });

      it.each([
        ['2025-13', { executions: 1 }],
        ['2025-3', { executions: 1 }],
        ['2025-03', { executions: -1 }],
        ['2025-03', { executions: 1.5 }],
        ['2025-03', { executions: Number.NaN }],
        ['2025-03', {}],
        ['2025-03', { cpu: 1 }],
      ])('refuses month %s with %j', async (month, delta) => {
        await expect(store.addUsage(tenant(), month, delta as never)).rejects.toBeInstanceOf(ValidationError);
      });

      it('counts concurrent executions up to the limit and no further', async () => {
        const t = tenant();
        await store.addUsage(t, '2025-03', { executions: 2, computeMs: 7 });

        const results = await Promise.all(
          Array.from({ length: 12 }, () => store.countExecution(t, '2025-03', 5)),
        );

        // 2 already counted, limit 5: exactly 3 of the 12 get in, the 9 others see 5 used.
        const counted = results.filter((r) => r.counted);
        expect(counted).toHaveLength(3);
        expect(counted.map((r) => r.used).sort()).toEqual([3, 4, 5]);
        expect(results.filter((r) => !r.counted).every((r) => r.used === 5)).toBe(true);
        expect(await store.getUsage(t, '2025-03')).toEqual({ executions: 5, computeMs: 7, apiCalls: 0 });
      });

      it('counts nothing at a limit of 0, even with no counter yet', async () => {
        const t = tenant();
        expect(await store.countExecution(t, '2025-03', 0)).toEqual({ counted: false, used: 0 });
        expect(await store.countExecution(t, '2025-03', 1)).toEqual({ counted: true, used: 1 });
        expect(await store.countExecution(t, '2025-03', 1)).toEqual({ counted: false, used: 1 });
      });

      it('takes a count back, never below zero, in that month only', async () => {
        const t = tenant();
        await store.countExecution(t, '2025-03', 10);
        await store.countExecution(t, '2025-04', 10);

        await store.uncountExecution(t, '2025-03');
        await store.uncountExecution(t, '2025-03');
        await store.uncountExecution(t, '2025-05');

        expect((await store.getUsage(t, '2025-03')).executions).toBe(0);
        expect((await store.getUsage(t, '2025-04')).executions).toBe(1);
        expect((await store.getUsage(t, '2025-05')).executions).toBe(0);
        expect(await store.countExecution(t, '2025-03', 1)).toEqual({ counted: true, used: 1 });
      });

      it.each([-1, 1.5, Number.NaN])('refuses a limit of %s', async (limit) => {
        await expect(store.countExecution(tenant(), '2025-03', limit)).rejects.toBeInstanceOf(
          ValidationError,
        );
      });
    });

    describe('webhook deliveries', () => {
      const delivery = (attempt: number) => ({
        eventId: `evt-${attempt}`,
        eventType: 'execution.completed',
        attempt,
        outcome: 'failed' as const,
        responseStatus: 503,
        durationMs: 120,
      });

      it('numbers concurrent deliveries uniquely and lists them newest first', async () => {
        const t = tenant();
        const recorded = await Promise.all(
          [1, 2, 3, 4, 5].map((n) => store.recordWebhookDelivery(t, 'wh_1', delivery(n))),
        );
        expect(recorded.map((r) => r.deliveryNumber).sort()).toEqual([1, 2, 3, 4, 5]);
        await store.recordWebhookDelivery(t, 'wh_2', delivery(1));
        const first = await store.listWebhookDeliveries(t, 'wh_1', { limit: 3 });
        expect(first.items.map((d) => d.deliveryNumber)).toEqual([5, 4, 3]);
        const rest = await store.listWebhookDeliveries(t, 'wh_1', { limit: 3, cursor: first.cursor! });
        expect(rest.items.map((d) => d.deliveryNumber)).toEqual([2, 1]);
        expect(rest.cursor).toBeUndefined();
      });

      it('refuses a bad webhook id or delivery record', async () => {
        await expect(store.recordWebhookDelivery(tenant(), 'a#b', delivery(1))).rejects.toBeInstanceOf(
          ValidationError,
        );
        await expect(
          store.recordWebhookDelivery(tenant(), 'wh', { ...delivery(1), attempt: 0 }),
        ).rejects.toBeInstanceOf(ValidationError);
      });
    });
  });
}
