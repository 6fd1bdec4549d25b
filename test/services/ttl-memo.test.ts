import { describe, expect, it } from 'vitest';
import { TtlMemo } from '../../lib/services/ttl-memo.js';

/** A load whose completion the test decides. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('TtlMemo', () => {
  const clock = { now: new Date('2026-01-01T00:00:00Z') };
  const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
  const memo = () => new TtlMemo<{ v: number }>({ ttlMs: 1_000, clock: () => clock.now });

  it('shares one load between concurrent callers and reuses it within the TTL', async () => {
    // Prepare
    const m = memo();
    let loads = 0;
    const load = () => Promise.resolve({ v: ++loads });

    // Act
    const [a, b] = await Promise.all([m.get('k', load), m.get('k', load)]);
    advance(999);
    const c = await m.get('k', load);

    // Assess
    expect([a.v, b.v, c.v]).toEqual([1, 1, 1]);
    expect(m.stats()).toEqual({ hits: 2, misses: 1 });
  });

  it('loads again once the TTL has passed, and keeps keys apart', async () => {
    const m = memo();
    let loads = 0;
    const load = () => Promise.resolve({ v: ++loads });

    expect((await m.get('k', load)).v).toBe(1);
    expect((await m.get('other', load)).v).toBe(2);
    advance(1_001);

    expect((await m.get('k', load)).v).toBe(3);
  });

  it('never remembers a failed load', async () => {
    const m = memo();
    await expect(m.get('k', () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');

    expect(await m.get('k', () => Promise.resolve({ v: 7 }))).toEqual({ v: 7 });
  });

  it('drops a load that was running when the data changed', async () => {
    // Prepare: a read started before a change finishes after it.
    const m = memo();
    const slow = deferred<{ v: number }>();
    const stale = m.get('k', () => slow.promise);

    // Act
    m.clear();
    slow.resolve({ v: 1 });
    await stale;

    // Assess: the next caller reads again instead of getting the pre-change value.
    expect(await m.get('k', () => Promise.resolve({ v: 2 }))).toEqual({ v: 2 });
  });

  it('serves what the writer set, and forgets a deleted key', async () => {
    const m = memo();
    await m.get('k', () => Promise.resolve({ v: 1 }));

    m.set('k', { v: 5 });
    expect(await m.get('k', () => Promise.resolve({ v: 9 }))).toEqual({ v: 5 });
    m.delete('k');
    expect(await m.get('k', () => Promise.resolve({ v: 9 }))).toEqual({ v: 9 });
  });

  it('with a TTL of 0 loads every time', async () => {
    const m = new TtlMemo<{ v: number }>({ ttlMs: 0 });
    let loads = 0;
    await m.get('k', () => Promise.resolve({ v: ++loads }));
    await m.get('k', () => Promise.resolve({ v: ++loads }));

    expect(loads).toBe(2);
  });
});
