/**
 * The API function as Lambda runs it: `lambdas/api/handler.ts` composed from its environment
 * (DATABASE_URL, EXECUTION_TABLE_NAME, REDIS_URL), invoked with API Gateway REST events that
 * carry an authorizer context. Real PostgreSQL (TEST_DATABASE_URL) in a throw-away database,
 * dynalite through the SDK's standard AWS_ENDPOINT_URL_DYNAMODB, real Redis when
 * TEST_REDIS_URL is set. The environment checks run everywhere.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type RunningDynalite } from '../../lib/adapters/local/dynalite.js';
import { createServices } from '../../lib/http/services.js';
import { SecretsManagerStore } from '../../lib/adapters/aws/secrets-manager-store.js';
import { QueueDispatcher } from '../../lib/adapters/queue-dispatcher.js';
import { servicesConfigFromEnv } from '../../lambdas/api/services.js';
import { ObjectStoreExportSink } from '../../lib/adapters/object-store-export-sink.js';
import { startFakeS3, type FakeS3 } from '../adapters/s3/fake-s3.js';

describe('lambdas/api environment', () => {
  it('names every missing or malformed variable', () => {
    expect(() => servicesConfigFromEnv({ DATABASE_URL: 'mysql://x', REDIS_URL: 'http://r' })).toThrow(
      /DATABASE_URL: a postgres:\/\/ URL.*EXECUTION_TABLE_NAME.*REDIS_URL: a redis:\/\//,
    );
  });

  it('composes from a complete environment without bootstrapping (the stacks own tables and data)', () => {
    const cfg = servicesConfigFromEnv({
      DATABASE_URL: 'postgres://app@proxy.example:5432/glaf',
      EXECUTION_TABLE_NAME: 'glaf-executions-prod',
    });
    expect(cfg).toMatchObject({
      databaseUrl: 'postgres://app@proxy.example:5432/glaf',
      tableName: 'glaf-executions-prod',
      bootstrap: false,
      tenantExports: null,
    });
    expect(cfg).not.toHaveProperty('redisUrl');
    // Without queue URLs or a secret prefix: work runs in process, webhooks are off (503).
    expect(cfg).not.toHaveProperty('dispatcher');
    expect(cfg).not.toHaveProperty('batchDispatcher');
    expect(cfg.webhooks).toBeNull();
  });

  it('sends async work to SQS and keeps webhook secrets in Secrets Manager when configured', () => {
    const q = (name: string) => ({
      url: `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`,
      deadLetterUrl: `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}-dlq`,
    });
    const cfg = servicesConfigFromEnv({
      DATABASE_URL: 'postgres://app@proxy.example:5432/glaf',
      EXECUTION_TABLE_NAME: 'glaf-executions-prod',
      QUEUE_URLS: JSON.stringify({ P0: q('p0'), P1: q('p1'), P2: q('p2'), P3: q('p3'), batch: q('batch') }),
      WEBHOOK_SECRET_PREFIX: 'glaf/prod/webhooks',
    });
    expect(cfg.dispatcher).toBeTypeOf('function');
    expect(cfg.batchDispatcher).toBeInstanceOf(QueueDispatcher);
    expect(cfg.webhooks?.secrets).toBeInstanceOf(SecretsManagerStore);
    // A Lambda may freeze after its response: EventBridge drives deliveries, not the API function.
    expect(cfg.webhooks?.deliverEvents).toBe(false);
    const withExports = servicesConfigFromEnv({
      DATABASE_URL: 'postgres://app@proxy.example:5432/glaf',
      EXECUTION_TABLE_NAME: 'glaf-executions-prod',
      TENANT_EXPORT_BUCKET: 'glaf-prod-audit-123456789012-eu-west-1',
    });
    expect(withExports.tenantExports).toBeInstanceOf(ObjectStoreExportSink);
    expect(() =>
      servicesConfigFromEnv({
        DATABASE_URL: 'postgres://app@proxy.example:5432/glaf',
        EXECUTION_TABLE_NAME: 'glaf-executions-prod',
        QUEUE_URLS: '{not json',
        WEBHOOK_SECRET_PREFIX: 'no spaces please',
      }),
    ).toThrow(/QUEUE_URLS: must be JSON.*WEBHOOK_SECRET_PREFIX/);
  });
});

const base = process.env.TEST_DATABASE_URL;
if (!base && process.env.CI === 'true') throw new Error('CI=true but TEST_DATABASE_URL is not set');
const servers = base ? [base] : [];

describe.each(servers)('lambdas/api handler on PostgreSQL + dynalite', (baseUrl) => {
  const suffix = randomBytes(5).toString('hex');
  const dbName = `glaf_lambda_${suffix}`;
  const prefix = `glafl${suffix}`;
  let dynalite: RunningDynalite;
  let s3: FakeS3;
  let tenantId: string;
  let leavingId: string;
  const exportBucket = 'glaf-test-audit-123456789012-eu-west-1';
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
      tableName: 'glaf-exec-test',
      rolePrefix: prefix,
      dataDir: 'memory',
    });
    tenantId = (
      await boot.services.tenants.onboard({
        slug: 'lambda-co',
        name: 'Lambda Co',
        homeRegion: 'eu-west-1',
        admin: { email: 'a@lambda.example' },
      })
    ).tenant.id;
    leavingId = (
      await boot.services.tenants.onboard({
        slug: 'leaving-co',
        name: 'Leaving Co',
        homeRegion: 'eu-west-1',
        admin: { email: 'a@leaving.example' },
      })
    ).tenant.id;
    await boot.close();
    s3 = await startFakeS3([exportBucket]);
    Object.assign(process.env, {
      DATABASE_URL: u.toString(),
      // As deployed: each connection gets an RDS IAM token (signed locally; this server trusts the user).
      DB_IAM_AUTH: 'true',
      EXECUTION_TABLE_NAME: 'glaf-exec-test',
      GLAF_DB_ROLE_PREFIX: prefix,
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
      // Offboarding exports to the audit bucket (the fake S3 checks signature and checksum).
      TENANT_EXPORT_BUCKET: exportBucket,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...(process.env.TEST_REDIS_URL ? { REDIS_URL: process.env.TEST_REDIS_URL } : {}),
    });
    ({ handler } = await import('../../lambdas/api/handler.js'));
  });

  afterAll(async () => {
    process.env = saved;
    await dynalite?.close();
    await s3?.close();
    await admin(`drop database if exists ${dbName} with (force)`);
    for (const r of ['app', 'admin', 'owner']) await admin(`drop role if exists ${prefix}_${r}`);
  });

  const member = { principalType: 'user', subject: 'lambda-test', roles: 'admin', platformAdmin: 'false' };
  const event = (
    method: string,
    path: string,
    body?: unknown,
    authorizer: Record<string, string> = { ...member, tenantId },
  ): APIGatewayProxyEvent =>
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
        authorizer,
      },
    }) as unknown as APIGatewayProxyEvent;
  const ctx = {} as Context;

  it('lists agents and runs fuel-emissions synchronously', async () => {
    const list = await handler(event('GET', '/v1/agents'), ctx);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('fuel-emissions');
    const run = await handler(
      event('POST', '/v1/executions', {
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
      }),
      ctx,
    );
    expect(run.statusCode).toBe(200);
    const body = JSON.parse(run.body) as { status: string; output: { totals: { co2e_kg: number } } };
    expect(body.status).toBe('COMPLETED');
    expect(body.output.totals.co2e_kg).toBeCloseTo(2512.79, 6);
  });

  it('offboards a tenant: the export is written to the audit bucket before anything is deleted', async () => {
    const ops = { principalType: 'user', subject: 'ops', roles: '', platformAdmin: 'true', tenantId: 'null' };
    const res = await handler(event('POST', `/v1/tenants/${leavingId}/offboard`, undefined, ops), ctx);
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body) as { export_location: string; export_sha256: string };
    const prefix = `s3://${exportBucket}/offboarding/tenant_id=${leavingId}/`;
    expect(body.export_location.startsWith(prefix)).toBe(true);
    const stored = s3.objects.get(body.export_location.slice('s3://'.length));
    expect(stored?.contentType).toBe('application/json');
    expect(createHash('sha256').update(stored!.body).digest('hex')).toBe(body.export_sha256);
    expect((JSON.parse(stored!.body) as { tenantId: string }).tenantId).toBe(leavingId);
    // Only the offboarded tenant's export was written.
    expect([...s3.objects.keys()].every((k) => k.includes(`tenant_id=${leavingId}/`))).toBe(true);
  });
});
