/**
 * StsTenantCredentials against a fake STS endpoint (query protocol): the session tag is the
 * tenant asked for, credentials are kept per tenant until shortly before they expire, the
 * cache is bounded, concurrent loads of one tenant share one AssumeRole, failures are not kept.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StsTenantCredentials } from '../../lib/adapters/aws/tenant-credentials.js';
import { ValidationError } from '../../lib/domain/errors.js';
import { startFakeSts, type FakeSts } from './fake-sts.js';

const ROLE = 'arn:aws:iam::123456789012:role/glaf-dev-TenantRole';
const A = '0b6a1a6e-1111-4c1e-9d1e-000000000001';
const B = '0b6a1a6e-2222-4c1e-9d1e-000000000002';
const C = '0b6a1a6e-3333-4c1e-9d1e-000000000003';

let sts: FakeSts;
let client: STSClient;

beforeAll(async () => {
  sts = await startFakeSts();
  client = new STSClient({
    region: 'eu-west-1',
    endpoint: sts.endpoint,
    credentials: { accessKeyId: 'AKIAFUNCTIONROLE', secretAccessKey: 'function-secret' },
  });
});
afterAll(async () => {
  client.destroy();
  await sts.close();
});
beforeEach(() => {
  sts.calls.length = 0;
  sts.expireAt(undefined);
});

function credentials(options: { now?: () => Date; maxTenants?: number } = {}): StsTenantCredentials {
  return new StsTenantCredentials({
    sts: client,
    roleArn: ROLE,
    ...(options.now ? { clock: options.now } : {}),
    ...(options.maxTenants ? { maxTenants: options.maxTenants } : {}),
  });
}

async function untilPending(n: number): Promise<void> {
  for (let i = 0; i < 500 && sts.pending() < n; i++) await sleep(5);
}

describe('StsTenantCredentials', () => {
  it('assumes the tenant role with tenant_id = the tenant as the only session tag', async () => {
    const creds = await credentials().get(A);

    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]).toMatchObject({
      roleArn: ROLE,
      sessionName: `t-${A}`,
      durationSeconds: 3600,
      tags: { tenant_id: A },
    });
    expect(Object.keys(sts.calls[0]!.tags)).toEqual(['tenant_id']);
    expect(creds.accessKeyId).toBe(sts.calls[0]!.accessKeyId);
    expect(creds.sessionToken).toBe(`token-${sts.calls[0]!.accessKeyId}`);
  });

  it('keeps credentials per tenant: each tenant its own, a second get is served from the cache', async () => {
    const cache = credentials();
    const a1 = await cache.get(A);
    const b = await cache.get(B);
    const a2 = await cache.get(A);

    expect(sts.calls.map((c) => c.tags.tenant_id)).toEqual([A, B]);
    expect(a2).toEqual(a1);
    expect(b.accessKeyId).not.toBe(a1.accessKeyId);
  });

  it('reloads once the credentials are within 5 minutes of expiry, not before', async () => {
    let now = new Date('2026-11-27T00:00:00Z');
    sts.expireAt(() => new Date('2026-11-27T01:00:00Z'));
    const cache = credentials({ now: () => now });
    const first = await cache.get(A);

    now = new Date('2026-11-27T00:54:59Z');
    expect(await cache.get(A)).toEqual(first);
    expect(sts.calls).toHaveLength(1);

    now = new Date('2026-11-27T00:55:00Z');
    sts.expireAt(() => new Date('2026-11-27T01:55:00Z'));
    const second = await cache.get(A);
    expect(sts.calls).toHaveLength(2);
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(second.expiration.toISOString()).toBe('2026-11-27T01:55:00.000Z');
  });

  it('serves the held credentials when a refresh fails before they expire, and retries STS next time', async () => {
    let now = new Date('2026-11-27T00:00:00Z');
    sts.expireAt(() => new Date('2026-11-27T01:00:00Z'));
    const cache = credentials({ now: () => now });
    const first = await cache.get(A);

    now = new Date('2026-11-27T00:56:00Z');
    sts.denyNext(1);
    expect(await cache.get(A)).toEqual(first);
    expect(sts.calls).toHaveLength(1);

    const second = await cache.get(A); // the next request asks again and gets new ones
    expect(sts.calls).toHaveLength(2);
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
  });

  it('fails when the refresh fails and the held credentials are about to expire', async () => {
    let now = new Date('2026-11-27T00:00:00Z');
    sts.expireAt(() => new Date('2026-11-27T01:00:00Z'));
    const cache = credentials({ now: () => now });
    await cache.get(A);

    now = new Date('2026-11-27T00:59:45Z');
    sts.denyNext(1);
    await expect(cache.get(A)).rejects.toThrow(/fake denial/);
  });

  it('is bounded: past maxTenants the least recently used tenant is dropped and loaded again', async () => {
    const cache = credentials({ maxTenants: 2 });
    await cache.get(A);
    await cache.get(B);
    await cache.get(A); // A is now the most recent
    await cache.get(C); // evicts B

    expect(cache.size).toBe(2);
    await cache.get(A);
    expect(sts.calls).toHaveLength(3);
    await cache.get(B);
    expect(sts.calls.map((c) => c.tags.tenant_id)).toEqual([A, B, C, B]);
  });

  it('shares one AssumeRole between concurrent requests of the same tenant', async () => {
    const cache = credentials();
    sts.hold();
    const loads = [cache.get(A), cache.get(A), cache.get(A), cache.get(B)];
    await untilPending(2);
    expect(sts.pending()).toBe(2);
    sts.release();
    const [a1, a2, a3, b] = await Promise.all(loads);

    expect(sts.calls.map((c) => c.tags.tenant_id).sort()).toEqual([A, B].sort());
    expect(a2).toEqual(a1);
    expect(a3).toEqual(a1);
    expect(b!.accessKeyId).not.toBe(a1!.accessKeyId);
  });

  it('does not keep a failure: the next request asks STS again', async () => {
    const cache = credentials();
    sts.denyNext(1);
    await expect(cache.get(A)).rejects.toThrow(/fake denial/);
    const creds = await cache.get(A);

    expect(creds.accessKeyId).toBe(sts.calls[0]!.accessKeyId);
    expect(sts.calls).toHaveLength(1); // the denied call issued nothing
  });

  it('refuses a tenant id that is not a lowercase UUID without calling STS', async () => {
    const cache = credentials();
    await expect(cache.get('*')).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.get(A.toUpperCase())).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.get(`${A}/x`)).rejects.toBeInstanceOf(ValidationError);
    expect(sts.calls).toHaveLength(0);
  });
});
