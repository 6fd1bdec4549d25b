/**
 * ApiGatewayUsageKeys over the real SDK client against the fake API Gateway endpoint: the wire
 * protocol (paths, query names, bodies, paging, error types) and the idempotent answers.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiGatewayUsageKeys } from '../../lib/adapters/aws/apigateway-usage-keys.js';
import { UsageKeyConflictError } from '../../lib/ports/usage-keys.js';
import { apiGatewayClient, startFakeApiGateway, type FakeApiGateway } from './fake-apigateway.js';

describe('ApiGatewayUsageKeys', { timeout: 20_000 }, () => {
  let fake: FakeApiGateway;
  let client: APIGatewayClient;
  let directory: ApiGatewayUsageKeys;

  beforeEach(async () => {
    fake = await startFakeApiGateway({ maxPage: 2 });
    client = apiGatewayClient(fake.endpoint);
    directory = new ApiGatewayUsageKeys(client);
  });
  afterEach(async () => {
    client.destroy();
    await fake.close();
  });

  it('creates an enabled key with the given value and finds it by exact name, values included', async () => {
    const name = 'glaf-usage-11111111-1111-4111-8111-111111111111';
    const created = await directory.createKey({ name, value: name, description: 'tenant 1' });
    expect(created).toMatchObject({ name, value: name, enabled: true });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(created.createdAt.getTime()).toBe(fake.keys.get(created.id)!.createdDate * 1000);
    // A longer name with the same prefix is not the key (nameQuery is a prefix match).
    fake.addKey({ name: `${name}-other`, value: `${name}-other`, enabled: true });
    const found = await directory.keysNamed(name);
    expect(found).toEqual([created]);
    expect(fake.calls).toContain(`GET /apikeys?includeValues=true&limit=500&name=${name}`);
  });

  it('follows position through every page of keys and plans', async () => {
    for (let i = 0; i < 5; i++)
      fake.addKey({ name: 'glaf-usage-same', value: `value-number-${i}-xxxxxxxxxxxx`, enabled: true });
    const keys = await directory.keysNamed('glaf-usage-same');
    expect(keys.map((k) => k.value)).toEqual([0, 1, 2, 3, 4].map((i) => `value-number-${i}-xxxxxxxxxxxx`));
    for (let i = 0; i < 3; i++) fake.addPlan(`p${i}`, `plan-${i}`, [{ apiId: 'api1', stage: 'v1' }]);
    const plans = await directory.plans();
    expect(plans.map((p) => p.id)).toEqual(['p0', 'p1', 'p2']);
    expect(plans[0]!.stages).toEqual([{ apiId: 'api1', stage: 'v1' }]);
    expect(fake.calls.filter((c) => c.startsWith('GET /usageplans'))).toHaveLength(2);
  });

  it('maps a value conflict on creation to UsageKeyConflictError', async () => {
    const value = 'glaf-usage-22222222-2222-4222-8222-222222222222';
    fake.addKey({ name: value, value, enabled: true });
    await expect(directory.createKey({ name: value, value, description: 'd' })).rejects.toBeInstanceOf(
      UsageKeyConflictError,
    );
  });

  it('enables a disabled key with a replace patch', async () => {
    const key = fake.addKey({ name: 'n', value: 'disabled-key-value-xxxxxxxx', enabled: false });
    await directory.enableKey(key.id);
    expect(fake.keys.get(key.id)!.enabled).toBe(true);
  });

  it('plan membership: add, list by keyId, add again (409 absorbed), remove, remove again (404 absorbed)', async () => {
    fake.addPlan('pool', 'glaf-tier-pool', [{ apiId: 'api1', stage: 'v1' }]);
    fake.addPlan('silo', 'glaf-tier-silo', [{ apiId: 'api1', stage: 'v1' }]);
    const key = fake.addKey({ name: 'n', value: 'plan-member-value-xxxxxxxx', enabled: true });
    await directory.addKeyToPlan('pool', key.id);
    await directory.addKeyToPlan('pool', key.id);
    expect(fake.calls.filter((c) => c === 'POST /usageplans/pool/keys')).toHaveLength(2);
    expect((await directory.plans({ keyId: key.id })).map((p) => p.id)).toEqual(['pool']);
    await directory.removeKeyFromPlan('pool', key.id);
    await directory.removeKeyFromPlan('pool', key.id);
    expect(await directory.plans({ keyId: key.id })).toEqual([]);
  });

  it('deletes a key idempotently, and other errors still surface', async () => {
    const key = fake.addKey({ name: 'n', value: 'to-be-deleted-value-xxxxxxx', enabled: true });
    await directory.deleteKey(key.id);
    await directory.deleteKey(key.id);
    expect(fake.keys.has(key.id)).toBe(false);
    // A plan that does not exist is not "already removed" for adding: the error surfaces.
    await expect(directory.addKeyToPlan('nope', 'k')).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('retries a throttled call (429) and then succeeds', async () => {
    fake.addPlan('pool', 'glaf-tier-pool', [{ apiId: 'api1', stage: 'v1' }]);
    fake.throttleNext(1);
    expect((await directory.plans()).map((p) => p.id)).toEqual(['pool']);
    expect(fake.calls.filter((c) => c.startsWith('GET /usageplans'))).toHaveLength(2);
  });
});
