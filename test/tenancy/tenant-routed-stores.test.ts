/**
 * Tenant-routed stores on dynalite, each tenant's client signing with the credentials the fake
 * STS issued for that tenant's session of the tenant role; a recording proxy in front of
 * dynalite shows who signed each request and which tenant partitions it named.
 * - every call about tenant T goes out signed with T's session (access key and token), and
 *   names T's partitions only; one AssumeRole per tenant, tagged tenant_id = T;
 * - a request verified for A asking about B is refused (TenantScopeViolationError) before
 *   anything is sent or any credentials are asked for, with B's own request as the control;
 * - without a verified tenant (a platform admin), each call runs as the tenant it names.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureTable } from '../../lib/adapters/aws/dynamodb-table.js';
import { StsTenantCredentials } from '../../lib/adapters/aws/tenant-credentials.js';
import {
  TenantRoutedBatchStore,
  TenantRoutedExecutionStore,
  TenantScopeViolationError,
} from '../../lib/adapters/aws/tenant-routed-stores.js';
import { TenantTables } from '../../lib/adapters/aws/tenant-tables.js';
import { dynaliteClient, startDynalite, type RunningDynalite } from '../../lib/adapters/local/dynalite.js';
import { EXECUTION_TABLE } from '../../lib/config/execution-table.js';
import { ValidationError } from '../../lib/domain/errors.js';
import { currentRequestTenant, runAsRequestTenant } from '../../lib/http/request-tenant.js';
import { startFakeSts, type FakeSts } from './fake-sts.js';
import { startSigningProxy, type SigningProxy } from './signing-proxy.js';

const ROLE = 'arn:aws:iam::123456789012:role/glaf-test-TenantRole';
const TABLE = 'glaf-routed-test';
const REGION = 'eu-west-1';
const A = randomUUID();
const B = randomUUID();

let sts: FakeSts;
let stsClient: STSClient;
let dynalite: RunningDynalite;
let proxy: SigningProxy;
let tables: TenantTables;
let executions: TenantRoutedExecutionStore;
let batches: TenantRoutedBatchStore;

function tenantTables(maxTenants?: number): TenantTables {
  return new TenantTables({
    credentials: new StsTenantCredentials({ sts: stsClient, roleArn: ROLE }),
    tableName: TABLE,
    createClient: (credentials) =>
      new DynamoDBClient({ region: REGION, endpoint: proxy.endpoint, credentials, maxAttempts: 1 }),
    ...(maxTenants ? { maxTenants } : {}),
  });
}

beforeAll(async () => {
  sts = await startFakeSts();
  stsClient = new STSClient({
    region: REGION,
    endpoint: sts.endpoint,
    // The function role's own credentials: only STS ever sees them.
    credentials: { accessKeyId: 'AKIAFUNCTIONROLE', secretAccessKey: 'function-secret' },
  });
  dynalite = await startDynalite();
  const admin = dynaliteClient(dynalite.endpoint);
  await ensureTable(admin, EXECUTION_TABLE, TABLE);
  admin.destroy();
  proxy = await startSigningProxy(dynalite.endpoint);
  tables = tenantTables();
  const routing = { tables, verifiedTenant: currentRequestTenant };
  executions = new TenantRoutedExecutionStore(routing);
  batches = new TenantRoutedBatchStore(routing);
}, 60_000);

afterAll(async () => {
  tables?.close();
  stsClient?.destroy();
  await proxy?.close();
  await dynalite?.close();
  await sts?.close();
});

beforeEach(() => {
  proxy.requests.length = 0;
});

const request = { agentId: 'fuel-emissions', agentVersion: '1.0.0', input: { lines: [] } };

/** The access key the fake STS issued for `tenant`'s session (exactly one AssumeRole each). */
function sessionKeyOf(tenant: string): string {
  const calls = sts.calls.filter((c) => c.tags.tenant_id === tenant);
  expect(calls).toHaveLength(1);
  return calls[0]!.accessKeyId;
}

/** Everything a tenant's request does with the execution table: executions, usage, deliveries, batches. */
async function workOf(tenant: string): Promise<void> {
  const { execution } = await executions.create(tenant, request, { idempotencyKey: `key-${tenant}` });
  await executions.get(tenant, execution.executionId);
  await executions.list(tenant);
  await executions.countExecution(tenant, '2026-11', 100);
  await executions.addUsage(tenant, '2026-11', { executions: 1 });
  await executions.getUsage(tenant, '2026-11');
  await executions.recordWebhookDelivery(tenant, randomUUID(), {
    eventId: randomUUID(),
    eventType: 'execution.created',
    attempt: 1,
    outcome: 'delivered',
    responseStatus: 200,
    durationMs: 5,
  });
  const batchId = randomUUID();
  await batches.put({
    batchId,
    tenantId: tenant,
    agentId: 'fuel-emissions',
    agentVersion: '1.0.0',
    executionIds: [execution.executionId],
    createdAt: '2026-11-27T00:00:00.000Z',
  });
  await batches.get(tenant, batchId);
}

describe('tenant-routed stores over per-tenant clients', () => {
  it("signs every call about a tenant with that tenant's session, naming only its partitions", async () => {
    await runAsRequestTenant(A, () => workOf(A));
    await runAsRequestTenant(B, () => workOf(B));

    const keyA = sessionKeyOf(A);
    const keyB = sessionKeyOf(B);
    expect(keyA).not.toBe(keyB);
    expect(sts.calls.find((c) => c.accessKeyId === keyA)).toMatchObject({
      roleArn: ROLE,
      tags: { tenant_id: A },
    });
    const seen = proxy.requests.map((r) => ({
      key: r.accessKeyId,
      token: r.sessionToken,
      tenants: r.tenants,
    }));
    const ofA = seen.filter((r) => r.key === keyA);
    const ofB = seen.filter((r) => r.key === keyB);
    // Every request went out as one of the two sessions, never the function's own key.
    expect(ofA.length + ofB.length).toBe(seen.length);
    expect(ofA.length).toBeGreaterThanOrEqual(10);
    expect(ofB.length).toBe(ofA.length);
    for (const r of ofA) expect(r).toEqual({ key: keyA, token: `token-${keyA}`, tenants: [A] });
    for (const r of ofB) expect(r).toEqual({ key: keyB, token: `token-${keyB}`, tenants: [B] });
  });

  it("refuses a request verified for A asking about B's items before anything is sent", async () => {
    const { execution } = await runAsRequestTenant(B, () => executions.create(B, request));
    const sent = proxy.requests.length;
    const assumed = sts.calls.length;

    await runAsRequestTenant(A, async () => {
      await expect(executions.get(B, execution.executionId)).rejects.toBeInstanceOf(
        TenantScopeViolationError,
      );
      await expect(executions.list(B)).rejects.toBeInstanceOf(TenantScopeViolationError);
      await expect(executions.cancel(B, execution.executionId)).rejects.toBeInstanceOf(
        TenantScopeViolationError,
      );
      await expect(executions.addUsage(B, '2026-11', { executions: 1 })).rejects.toBeInstanceOf(
        TenantScopeViolationError,
      );
      await expect(batches.get(B, randomUUID())).rejects.toBeInstanceOf(TenantScopeViolationError);
      await expect(
        batches.put({
          batchId: randomUUID(),
          tenantId: B,
          agentId: 'fuel-emissions',
          agentVersion: '1.0.0',
          executionIds: [],
          createdAt: '2026-11-27T00:00:00.000Z',
        }),
      ).rejects.toThrow(/verified for tenant .* tried to reach tenant/);
    });
    expect(proxy.requests.length).toBe(sent);
    expect(sts.calls.length).toBe(assumed);

    // Positive control: the same read as B itself works.
    const own = await runAsRequestTenant(B, () => executions.get(B, execution.executionId));
    expect(own.executionId).toBe(execution.executionId);
  });

  it('keeps the verified tenant across the async work a request starts', async () => {
    const { execution } = await runAsRequestTenant(B, () => executions.create(B, request));
    const later = runAsRequestTenant(A, () =>
      new Promise((resolve) => setTimeout(resolve, 5)).then(() => executions.get(B, execution.executionId)),
    );
    await expect(later).rejects.toBeInstanceOf(TenantScopeViolationError);
  });

  it("runs a call without a verified tenant (platform admin) as the tenant it names, with that tenant's session", async () => {
    const { execution } = await runAsRequestTenant(B, () => executions.create(B, request));
    proxy.requests.length = 0;
    const read = await runAsRequestTenant(null, () => executions.get(B, execution.executionId));

    expect(read.tenantId).toBe(B);
    expect(proxy.requests.map((r) => [r.accessKeyId, r.tenants])).toEqual([[sessionKeyOf(B), [B]]]);
  });

  it('refuses a tenant id that is not a lowercase UUID before creating a client', async () => {
    await expect(executions.get('TENANT#x', randomUUID())).rejects.toBeInstanceOf(ValidationError);
    expect(() => tables.forTenant(A.toUpperCase())).toThrow(ValidationError);
    expect(proxy.requests).toHaveLength(0);
  });

  it('keeps a bounded set of tenant clients and recreates an evicted one', () => {
    const small = tenantTables(1);
    try {
      const a = small.forTenant(A);
      expect(small.forTenant(A)).toBe(a);
      small.forTenant(B);
      expect(small.size).toBe(1);
      expect(small.forTenant(A)).not.toBe(a);
    } finally {
      small.close();
    }
  });
});
