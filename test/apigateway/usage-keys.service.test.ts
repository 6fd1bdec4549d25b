/**
 * UsageKeyService over the real adapter and SDK against the fake API Gateway: a tenant's key
 * converges to "exists, enabled, in its tier's plan of this stage only" from any start, repeated
 * calls change nothing, a tier move changes plans, offboarding deletes the key, and plans of
 * other APIs are never touched.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiGatewayUsageKeys } from '../../lib/adapters/aws/apigateway-usage-keys.js';
import { tenantUsageKey } from '../../lib/config/usage-plans.js';
import { UsageKeyService, UsagePlanMissingError } from '../../lib/services/usage-keys.js';
import { apiGatewayClient, startFakeApiGateway, type FakeApiGateway } from './fake-apigateway.js';

const TENANT = '3f1d2c4b-5a69-4788-9abc-0123456789ab';
const VALUE = `glaf-usage-${TENANT}`;
const API = 'api0000001';
const STAGE = 'v1';

describe('UsageKeyService', { timeout: 20_000 }, () => {
  let fake: FakeApiGateway;
  let client: APIGatewayClient;
  let directory: ApiGatewayUsageKeys;
  const service = () => new UsageKeyService({ directory, apiId: API, stage: STAGE });
  const plansHolding = (keyId: string) =>
    [...fake.plans.values()].filter((p) => p.keyIds.has(keyId)).map((p) => p.id);
  const writes = () => fake.calls.filter((c) => !c.startsWith('GET '));

  beforeEach(async () => {
    fake = await startFakeApiGateway();
    fake.addPlan('pool1', 'glaf-tier-pool', [{ apiId: API, stage: STAGE }]);
    fake.addPlan('silo1', 'glaf-tier-silo', [{ apiId: API, stage: STAGE }]);
    fake.addPlan('platform1', 'glaf-platform', [{ apiId: API, stage: STAGE }]);
    // Another API's plans with the same names (another stage in the same account and region).
    fake.addPlan('pool2', 'glaf-tier-pool', [{ apiId: 'api0000002', stage: STAGE }]);
    client = apiGatewayClient(fake.endpoint);
    directory = new ApiGatewayUsageKeys(client);
  });
  afterEach(async () => {
    client.destroy();
    await fake.close();
  });

  it('the value is derived from the tenant id', () => {
    expect(tenantUsageKey(TENANT)).toBe(VALUE);
    expect(tenantUsageKey(TENANT.toUpperCase())).toBe(VALUE);
    expect(() => tenantUsageKey('tenant-1')).toThrow(/not a tenant id/);
  });

  it('creates the enabled key in the tier plan; a second call writes nothing', async () => {
    const s = service();
    const first = await s.ensure(TENANT, 'pool');
    expect(first).toMatchObject({
      tenantId: TENANT,
      created: true,
      enabled: false,
      addedTo: ['pool1'],
      removedFrom: [],
    });
    const key = fake.keys.get(first.keyId!)!;
    expect(key).toMatchObject({ name: VALUE, value: VALUE, enabled: true });
    expect(plansHolding(key.id)).toEqual(['pool1']);

    const before = writes().length;
    const again = await s.ensure(TENANT, 'pool');
    expect(again).toEqual({
      tenantId: TENANT,
      keyId: key.id,
      created: false,
      enabled: false,
      addedTo: [],
      removedFrom: [],
      deletedKeys: [],
    });
    expect(writes()).toHaveLength(before);
    expect(fake.keys.size).toBe(1);
  });

  it('repairs an existing key: disabled and in no plan -> enabled and in its plan', async () => {
    const key = fake.addKey({ name: VALUE, value: VALUE, enabled: false });
    const r = await service().ensure(TENANT, 'silo');
    expect(r).toMatchObject({ keyId: key.id, created: false, enabled: true, addedTo: ['silo1'] });
    expect(fake.keys.get(key.id)!.enabled).toBe(true);
    expect(plansHolding(key.id)).toEqual(['silo1']);
  });

  it('a tier move takes the key out of the old plan of this stage only', async () => {
    const s = service();
    const { keyId } = await s.ensure(TENANT, 'pool');
    // Another API's plan holding the same key is not this service's business.
    fake.plans.get('pool2')!.keyIds.add(keyId!);
    const moved = await s.ensure(TENANT, 'silo');
    expect(moved).toMatchObject({ keyId, created: false, addedTo: ['silo1'], removedFrom: ['pool1'] });
    expect(plansHolding(keyId!).sort()).toEqual(['pool2', 'silo1']);
  });

  it('a key with the name but another value is not the tenant key', async () => {
    const foreign = fake.addKey({ name: VALUE, value: 'someone-elses-value-xxxxxxxx', enabled: true });
    const r = await service().ensure(TENANT, 'pool');
    expect(r.created).toBe(true);
    expect(r.keyId).not.toBe(foreign.id);
    expect(plansHolding(foreign.id)).toEqual([]);
  });

  it('duplicates left by a race: the earliest key stays, later ones are deleted', async () => {
    await fake.close();
    fake = await startFakeApiGateway({ uniqueValues: false });
    fake.addPlan('pool1', 'glaf-tier-pool', [{ apiId: API, stage: STAGE }]);
    client.destroy();
    client = apiGatewayClient(fake.endpoint);
    directory = new ApiGatewayUsageKeys(client);
    const later = fake.addKey({ name: VALUE, value: VALUE, enabled: true, createdDate: 1_800_000_100 });
    const earliest = fake.addKey({ name: VALUE, value: VALUE, enabled: true, createdDate: 1_800_000_000 });
    fake.plans.get('pool1')!.keyIds.add(later.id);
    const r = await service().ensure(TENANT, 'pool');
    expect(r).toMatchObject({ keyId: earliest.id, deletedKeys: [later.id], addedTo: ['pool1'] });
    expect([...fake.keys.keys()]).toEqual([earliest.id]);
    expect(plansHolding(earliest.id)).toEqual(['pool1']);
  });

  it('losing a creation race (409) reads the winner key and converges on it', async () => {
    let winner: string | undefined;
    const racing = new (class extends ApiGatewayUsageKeys {
      override async createKey(input: { name: string; value: string; description: string }) {
        winner ??= fake.addKey({ name: input.name, value: input.value, enabled: false }).id;
        return super.createKey(input);
      }
    })(client);
    const r = await new UsageKeyService({ directory: racing, apiId: API, stage: STAGE }).ensure(
      TENANT,
      'pool',
    );
    expect(r).toMatchObject({ keyId: winner, created: false, enabled: true, addedTo: ['pool1'] });
    expect(fake.keys.size).toBe(1);
  });

  it('concurrent callers end with one enabled key in the plan', async () => {
    const reports = await Promise.all([service().ensure(TENANT, 'pool'), service().ensure(TENANT, 'pool')]);
    expect(fake.keys.size).toBe(1);
    const [key] = [...fake.keys.values()];
    expect(reports.map((r) => r.keyId)).toEqual([key!.id, key!.id]);
    expect(reports.filter((r) => r.created)).toHaveLength(1);
    expect(plansHolding(key!.id)).toEqual(['pool1']);
  });

  it('no plan for the tier on this stage: UsagePlanMissingError, and a plan deployed later is found', async () => {
    fake.plans.delete('silo1');
    const s = service();
    await expect(s.ensure(TENANT, 'silo')).rejects.toBeInstanceOf(UsagePlanMissingError);
    await expect(s.ensure(TENANT, 'silo')).rejects.toThrow(/glaf-tier-silo.*api0000001 stage v1/);
    expect(fake.keys.size).toBe(0);
    fake.addPlan('silo9', 'glaf-tier-silo', [{ apiId: API, stage: STAGE }]);
    const r = await s.ensure(TENANT, 'silo');
    expect(plansHolding(r.keyId!)).toEqual(['silo9']);
  });

  it('offboarding deletes the key (and so its plan membership); a second remove is a no-op', async () => {
    const s = service();
    const { keyId } = await s.ensure(TENANT, 'pool');
    const removed = await s.remove(TENANT);
    expect(removed).toMatchObject({ tenantId: TENANT, deletedKeys: [keyId] });
    expect(fake.keys.size).toBe(0);
    expect(plansHolding(keyId!)).toEqual([]);
    const before = writes().length;
    expect((await s.remove(TENANT)).deletedKeys).toEqual([]);
    expect(writes()).toHaveLength(before);
  });
});
