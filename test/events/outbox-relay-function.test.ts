/**
 * The AWS outbox relay function (lambdas/outbox-relay) composed from its environment as
 * deployed: real PostgreSQL in a throw-away database (TEST_DATABASE_URL) logged in to with an
 * RDS IAM token (signed locally; the test server trusts the user), EventBridge through the
 * SDK's own AWS_ENDPOINT_URL_EVENTBRIDGE pointed at the fake endpoint, which checks the wire
 * protocol and hands accepted entries to an in-process subscriber. With MSK configured against
 * the fake SASL listener (no broker here), the MSK side fails after the IAM handshake and the
 * rows stay pending although EventBridge took them: a failure on either bus is reported.
 * The environment checks run everywhere.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler, relayEnv, runRelay } from '../../lambdas/outbox-relay/handler.js';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import { openDatabase, type Database } from '../../lib/adapters/sql/database.js';
import { SqlAgentRegistryStore } from '../../lib/adapters/sql/agent-registry-store.js';
import { SqlOutbox } from '../../lib/adapters/sql/outbox.sql.js';
import { SqlTenantStore } from '../../lib/adapters/sql/tenant-store.sql.js';
import { builtinAgents } from '../../lib/agents/index.js';
import type { DomainEvent } from '../../lib/domain/events/envelope.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import { AgentRegistryService } from '../../lib/services/agent-registry.js';
import { TenantService } from '../../lib/services/tenants.js';
import { startFakeEventBridge, type FakeEventBridge } from './fake-eventbridge.js';
import { startFakeSaslBroker } from './fake-kafka-sasl.js';

describe('outbox relay function environment', () => {
  it('names every missing or malformed variable, and defaults the timings', () => {
    expect(() =>
      relayEnv({ DATABASE_URL: 'mysql://x', MSK_BOOTSTRAP_BROKERS: 'no-port', RELAY_POLL_MS: '5' }),
    ).toThrow(
      /DATABASE_URL: a postgres:\/\/ URL.*EVENT_BUS_NAME.*MSK_BOOTSTRAP_BROKERS: host:port.*RELAY_POLL_MS/,
    );
    const env = relayEnv({
      DATABASE_URL: 'postgres://glaf_control@proxy.example:5432/glaf',
      EVENT_BUS_NAME: 'glaf-prod',
      MSK_BOOTSTRAP_BROKERS: 'b-1.msk.example:9098,b-2.msk.example:9098',
    });
    expect(env).toMatchObject({ RELAY_DRAIN_SECONDS: 50, RELAY_POLL_MS: 1000, DB_IAM_AUTH: 'false' });
  });
});

const base = process.env.TEST_DATABASE_URL;
if (!base && process.env.CI === 'true') throw new Error('CI=true but TEST_DATABASE_URL is not set');

describe.each(base ? [base] : [])('outbox relay function on PostgreSQL + fake EventBridge', (baseUrl) => {
  const suffix = randomBytes(5).toString('hex');
  const dbName = `glaf_relay_${suffix}`;
  const prefix = `glafr${suffix}`;
  const saved = { ...process.env };
  let db: Database;
  let url: string;
  let fake: FakeEventBridge;
  let seen: DomainEvent[];
  let tenants: TenantService;
  let registry: AgentRegistryService;

  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const pending = async () => (await new SqlOutbox(db.scope).pending()).map((e) => e.type);
  const onboard = async (slug: string) =>
    (
      await tenants.onboard({
        slug,
        name: slug,
        homeRegion: 'eu-west-1',
        admin: { email: `a@${slug}.example` },
      })
    ).tenant.id;

  beforeAll(async () => {
    await admin(`create database ${dbName}`);
    const u = new URL(baseUrl);
    u.pathname = `/${dbName}`;
    url = u.toString();
    db = await openDatabase({ databaseUrl: url, rolePrefix: prefix });
    tenants = new TenantService(new SqlTenantStore(db.scope));
    registry = new AgentRegistryService({
      store: new SqlAgentRegistryStore(db.scope),
      context: { factors: FactorCatalogue.builtin() },
      builtins: builtinAgents(),
    });
    const bus = new MemoryBus();
    seen = [];
    bus.subscribe('*', (e) => void seen.push(e));
    fake = await startFakeEventBridge(bus);
    Object.assign(process.env, {
      DATABASE_URL: url,
      DB_IAM_AUTH: 'true',
      GLAF_DB_ROLE_PREFIX: prefix,
      EVENT_BUS_NAME: 'glaf-test-bus',
      AWS_ENDPOINT_URL_EVENTBRIDGE: fake.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret-test',
      RELAY_DRAIN_SECONDS: '1',
      RELAY_POLL_MS: '50',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    delete process.env.MSK_BOOTSTRAP_BROKERS;
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    await fake?.close();
    await db?.close();
    await admin(`drop database if exists ${dbName} with (force)`);
    for (const r of ['app', 'admin', 'owner', 'control']) await admin(`drop role if exists ${prefix}_${r}`);
  });

  it('publishes tenant and agent events to EventBridge and marks them', { timeout: 60_000 }, async () => {
    // Prepare
    const tenantId = await onboard('relay-fn');
    await registry.createAgent(tenantId, { name: 'site-heat', displayName: 'Site heat' });
    expect(await pending()).toEqual(['tenant.created', 'agent.created']);
    // Act
    const run = await handler({ job: 'ignored' }, { getRemainingTimeInMillis: () => 60_000 });
    // Assess
    expect(run).toMatchObject({ marked: 2, failedRounds: 0, targets: ['eventbridge'] });
    expect(run.drainedMs).toBeGreaterThanOrEqual(1_000);
    expect(await pending()).toEqual([]);
    expect(fake.targets.every((t) => t === 'AWSEvents.PutEvents')).toBe(true);
    expect(seen.map((e) => [e.type, e.tenantId, e.detail])).toEqual([
      ['tenant.created', tenantId, { tenantId, slug: 'relay-fn', tier: 'pool', homeRegion: 'eu-west-1' }],
      ['agent.created', tenantId, { agentId: 'site-heat', kind: 'declarative', displayName: 'Site heat' }],
    ]);
  });

  it(
    'drains no longer than the invocation has left (minus the safety margin)',
    { timeout: 30_000 },
    async () => {
      const started = Date.now();
      const run = await handler({}, { getRemainingTimeInMillis: () => 8_200 });
      expect(run.drainedMs).toBeLessThan(1_000);
      expect(Date.now() - started).toBeLessThan(5_000);
    },
  );

  it(
    'with MSK configured, a failed MSK publish keeps the rows pending although EventBridge took them',
    { timeout: 60_000 },
    async () => {
      // Prepare
      const broker = await startFakeSaslBroker();
      const tenantId = await onboard('relay-msk');
      seen.length = 0;
      try {
        const env = relayEnv({ ...process.env, MSK_BOOTSTRAP_BROKERS: broker.broker });
        // Act
        const run = await runRelay(env, 1_000, {
          msk: {
            tls: false,
            retries: 0,
            generateToken: () => Promise.resolve({ token: 'iam-token', expiryTime: 0 }),
          },
          mskDeadlineMs: 2_000,
        });
        // Assess: the producer authenticated with the IAM token, then failed; EventBridge got the event.
        expect(run.targets).toEqual(['eventbridge', 'msk']);
        expect(await broker.firstAuth).toBe('n,,\u0001auth=Bearer iam-token\u0001\u0001');
        expect(run.marked).toBe(0);
        expect(await pending()).toEqual(['tenant.created']);
        expect(seen.filter((e) => e.tenantId === tenantId).map((e) => e.type)).toContain('tenant.created');
      } finally {
        await broker.close();
      }
      // Positive control: EventBridge alone takes it and the row is marked.
      const run = await runRelay(relayEnv(), 500);
      expect(run.marked).toBe(1);
      expect(await pending()).toEqual([]);
    },
  );

  it(
    'fails the invocation when not one round got through (the database is unreachable)',
    { timeout: 60_000 },
    async () => {
      process.env.DATABASE_URL = 'postgres://nobody@127.0.0.1:1/none';
      process.env.DB_IAM_AUTH = 'false';
      try {
        await expect(handler({}, { getRemainingTimeInMillis: () => 9_500 })).rejects.toThrow(
          /all \d+ rounds failed/,
        );
      } finally {
        process.env.DATABASE_URL = url;
        process.env.DB_IAM_AUTH = 'true';
      }
    },
  );
});
