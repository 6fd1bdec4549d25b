/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON response bodies: the assertions are the type checks */
/**
 * Onboarding provisions the new tenant's usage-plan key itself (so the tenant is not locked out
 * until the tenant.created event arrives), best effort: the real route handler and services
 * (PGlite, dynalite) with the real UsageKeyService over the fake API Gateway.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiGatewayUsageKeys } from '../../lib/adapters/aws/apigateway-usage-keys.js';
import type { UsageKeys } from '../../lib/ports/usage-keys.js';
import { UsageKeyService, ensureUsageKeyBestEffort } from '../../lib/services/usage-keys.js';
import { startApi, type Api } from '../http/routes/harness.js';
import { apiGatewayClient, startFakeApiGateway, type FakeApiGateway } from './fake-apigateway.js';

const API = 'restapi77';
const admin = { platformAdmin: true, subject: 'ops-1' };
const body = (slug: string, tier: 'pool' | 'silo') => ({
  slug,
  name: slug,
  tier,
  home_region: 'eu-west-1',
  admin: { email: `admin@${slug}.example` },
});

describe('onboarding provisions the tenant usage-plan key', { timeout: 60_000 }, () => {
  let fake: FakeApiGateway;
  let client: APIGatewayClient;
  let api: Api;

  beforeAll(async () => {
    fake = await startFakeApiGateway();
    // Only the pool plan on this stage: a silo tenant's key cannot be placed here.
    fake.addPlan('pool1', 'glaf-tier-pool', [{ apiId: API, stage: 'v1' }]);
    client = apiGatewayClient(fake.endpoint);
    api = await startApi({
      usageKeys: new UsageKeyService({ directory: new ApiGatewayUsageKeys(client), apiId: API, stage: 'v1' }),
    });
  });
  afterAll(async () => {
    await api?.close();
    client?.destroy();
    await fake?.close();
  });

  it('POST /v1/tenants: 201 and the key exists, enabled, in the tier plan', async () => {
    const res = await api.call('POST', '/v1/tenants', { as: admin, body: body('keyed', 'pool') });
    expect(res.status).toBe(201);
    const id = res.body.tenant.tenant_id as string;
    const [key] = [...fake.keys.values()];
    expect(key).toMatchObject({ value: `glaf-usage-${id}`, enabled: true });
    expect([...fake.plans.get('pool1')!.keyIds]).toEqual([key!.id]);
  });

  it('a provisioning failure never fails the onboarding (201; the event path retries)', async () => {
    const before = fake.keys.size;
    const res = await api.call('POST', '/v1/tenants', { as: admin, body: body('unkeyed', 'silo') });
    expect(res.status).toBe(201);
    expect(fake.keys.size).toBe(before);
    const got = await api.call('GET', `/v1/tenants/${res.body.tenant.tenant_id}`, { as: admin });
    expect(got.status).toBe(200);
  });
});

describe('ensureUsageKeyBestEffort', () => {
  const tenant = { id: '0b9c2d4e-6f70-4a81-9b2c-3d4e5f607182', tier: 'pool' as const };

  it('skips without a key service (local mode) and reports ensured when it answers', async () => {
    const calls: string[] = [];
    const keys: UsageKeys = {
      ensure: (id, tier) => {
        calls.push(`${id}:${tier}`);
        return Promise.resolve({
          tenantId: id,
          created: true,
          enabled: false,
          addedTo: [],
          removedFrom: [],
          deletedKeys: [],
        });
      },
      remove: () => Promise.reject(new Error('not used')),
    };
    expect(await ensureUsageKeyBestEffort(undefined, tenant, () => undefined)).toBe('skipped');
    expect(await ensureUsageKeyBestEffort(keys, tenant, () => undefined)).toBe('ensured');
    expect(calls).toEqual([`${tenant.id}:pool`]);
  });

  it('gives up after its time limit and reports why (a hanging gateway does not hold onboarding)', async () => {
    const hanging: UsageKeys = {
      ensure: () => new Promise(() => undefined),
      remove: () => new Promise(() => undefined),
    };
    const errors: unknown[] = [];
    const started = Date.now();
    expect(await ensureUsageKeyBestEffort(hanging, tenant, (e) => errors.push(e), 50)).toBe('failed');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(String(errors[0])).toMatch(/not ensured within 50 ms/);
  });
});
