/**
 * The API function composed from its environment as deployed with the tenant role and the
 * integration bus: TENANT_ROLE_ARN with STS at a fake endpoint (AWS_ENDPOINT_URL_STS, read by
 * the SDK itself), EVENT_BUS_NAME with EventBridge at the fake endpoint
 * (AWS_ENDPOINT_URL_EVENTBRIDGE), dynalite behind a recording proxy (AWS_ENDPOINT_URL_DYNAMODB)
 * and real PostgreSQL (TEST_DATABASE_URL). Shown end to end through `lambdas/api/handler.ts`:
 * a request of tenant A assumes the role tagged tenant_id=A and every execution-table call it
 * makes is signed with A's session; the function's own credentials touch no tenant item; an
 * execution created through the API reaches EventBridge; tenant A cannot read B's execution.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeBus } from '../../lib/adapters/aws/eventbridge-bus.js';
import { TenantTables } from '../../lib/adapters/aws/tenant-tables.js';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import { startDynalite, type RunningDynalite } from '../../lib/adapters/local/dynalite.js';
import type { DomainEvent } from '../../lib/domain/events/envelope.js';
import { createServices } from '../../lib/http/services.js';
import { servicesConfigFromEnv } from '../../lambdas/api/services.js';
import { startFakeEventBridge, type FakeEventBridge } from '../events/fake-eventbridge.js';
import { startFakeSts, type FakeSts } from '../tenancy/fake-sts.js';
import { startSigningProxy, type SigningProxy } from '../tenancy/signing-proxy.js';

const ROLE = 'arn:aws:iam::123456789012:role/glaf-test-TenantRole';
const BASE_ENV = {
  DATABASE_URL: 'postgres://app@proxy.example:5432/glaf',
  EXECUTION_TABLE_NAME: 'glaf-executions-prod',
};

describe('lambdas/api environment: tenant role and integration bus', () => {
  it('routes tenant items through per-tenant tenant-role clients when TENANT_ROLE_ARN is set', () => {
    expect(servicesConfigFromEnv({ ...BASE_ENV, TENANT_ROLE_ARN: ROLE }).tenantTables).toBeInstanceOf(
      TenantTables,
    );
    expect(servicesConfigFromEnv(BASE_ENV)).not.toHaveProperty('tenantTables');
    expect(() => servicesConfigFromEnv({ ...BASE_ENV, TENANT_ROLE_ARN: 'glaf-TenantRole' })).toThrow(
      /TENANT_ROLE_ARN/,
    );
  });

  it('publishes to EventBridge as well when EVENT_BUS_NAME is set', () => {
    expect(servicesConfigFromEnv({ ...BASE_ENV, EVENT_BUS_NAME: 'glaf-prod' }).integrationBus).toBeInstanceOf(
      EventBridgeBus,
    );
    expect(servicesConfigFromEnv(BASE_ENV)).not.toHaveProperty('integrationBus');
  });
});

const base = process.env.TEST_DATABASE_URL;
if (!base && process.env.CI === 'true') throw new Error('CI=true but TEST_DATABASE_URL is not set');
const servers = base ? [base] : [];

describe.each(servers)('lambdas/api handler with the tenant role, on PostgreSQL + dynalite', (baseUrl) => {
  const suffix = randomBytes(5).toString('hex');
  const dbName = `glaf_trole_${suffix}`;
  const prefix = `glaft${suffix}`;
  let dynalite: RunningDynalite;
  let proxy: SigningProxy;
  let sts: FakeSts;
  let eventBridge: FakeEventBridge;
  const published: DomainEvent[] = [];
  const busNames: string[] = [];
  let tenantA: string;
  let tenantB: string;
  let handler: (
    e: APIGatewayProxyEvent,
    c: Context,
  ) => Promise<{ statusCode: number; body: string; headers?: unknown }>;
  const saved = { ...process.env };

  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    await admin(`create database ${dbName}`);
    const u = new URL(baseUrl);
    u.pathname = `/${dbName}`;
    dynalite = await startDynalite();
    // What the stacks and the deploy job do: migrate, create the table, load the catalogue and agents.
    const boot = await createServices({
      databaseUrl: u.toString(),
      dynamodbEndpoint: dynalite.endpoint,
      tableName: 'glaf-exec-trole',
      rolePrefix: prefix,
      dataDir: 'memory',
    });
    const onboard = async (slug: string) =>
      (
        await boot.services.tenants.onboard({
          slug,
          name: slug,
          homeRegion: 'eu-west-1',
          admin: { email: `a@${slug}.example` },
        })
      ).tenant.id;
    tenantA = await onboard('role-a');
    tenantB = await onboard('role-b');
    await boot.close();

    proxy = await startSigningProxy(dynalite.endpoint);
    sts = await startFakeSts();
    const backing = new MemoryBus();
    backing.subscribe('*', (e) => void published.push(e));
    eventBridge = await startFakeEventBridge(backing);
    eventBridge.failWith((entry) => {
      busNames.push(entry.EventBusName);
      return undefined;
    });
    Object.assign(process.env, {
      DATABASE_URL: u.toString(),
      DB_IAM_AUTH: 'true',
      EXECUTION_TABLE_NAME: 'glaf-exec-trole',
      GLAF_DB_ROLE_PREFIX: prefix,
      TENANT_ROLE_ARN: ROLE,
      EVENT_BUS_NAME: 'glaf-test-bus',
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      AWS_ENDPOINT_URL_STS: sts.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
      AWS_REGION: 'eu-west-1',
      // The function role's own credentials: they may reach STS, never a tenant's items.
      AWS_ACCESS_KEY_ID: 'AKIAFUNCTIONROLE',
      AWS_SECRET_ACCESS_KEY: 'function-secret',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    delete process.env.AWS_SESSION_TOKEN;
    ({ handler } = await import('../../lambdas/api/handler.js'));
  }, 120_000);

  afterAll(async () => {
    process.env = saved;
    await eventBridge?.close();
    await sts?.close();
    await proxy?.close();
    await dynalite?.close();
    await admin(`drop database if exists ${dbName} with (force)`);
    for (const r of ['app', 'admin', 'owner']) await admin(`drop role if exists ${prefix}_${r}`);
  }, 60_000);

  const event = (tenantId: string, method: string, path: string, body?: unknown): APIGatewayProxyEvent =>
    ({
      httpMethod: method,
      path,
      resource: '/{proxy+}',
      headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: { proxy: path.slice(1) },
      stageVariables: null,
      body: body === undefined ? null : JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: {
        requestId: randomUUID(),
        identity: { sourceIp: '10.0.0.1' },
        authorizer: {
          principalType: 'user',
          subject: 'trole-test',
          tenantId,
          roles: 'admin',
          platformAdmin: 'false',
        },
      },
    }) as unknown as APIGatewayProxyEvent;
  const ctx = {} as Context;
  const fuel = {
    agent_id: 'fuel-emissions',
    mode: 'sync',
    input: {
      lines: [
        {
          fuel: 'diesel',
          quantity: 1000,
          unit: 'litres',
          period: { start: '2024-01-01', end: '2024-12-31' },
        },
      ],
    },
  };
  const keyOf = (tenant: string) => sts.calls.find((c) => c.tags.tenant_id === tenant)?.accessKeyId;

  it("runs tenant A's execution with A's session of the tenant role, end to end, and publishes it to EventBridge", async () => {
    proxy.requests.length = 0;
    const run = await handler(event(tenantA, 'POST', '/v1/executions', fuel), ctx);
    expect(run.statusCode).toBe(200);
    const body = JSON.parse(run.body) as {
      execution_id: string;
      status: string;
      output: { totals: { co2e_kg: number } };
    };
    expect(body.status).toBe('COMPLETED');
    expect(body.output.totals.co2e_kg).toBeCloseTo(2512.79, 6);

    // One AssumeRole for A, tagged with A only, on the configured role.
    expect(sts.calls.map((c) => ({ role: c.roleArn, tags: c.tags }))).toEqual([
      { role: ROLE, tags: { tenant_id: tenantA } },
    ]);
    // Every table call of the request (quota count, idempotent create, claim, complete, usage) as A.
    expect(proxy.requests.length).toBeGreaterThanOrEqual(3);
    for (const r of proxy.requests) {
      expect({ op: r.operation, key: r.accessKeyId, tenants: r.tenants }).toEqual({
        op: r.operation,
        key: keyOf(tenantA),
        tenants: [tenantA],
      });
    }
    // The API's events went to the configured bus before the response.
    const created = published.find((e) => e.type === 'execution.created');
    expect(created).toMatchObject({ tenantId: tenantA, detail: { executionId: body.execution_id } });
    expect(published.map((e) => e.type)).toEqual(
      expect.arrayContaining(['execution.created', 'execution.started', 'execution.completed']),
    );
    expect(new Set(busNames)).toEqual(new Set(['glaf-test-bus']));

    const read = await handler(event(tenantA, 'GET', `/v1/executions/${body.execution_id}`), ctx);
    expect(read.statusCode).toBe(200);
  }, 60_000);

  it("keeps tenants apart: B gets a session of its own, and A asking for B's execution gets 404 as A", async () => {
    const run = await handler(event(tenantB, 'POST', '/v1/executions', fuel), ctx);
    expect(run.statusCode).toBe(200);
    const { execution_id: ofB } = JSON.parse(run.body) as { execution_id: string };
    expect(keyOf(tenantB)).toBeDefined();
    expect(keyOf(tenantB)).not.toBe(keyOf(tenantA));

    proxy.requests.length = 0;
    const assumed = sts.calls.length;
    const cross = await handler(event(tenantA, 'GET', `/v1/executions/${ofB}`), ctx);
    expect(cross.statusCode).toBe(404);
    expect(sts.calls.length).toBe(assumed); // A's cached session, no new AssumeRole
    expect(proxy.requests.map((r) => [r.accessKeyId, r.tenants])).toEqual([[keyOf(tenantA), [tenantA]]]);
    // Positive control: B reads its own execution.
    expect((await handler(event(tenantB, 'GET', `/v1/executions/${ofB}`), ctx)).statusCode).toBe(200);
  }, 60_000);

  it('uses the function role itself only for the readiness probe (DescribeTable, no tenant item)', async () => {
    proxy.requests.length = 0;
    const ready = await handler(event(tenantA, 'GET', '/ready'), ctx);
    expect(ready.statusCode).toBe(200);
    expect(proxy.requests.map((r) => [r.operation, r.accessKeyId, r.tenants])).toEqual([
      ['DynamoDB_20120810.DescribeTable', 'AKIAFUNCTIONROLE', []],
    ]);
  });
});
