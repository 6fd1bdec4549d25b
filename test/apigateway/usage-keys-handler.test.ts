/**
 * lambdas/usage-keys: EventBridge events as the bus delivers them (envelope in `detail`) ->
 * the tenant's key against the fake API Gateway, through the handler's own composition (the
 * SDK finds the fake through AWS_ENDPOINT_URL_API_GATEWAY, as it would any endpoint override).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionOf, handler } from '../../lambdas/usage-keys/handler.js';
import { createEvent, type DomainEvent } from '../../lib/domain/events/envelope.js';
import { startFakeApiGateway, type FakeApiGateway } from './fake-apigateway.js';

const TENANT = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const API = 'restapi01';

/** What an EventBridge rule hands its target for an event published by EventBridgeBus. */
function delivered(event: DomainEvent): Record<string, unknown> {
  return {
    version: '0',
    id: 'eb-id-1',
    'detail-type': event.type,
    source: 'glaf',
    account: '123456789012',
    time: event.time,
    region: 'eu-west-1',
    resources: [],
    detail: event,
  };
}

describe('usage-keys Lambda handler', { timeout: 20_000 }, () => {
  let fake: FakeApiGateway;
  const saved = { ...process.env };
  const VARS = [
    'USAGE_REST_API_ID',
    'USAGE_STAGE_NAME',
    'AWS_ENDPOINT_URL_API_GATEWAY',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_REGION',
  ];

  beforeAll(async () => {
    fake = await startFakeApiGateway();
    fake.addPlan('pool1', 'glaf-tier-pool', [{ apiId: API, stage: 'v1' }]);
    fake.addPlan('silo1', 'glaf-tier-silo', [{ apiId: API, stage: 'v1' }]);
    Object.assign(process.env, {
      USAGE_REST_API_ID: API,
      USAGE_STAGE_NAME: 'v1',
      AWS_ENDPOINT_URL_API_GATEWAY: fake.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret-test',
      AWS_REGION: 'eu-west-1',
    });
  });
  afterAll(async () => {
    for (const k of VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await fake.close();
  });

  it('reads the action from the envelope; refuses what it cannot act on', () => {
    const created = createEvent('tenant.created', TENANT, { tenantId: TENANT, tier: 'silo' });
    expect(actionOf(delivered(created))).toEqual({ kind: 'ensure', tenantId: TENANT, tier: 'silo' });
    const gone = createEvent('tenant.offboarded', TENANT, { tenantId: TENANT });
    expect(actionOf(delivered(gone))).toEqual({ kind: 'remove', tenantId: TENANT });
    const suspended = createEvent('tenant.suspended', TENANT, { tenantId: TENANT });
    expect(actionOf(delivered(suspended))).toEqual({ kind: 'ignore', type: 'tenant.suspended' });
    const noTier = createEvent('tenant.created', TENANT, { tenantId: TENANT });
    expect(() => actionOf(delivered(noTier))).toThrow(/no valid tier/);
    expect(() => actionOf({ detail: 'x' })).toThrow(/Not a platform event/);
  });

  it('tenant.created provisions the key in the tier plan; a redelivery changes nothing; offboarding deletes it', async () => {
    const created = delivered(
      createEvent('tenant.created', TENANT, { tenantId: TENANT, tier: 'pool', slug: 'acme' }),
    );
    const first = await handler(created);
    expect(first).toMatchObject({ tenantId: TENANT, created: true, addedTo: ['pool1'] });
    const key = fake.keys.get(first!.keyId!)!;
    expect(key).toMatchObject({ value: `glaf-usage-${TENANT}`, enabled: true });
    expect(fake.plans.get('pool1')!.keyIds.has(key.id)).toBe(true);

    const again = await handler(created);
    expect(again).toMatchObject({ keyId: key.id, created: false, addedTo: [], removedFrom: [] });

    const gone = await handler(delivered(createEvent('tenant.offboarded', TENANT, { tenantId: TENANT })));
    expect(gone).toMatchObject({ deletedKeys: [key.id] });
    expect(fake.keys.size).toBe(0);
    expect(await handler(delivered(createEvent('tenant.resumed', TENANT, { tenantId: TENANT })))).toBeNull();
  });
});
