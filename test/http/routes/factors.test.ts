/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- JSON response bodies: the assertions are the type checks */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FactorCatalogue } from '../../../lib/factors/catalogue.js';
import { type Api, member, onboard, startApi } from './harness.js';

describe('factor routes', () => {
  let api: Api;
  let tenant: string;
  const catalogue = FactorCatalogue.builtin();

  beforeAll(async () => {
    api = await startApi();
    tenant = await onboard(api, 'factors-a');
  }, 60_000);
  afterAll(async () => api?.close());

  const viewer = () => member(tenant, 'viewer');

  it('searches the catalogue by words and pages the matches with a cursor', async () => {
    const expected = catalogue
      .search('natural gas', 10_000)
      .map((f) => f.id)
      .sort();
    expect(expected.length).toBeGreaterThan(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = cursor
        ? { q: 'natural gas', limit: '3', cursor }
        : { q: 'natural gas', limit: '3' };
      const res = await api.call('GET', '/v1/factors', { as: viewer(), query });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((f: { factor_id: string }) => f.factor_id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(expected);
    const none = await api.call('GET', '/v1/factors', { as: viewer(), query: { q: 'no such fuel zzz' } });
    expect(none.body).toEqual({ items: [], next_cursor: null });
  });

  it('gets one factor by its URL-encoded id (ids contain "/"), in snake_case', async () => {
    const id = 'desnz/2024/fuel/natural-gas/gb/m3';
    const f = catalogue.get(id)!;
    const res = await api.call('GET', `/v1/factors/${encodeURIComponent(id)}`, { as: viewer() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      factor_id: id,
      owner: 'platform',
      source: 'DESNZ',
      dataset_version: '2024',
      value: f.value,
      value_unit: f.valueUnit,
      valid_from: f.validFrom,
    });
    const missing = await api.call('GET', `/v1/factors/${encodeURIComponent('desnz/1999/none')}`, {
      as: viewer(),
    });
    expect(missing.status).toBe(404);
  });

  it('looks up the factor valid on a day (point in time)', async () => {
    const query = { activity: 'heat-steam/onsite', region: 'GB', unit: 'kWh', as_of: '2024-06-01' };
    const res = await api.call('GET', '/v1/factors/lookup', { as: viewer(), query });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      activity: 'heat-steam/onsite',
      dataset_version: '2024',
      value: 0.17965,
    });
    // The same activity on two days: the version valid on each day answers.
    const gas = { activity: 'fuel/natural-gas', region: 'GB', unit: 'm3' };
    const in2023 = await api.call('GET', '/v1/factors/lookup', {
      as: viewer(),
      query: { ...gas, as_of: '2023-06-01' },
    });
    const in2024 = await api.call('GET', '/v1/factors/lookup', {
      as: viewer(),
      query: { ...gas, as_of: '2024-06-01' },
    });
    expect([in2023.body.factor_id, in2023.body.value]).toEqual([
      'desnz/2023/fuel/natural-gas/gb/m3',
      2.03839,
    ]);
    expect([in2024.body.factor_id, in2024.body.value]).toEqual([
      'desnz/2024/fuel/natural-gas/gb/m3',
      2.04542,
    ]);
    const nothing = await api.call('GET', '/v1/factors/lookup', {
      as: viewer(),
      query: { ...query, as_of: '1990-01-01' },
    });
    expect(nothing.status).toBe(404);
  });

  it('lists every missing or invalid lookup parameter', async () => {
    const res = await api.call('GET', '/v1/factors/lookup', {
      as: viewer(),
      query: { region: 'GB', as_of: 'June' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['query.activity', 'query.unit', 'query.as_of']),
    );
  });

  it('diffs two dataset versions of a source', async () => {
    const expected = catalogue.diff('DESNZ', '2023', '2024');
    const res = await api.call('GET', '/v1/factors/diff', {
      as: viewer(),
      query: { source: 'DESNZ', from: '2023', to: '2024' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      source: 'DESNZ',
      from: '2023',
      to: '2024',
      unchanged: expected.unchanged,
    });
    expect(res.body.changed).toHaveLength(expected.changed.length);
    expect(res.body.added).toHaveLength(expected.added.length);
    expect(res.body.changed[0]).toEqual(
      expect.objectContaining({ key: expect.any(String), percent_change: expect.any(Number) }),
    );
    const unknown = await api.call('GET', '/v1/factors/diff', {
      as: viewer(),
      query: { source: 'DESNZ', from: '2023', to: '1999' },
    });
    expect(unknown.status).toBe(404);
  });

  it('needs a tenant principal: no principal is 401, a platform admin without a tenant 403', async () => {
    expect((await api.call('GET', '/v1/factors', {})).status).toBe(401);
    expect(
      (await api.call('GET', '/v1/factors', { as: { platformAdmin: true, subject: 'ops' } })).status,
    ).toBe(403);
  });
});
