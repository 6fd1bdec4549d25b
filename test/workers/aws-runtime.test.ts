/**
 * The worker runtime composed from the environment the workers stack sets (WorkerEnvSchema),
 * as in AWS: agents resolved through the registry over node-postgres as a login user of the
 * app role with DB_IAM_AUTH=true, the execution store on dynalite, the queues through the
 * fake SQS endpoint, the run's events through the fake EventBridge endpoint, the result
 * cache's L2 on Redis (TEST_REDIS_URL) when set.
 *
 * What cannot exist here: an RDS IAM endpoint. The token provider is the real
 * @aws-sdk/rds-signer (it signs locally from the static test credentials); the local
 * PostgreSQL trusts the login user, so it never asks for the token. The token's form is
 * checked on its own below.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbExecutionStore } from '../../lib/adapters/aws/dynamodb-execution-store.js';
import { ensureTable } from '../../lib/adapters/aws/dynamodb-table.js';
import { rdsIamPassword } from '../../lib/adapters/aws/rds-database.js';
import { SqsQueue } from '../../lib/adapters/aws/sqs-queue.js';
import { dynaliteClient, startDynalite, type RunningDynalite } from '../../lib/adapters/local/dynalite.js';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import { MemoryQueue } from '../../lib/adapters/local/memory-queue.js';
import { QueueDispatcher } from '../../lib/adapters/queue-dispatcher.js';
import { SqlAgentRegistryStore } from '../../lib/adapters/sql/agent-registry-store.js';
import { openDatabase } from '../../lib/adapters/sql/database.js';
import { openWorkerRuntime, workerEnv, type WorkerRuntime } from '../../lib/adapters/worker-runtime.js';
import { allAgents, builtinAgents } from '../../lib/agents/index.js';
import { EXECUTION_TABLE } from '../../lib/config/execution-table.js';
import type { DomainEvent } from '../../lib/domain/events/envelope.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import { AgentRegistryService } from '../../lib/services/agent-registry.js';
import { startFakeEventBridge, type FakeEventBridge } from '../events/fake-eventbridge.js';
import { startFakeSqs, type FakeSqs } from '../queues/fake-sqs.js';
// heatSpec: a tenant's own declarative agent, which only the registry in PostgreSQL knows.
import { fuelInput, heatSpec } from './harness.js';

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDTESTWORKER', AWS_SECRET_ACCESS_KEY: 'test-secret' };

describe('RDS IAM auth token provider', () => {
  it("signs a connect token for the URL's host, port and user in the given region", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, CREDENTIALS);
    try {
      const token = await rdsIamPassword(
        'postgres://glaf_api@proxy.example.eu-west-1.rds.amazonaws.com:5432/agent_factory?sslmode=verify-full',
        'eu-west-1',
      )();
      const url = new URL(`https://${token}`);
      expect(url.host).toBe('proxy.example.eu-west-1.rds.amazonaws.com:5432');
      expect(url.searchParams.get('Action')).toBe('connect');
      expect(url.searchParams.get('DBUser')).toBe('glaf_api');
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(
        /^AKIDTESTWORKER\/\d{8}\/eu-west-1\/rds-db\/aws4_request$/,
      );
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      process.env = saved;
    }
  });
});

const base = process.env.TEST_DATABASE_URL;
if (!base && process.env.CI === 'true') throw new Error('CI=true but TEST_DATABASE_URL is not set');
const servers = base ? [base] : [];

describe.each(servers)('worker runtime from its AWS environment (PostgreSQL %s)', (baseUrl) => {
  const suffix = randomBytes(5).toString('hex');
  const dbName = `glaf_worker_${suffix}`;
  const prefix = `glafw${suffix}`;
  const login = `${prefix}_api`;
  let tenant: string;
  const saved = { ...process.env };
  let dynalite: RunningDynalite;
  let sqs: FakeSqs;
  let eventBridge: FakeEventBridge;
  const events: DomainEvent[] = [];
  let env: NodeJS.ProcessEnv;
  let rt: WorkerRuntime | undefined;

  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const urlOf = (user?: string) => {
    const u = new URL(baseUrl);
    u.pathname = `/${dbName}`;
    if (user) {
      u.username = user;
      u.password = '';
    }
    return u.toString();
  };

  beforeAll(async () => {
    await admin(`create database ${dbName}`);
    // What the migration custom resource does in AWS: schema, roles, platform agents.
    const boot = await openDatabase({ databaseUrl: urlOf(), rolePrefix: prefix });
    try {
      const registry = new AgentRegistryService({
        store: new SqlAgentRegistryStore(boot.scope),
        context: { factors: FactorCatalogue.builtin() },
        builtins: builtinAgents(),
      });
      await registry.registerPlatformAgents(allAgents());
      const { rows } = await boot.scope.withAdmin((tx) =>
        tx.query<{ id: string }>(
          `insert into tenants (slug, name, tier, home_region) values ('aws-worker', 'aws-worker', 'pool', 'eu-west-1') returning id`,
        ),
      );
      tenant = rows[0]!.id;
      await registry.createAgent(tenant, { name: 'site-heat' });
      await registry.publishVersion(tenant, 'site-heat', {
        version: '1.1.0',
        manifest: heatSpec,
        goldenTests: [{ name: 'two MWh', input: { mwh: 2 }, expected: { kg_co2e: 359.3 } }],
      });
      await registry.promote(tenant, 'site-heat', '1.1.0', 'experimental');
    } finally {
      await boot.close();
    }
    // The login user of the app role (no BYPASSRLS), as lambdas/migrate creates it.
    await admin(`create role ${login} login in role ${prefix}_app`);

    dynalite = await startDynalite();
    const dynamo = dynaliteClient(dynalite.endpoint);
    await ensureTable(dynamo, EXECUTION_TABLE, 'executions');
    dynamo.destroy();
    sqs = await startFakeSqs(new MemoryQueue());
    const bus = new MemoryBus();
    bus.subscribe('*', (e) => void events.push(e));
    eventBridge = await startFakeEventBridge(bus);
    // The SDK's standard per-service endpoint variable; credentials for the signer and the client.
    Object.assign(process.env, CREDENTIALS, {
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    env = {
      EXECUTION_TABLE_NAME: 'executions',
      QUEUE_URLS: JSON.stringify(sqs.urls),
      AWS_REGION: 'eu-west-1',
      DYNAMODB_ENDPOINT: dynalite.endpoint,
      SQS_ENDPOINT: sqs.endpoint,
      DATABASE_URL: urlOf(login),
      DB_IAM_AUTH: 'true',
      GLAF_DB_ROLE_PREFIX: prefix,
      EVENT_BUS_NAME: 'glaf-test-bus',
      ...(process.env.TEST_REDIS_URL ? { REDIS_URL: process.env.TEST_REDIS_URL } : {}),
    };
  });

  afterAll(async () => {
    await rt?.close();
    process.env = saved;
    await eventBridge?.close();
    await sqs?.close();
    await dynalite?.close();
    await admin(`drop database if exists ${dbName} with (force)`);
    for (const r of ['api', 'app', 'admin', 'owner']) await admin(`drop role if exists ${prefix}_${r}`);
  });

  it('reads the environment the stack sets: IAM auth on, the role prefix, the bus', () => {
    const parsed = workerEnv(env);
    expect(parsed).toMatchObject({
      DB_IAM_AUTH: 'true',
      GLAF_DB_ROLE_PREFIX: prefix,
      EVENT_BUS_NAME: 'glaf-test-bus',
      DATABASE_URL: urlOf(login),
    });
  });

  it('runs a queued execution with the agent from the registry and announces it on EventBridge', async () => {
    rt = await openWorkerRuntime(workerEnv(env));
    const client = dynaliteClient(dynalite.endpoint);
    const producer = sqs.client();
    try {
      const store = new DynamoDbExecutionStore({ client, tableName: 'executions' });
      const { execution } = await store.create(tenant, {
        agentId: 'fuel-emissions',
        agentVersion: '1.0.0',
        input: fuelInput,
      });
      await new QueueDispatcher(new SqsQueue({ client: producer, urls: sqs.urls })).dispatch(
        tenant,
        execution.executionId,
        'P1',
      );
      const [message] = await rt.queue.receive('P1');
      expect(await rt.worker.handle(message!)).toMatchObject({ outcome: 'completed', delete: true });
      expect(await store.get(tenant, execution.executionId)).toMatchObject({ status: 'COMPLETED' });

      const mine = events.filter((e) => e.tenantId === tenant);
      expect(mine.map((e) => e.type)).toEqual(['execution.started', 'execution.completed']);
      expect(mine[1]!.detail).toMatchObject({ executionId: execution.executionId, fromCache: false });
      expect(eventBridge.targets.every((t) => t === 'AWSEvents.PutEvents')).toBe(true);
    } finally {
      client.destroy();
      producer.destroy();
    }
  });

  it("runs the tenant's own agent, read through the app login user under RLS", async () => {
    rt ??= await openWorkerRuntime(workerEnv(env));
    const client = dynaliteClient(dynalite.endpoint);
    const producer = sqs.client();
    try {
      const store = new DynamoDbExecutionStore({ client, tableName: 'executions' });
      const submit = async (agentVersion: string) => {
        const { execution } = await store.create(tenant, {
          agentId: 'site-heat',
          agentVersion,
          input: { mwh: 2 },
        });
        await new QueueDispatcher(new SqsQueue({ client: producer, urls: sqs.urls })).dispatch(
          tenant,
          execution.executionId,
          'P2',
        );
        const [message] = await rt!.queue.receive('P2');
        return { id: execution.executionId, result: await rt!.worker.handle(message!) };
      };
      const heat = await submit('1.1.0');
      expect(heat.result.outcome).toBe('completed');
      const done = await store.get(tenant, heat.id);
      expect(done).toMatchObject({ status: 'COMPLETED', output: { kwh: 2000 } });
      expect((done.output as { kg_co2e: number }).kg_co2e).toBeCloseTo(359.3, 9);
      // A version the registry does not hold is not found (retried, then failed).
      expect((await submit('9.9.9')).result.outcome).toBe('retry');
    } finally {
      client.destroy();
      producer.destroy();
    }
  });

  it.runIf(process.env.TEST_REDIS_URL)(
    'shares results through the Redis L2: a fresh runtime serves a repeated input from it',
    async () => {
      const client = dynaliteClient(dynalite.endpoint);
      const producer = sqs.client();
      // An input no earlier run can have cached (the Redis server outlives test runs).
      const input = { mwh: 1 + randomBytes(3).readUIntBE(0, 3) / 1_000 };
      const runOn = async (runtime: WorkerRuntime) => {
        const store = new DynamoDbExecutionStore({ client, tableName: 'executions' });
        const { execution } = await store.create(tenant, {
          agentId: 'site-heat',
          agentVersion: '1.1.0',
          input,
        });
        await new QueueDispatcher(new SqsQueue({ client: producer, urls: sqs.urls })).dispatch(
          tenant,
          execution.executionId,
          'P3',
        );
        const [message] = await runtime.queue.receive('P3');
        expect((await runtime.worker.handle(message!)).outcome).toBe('completed');
        return store.get(tenant, execution.executionId);
      };
      const first = await openWorkerRuntime(workerEnv(env));
      const second = await openWorkerRuntime(workerEnv(env));
      try {
        expect((await runOn(first)).servedFromCache).not.toBe(true);
        // The second runtime's L1 is empty: the hit can only come from Redis.
        const again = await runOn(second);
        expect(again).toMatchObject({ status: 'COMPLETED', servedFromCache: true });
        expect((again.output as { kwh: number }).kwh).toBeCloseTo(input.mwh * 1000, 6);
      } finally {
        await first.close();
        await second.close();
        client.destroy();
        producer.destroy();
      }
    },
  );
});
