/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- JSON response bodies: the assertions are the type checks */
/**
 * The API key routes through the real handler (C's route harness: middy pipeline, PGlite,
 * dynalite), then the created key through the real authorizer: create -> authenticate ->
 * revoke -> refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../../lib/http/auth/authorize.js';
import type { AccessTokenVerifier } from '../../../lib/http/auth/jwt-verifier.js';
import { type Api, member, onboard, startApi } from '../routes/harness.js';

const noJwt: AccessTokenVerifier = { verify: () => Promise.reject(new Error('no JWTs in this test')) };

describe('API key routes', () => {
  let api: Api;
  let a: string;
  let b: string;

  beforeAll(async () => {
    api = await startApi();
    a = await onboard(api, 'keys-route-a');
    b = await onboard(api, 'keys-route-b');
  });
  afterAll(async () => api.close());

  const create = (tenantId: string, body: unknown) =>
    api.call('POST', '/v1/api-keys', { as: member(tenantId, 'admin'), body });

  it('creates a key (201, shown once, not cacheable) that the authorizer then accepts', async () => {
    const res = await create(a, { name: 'ci-runner', role: 'operator' });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.location).toBe(`/v1/api-keys/${res.body.id}`);
    expect(res.body).toMatchObject({
      name: 'ci-runner',
      role: 'operator',
      revoked_at: null,
      expires_at: null,
    });
    expect(res.body.key).toMatch(new RegExp(`^glaf_${res.body.prefix}_[A-Za-z0-9_-]{43}$`));

    const authorize = createAuthorizer({ verifier: noJwt, services: api.services });
    const auth = await authorize({ headers: { 'x-api-key': res.body.key } });
    expect(auth.context).toMatchObject({
      principalType: 'api_key',
      subject: res.body.id,
      tenantId: a,
      roles: 'operator',
    });

    const revoked = await api.call('DELETE', `/v1/api-keys/${res.body.id}`, { as: member(a, 'admin') });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    await expect(authorize({ headers: { 'x-api-key': res.body.key } })).rejects.toThrow(/^Unauthorized$/);

    const trail = await api.services.audit.trail(a);
    expect(trail.filter((e) => e.target === `api_key:${res.body.id}`).map((e) => e.action)).toEqual([
      'api_key.created',
      'api_key.revoked',
    ]);
  });

  it('lists keys without secrets or hashes, paginated', async () => {
    for (const name of ['l1', 'l2', 'l3'])
      expect((await create(b, { name, role: 'viewer' })).status).toBe(201);
    const first = await api.call('GET', '/v1/api-keys', { as: member(b, 'admin'), query: { limit: '2' } });
    expect(first.status).toBe(200);
    expect((first.body.items as { name: string }[]).map((k) => k.name)).toEqual(['l1', 'l2']);
    const second = await api.call('GET', '/v1/api-keys', {
      as: member(b, 'admin'),
      query: { limit: '2', cursor: first.body.next_cursor },
    });
    expect(second.body).toMatchObject({ items: [{ name: 'l3' }], next_cursor: null });
    expect(first.text).not.toMatch(/key_hash|"key"|glaf_/);
  });

  it("is admin-only, and one tenant cannot revoke or list another's keys (404, nothing leaks)", async () => {
    const mine = await create(a, { name: 'a-only', role: 'viewer' });
    for (const role of ['viewer', 'operator', 'developer'] as const) {
      expect((await api.call('GET', '/v1/api-keys', { as: member(a, role) })).status).toBe(403);
      expect(
        (await api.call('POST', '/v1/api-keys', { as: member(a, role), body: { name: 'x', role } })).status,
      ).toBe(403);
    }
    const cross = await api.call('DELETE', `/v1/api-keys/${mine.body.id}`, { as: member(b, 'admin') });
    expect(cross.status).toBe(404);
    expect(cross.text).not.toContain('a-only');
    const listB = await api.call('GET', '/v1/api-keys', { as: member(b, 'admin'), query: { limit: '100' } });
    expect(listB.text).not.toContain(mine.body.id);
    // Positive control: the owner can revoke it.
    expect(
      (await api.call('DELETE', `/v1/api-keys/${mine.body.id}`, { as: member(a, 'admin') })).status,
    ).toBe(200);
  });

  it('lists every invalid field of a create request', async () => {
    const res = await create(a, { name: '', role: 'root', expires_at: 'tomorrow', extra: true });
    expect(res.status).toBe(400);
    const errors = res.body.errors as { path: string }[];
    expect(errors.map((e) => e.path).sort()).toEqual([
      'body.expires_at',
      'body.extra',
      'body.name',
      'body.role',
    ]);
  });

  it('refuses an expiry in the past with a message saying so', async () => {
    const res = await create(a, { name: 'old', role: 'viewer', expires_at: '2020-01-01T00:00:00Z' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('must be in the future');
  });
});
