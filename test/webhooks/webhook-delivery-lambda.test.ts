/**
 * lambdas/webhook-delivery as Lambda runs it: composed from WebhookDeliveryEnvSchema against a
 * real PostgreSQL (fresh database, the migrations, the app login user with DB_IAM_AUTH=true
 * as deployed; the local server trusts that user, so the locally signed token is never asked
 * for), dynalite for the delivery log and the ledger, a fake Secrets Manager (JSON protocol)
 * holding the signing secrets, and a real receiver on 127.0.0.1. The records are what the
 * EventBridge rule puts on the queue: its envelope with the platform's event as `detail`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../lib/adapters/aws/dynamodb-table.js';
import { dynaliteClient, startDynalite, type RunningDynalite } from '../../lib/adapters/local/dynalite.js';
import { FileSecretStore } from '../../lib/adapters/local/file-secret-store.js';
import { openDatabase } from '../../lib/adapters/sql/database.js';
import { EXECUTION_TABLE } from '../../lib/config/execution-table.js';
import { WEBHOOK_DELIVERY } from '../../lib/config/webhooks.js';
import { EVENT_SOURCE } from '../../lib/domain/events/catalogue.js';
import { createEvent, type DomainEvent } from '../../lib/domain/events/envelope.js';
import { verifyWebhookSignature, SIGNATURE_HEADER } from '../../lib/domain/webhook-signature.js';
import { DEFAULT_RETRY_POLICY } from '../../lib/services/webhook-delivery.js';
import { createWebhookDeliveryHandler, eventOfRecord } from '../../lambdas/webhook-delivery/handler.js';
import {
  openWebhookDelivery,
  webhookDeliveryEnv,
  type WebhookDeliveryRuntime,
} from '../../lambdas/webhook-delivery/services.js';
import { startFakeSecretsManager, type FakeSecretsManager } from './fake-secrets-manager.js';
import { startReceiver, type Receiver } from './receiver.js';

const completed = (tenantId: string): DomainEvent =>
  createEvent('execution.completed', tenantId, {
    executionId: randomUUID(),
    agentId: 'fuel-emissions',
    agentVersion: '1.0.0',
    at: new Date().toISOString(),
  });

/** The EventBridge envelope the rule's SQS target receives (detail = the whole DomainEvent). */
const envelopeOf = (event: DomainEvent) =>
  JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': event.type,
    source: EVENT_SOURCE,
    account: '123456789012',
    time: event.time,
    region: 'eu-west-1',
    resources: [],
    detail: event,
  });

let n = 0;
function sqsEvent(...bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body) => ({
      messageId: `m-${++n}`,
      receiptHandle: `r-${n}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'events.amazonaws.com',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:glaf-dev-webhooks',
      awsRegion: 'eu-west-1',
    })),
  };
}

describe('webhook delivery consumer: records and sizing', () => {
  it('turns an EventBridge record back into the DomainEvent and refuses anything else', () => {
    const event = completed(randomUUID());
    expect(eventOfRecord(envelopeOf(event))).toEqual(event);
    expect(() => eventOfRecord('not json')).toThrow(/not JSON/);
    expect(() =>
      eventOfRecord(JSON.stringify({ source: 'aws.s3', 'detail-type': 'x', detail: {} })),
    ).toThrow();
    const mismatched = JSON.parse(envelopeOf(event)) as Record<string, unknown>;
    mismatched['detail-type'] = 'execution.failed';
    expect(() => eventOfRecord(JSON.stringify(mismatched))).toThrow(/does not match/);
    const tampered = JSON.parse(envelopeOf(event)) as { detail: { detail: Record<string, unknown> } };
    tampered.detail.detail['extra'] = 'leak';
    expect(() => eventOfRecord(JSON.stringify(tampered))).toThrow(/extra/);
  });

  it('the function timeout and the claim lease cover the longest delivery of the retry policy', () => {
    const p = DEFAULT_RETRY_POLICY;
    const dnsMs = 5_000; // UrlGuard's resolve timeout
    let backoff = 0;
    for (let r = 1; r <= p.retries; r++) backoff += p.baseDelayMs * 2 ** (r - 1);
    const longest = (p.retries + 1) * (dnsMs + p.timeoutMs) + backoff;
    expect(longest).toBeLessThan(WEBHOOK_DELIVERY.timeoutSeconds * 1000 - 10_000);
    expect(WEBHOOK_DELIVERY.claimLeaseMs).toBeGreaterThanOrEqual(WEBHOOK_DELIVERY.timeoutSeconds * 1000);
    expect(WEBHOOK_DELIVERY.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
      6 * WEBHOOK_DELIVERY.timeoutSeconds,
    );
  });

  it('names every missing variable of its environment', () => {
    expect(() => webhookDeliveryEnv({ DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL: a postgres:\/\/ URL.*EXECUTION_TABLE_NAME.*WEBHOOK_SECRET_PREFIX/,
    );
  });
});

const base = process.env.TEST_DATABASE_URL;
if (!base && process.env.CI === 'true') throw new Error('CI=true but TEST_DATABASE_URL is not set');
const servers = base ? [base] : [];

describe.each(servers)(
  'webhook delivery Lambda on PostgreSQL + dynalite (%s)',
  { timeout: 60_000 },
  (baseUrl) => {
    const suffix = randomBytes(5).toString('hex');
    const dbName = `glaf_hooks_${suffix}`;
    const prefix = `glafh${suffix}`;
    const login = `${prefix}_api`;
    const saved = { ...process.env };
    let dynalite: RunningDynalite;
    let secretsDir: string;
    let fakeSm: FakeSecretsManager;
    let env: NodeJS.ProcessEnv;
    let rt: WebhookDeliveryRuntime;
    let A: string;
    let B: string;
    const receivers: Receiver[] = [];
    const logged: { level: string; message: string; attrs: unknown }[] = [];
    const record =
      (level: string) =>
      (...args: unknown[]): void =>
        void logged.push({ level, message: String(args[0]), attrs: args[1] });
    const logger = { warn: record('warn'), error: record('error') };

    const admin = async (sql: string, params: unknown[] = []) => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        return await c.query<{ id: string }>(sql, params);
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
    const receiver = async (statuses: number[] = [200]) => {
      const r = await startReceiver(statuses);
      receivers.push(r);
      return r;
    };

    beforeAll(async () => {
      await admin(`create database ${dbName}`);
      // What the migration custom resource does in AWS: schema and roles; then two tenants.
      const boot = await openDatabase({ databaseUrl: urlOf(), rolePrefix: prefix });
      try {
        const tenant = async (slug: string) =>
          (
            await boot.scope.withAdmin((tx) =>
              tx.query<{ id: string }>(
                `insert into tenants (slug, name, tier, home_region) values ($1, $1, 'pool', 'eu-west-1') returning id`,
                [slug],
              ),
            )
          ).rows[0]!.id;
        A = await tenant('hooks-a');
        B = await tenant('hooks-b');
      } finally {
        await boot.close();
      }
      await admin(`create role ${login} login in role ${prefix}_app`);
      dynalite = await startDynalite();
      const dynamo = dynaliteClient(dynalite.endpoint);
      await ensureTable(dynamo, EXECUTION_TABLE, 'executions');
      dynamo.destroy();
      secretsDir = await mkdtemp(join(tmpdir(), 'glaf-sm-'));
      fakeSm = await startFakeSecretsManager(new FileSecretStore(secretsDir));
      // The SDK's standard per-service endpoint variables; static credentials for the signers.
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: 'AKIDTESTHOOKS',
        AWS_SECRET_ACCESS_KEY: 'test-secret',
        AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: fakeSm.endpoint,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      });
      // What the workers stack sets (test/stacks/runtime-env.test.ts checks the synthesized one).
      env = {
        DATABASE_URL: urlOf(login),
        DB_IAM_AUTH: 'true',
        GLAF_DB_ROLE_PREFIX: prefix,
        AWS_REGION: 'eu-west-1',
        EXECUTION_TABLE_NAME: 'executions',
        WEBHOOK_SECRET_PREFIX: 'glaf/test/webhooks',
      };
      rt = openWebhookDelivery(webhookDeliveryEnv(env), {
        allowLoopback: true,
        policy: { retries: 3, baseDelayMs: 20, timeoutMs: 5_000 },
      });
    });

    afterAll(async () => {
      await rt?.close();
      for (const r of receivers) await r.close();
      process.env = saved;
      await fakeSm?.close();
      await dynalite?.close();
      if (secretsDir) await rm(secretsDir, { recursive: true, force: true });
      await admin(`drop database if exists ${dbName} with (force)`);
      for (const r of ['api', 'app', 'admin', 'owner']) await admin(`drop role if exists ${prefix}_${r}`);
    });

    it("500, 500, then 200: delivered once, signed with the tenant's secret, every attempt logged; another tenant's webhook hears nothing", async () => {
      const [mine, theirs] = [await receiver([500, 500, 200]), await receiver()];
      const { webhook, secret } = await rt.webhooks.register(A, {
        url: mine.url,
        events: ['execution.completed'],
      });
      await rt.webhooks.register(B, { url: theirs.url, events: ['*'] });
      expect(fakeSm.calls.filter((c) => c.target === 'CreateSecret').map((c) => c.body['Name'])).toEqual([
        expect.stringMatching(new RegExp(`^glaf/test/webhooks/${A}/`)),
        expect.stringMatching(new RegExp(`^glaf/test/webhooks/${B}/`)),
      ]);
      const handler = createWebhookDeliveryHandler({ webhooks: rt.webhooks, logger });
      const event = completed(A);

      expect(await handler(sqsEvent(envelopeOf(event)))).toEqual({ batchItemFailures: [] });

      expect(mine.requests).toHaveLength(3);
      const last = mine.requests[2]!;
      expect(JSON.parse(last.body)).toEqual(event);
      expect(last.headers['glaf-event-id']).toBe(event.id);
      expect(
        verifyWebhookSignature(last.body, String(last.headers[SIGNATURE_HEADER.toLowerCase()]), secret),
      ).toMatchObject({ ok: true });
      expect(theirs.requests).toHaveLength(0);
      const log = await rt.webhooks.listDeliveries(A, webhook.id);
      expect(log.items.map((d) => [d.eventId, d.attempt, d.outcome, d.responseStatus])).toEqual([
        [event.id, 3, 'delivered', 200],
        [event.id, 2, 'failed', 500],
        [event.id, 1, 'failed', 500],
      ]);
    });

    it('a redelivered message, or the same event published twice, sends nothing more', async () => {
      const rx = await receiver();
      const { webhook } = await rt.webhooks.register(A, { url: rx.url, events: ['execution.completed'] });
      const handler = createWebhookDeliveryHandler({ webhooks: rt.webhooks, logger });
      const event = completed(A);
      const body = envelopeOf(event);

      expect(await handler(sqsEvent(body))).toEqual({ batchItemFailures: [] });
      // SQS redelivers the record; the stream processor publishes the same event id again.
      expect(await handler(sqsEvent(body))).toEqual({ batchItemFailures: [] });
      expect(await handler(sqsEvent(envelopeOf(event)))).toEqual({ batchItemFailures: [] });

      expect(rx.requests).toHaveLength(1);
      expect((await rt.webhooks.listDeliveries(A, webhook.id)).items).toHaveLength(1);
    });

    it('two copies in flight at once: one sends, the other is kept on the queue and later finds it settled', async () => {
      const rx = await receiver();
      await rt.webhooks.register(B, { url: rx.url, events: ['execution.completed'] });
      const handler = createWebhookDeliveryHandler({ webhooks: rt.webhooks, logger });
      const event = completed(B);

      const [first, second] = await Promise.all([
        handler(sqsEvent(envelopeOf(event))),
        handler(sqsEvent(envelopeOf(event))),
      ]);
      const kept = [...first.batchItemFailures, ...second.batchItemFailures];
      expect(kept.length).toBeLessThanOrEqual(1); // kept only if it met the other's live claim
      expect(await handler(sqsEvent(envelopeOf(event)))).toEqual({ batchItemFailures: [] });
      expect(rx.requests).toHaveLength(1);
    });

    it('keeps a record that is not a platform event, and one whose delivery could not run', async () => {
      const handler = createWebhookDeliveryHandler({ webhooks: rt.webhooks, logger });
      const bad = sqsEvent('{"source":"aws.s3","detail-type":"Object Created","detail":{}}');
      expect((await handler(bad)).batchItemFailures).toEqual([{ itemIdentifier: bad.Records[0]!.messageId }]);

      const failing = createWebhookDeliveryHandler({
        webhooks: { dispatch: () => Promise.reject(new Error('proxy unreachable')) },
        logger,
      });
      const down = sqsEvent(envelopeOf(completed(A)), envelopeOf(completed(A)));
      expect((await failing(down)).batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
        down.Records.map((r) => r.messageId),
      );
      expect(logged.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(
        expect.arrayContaining([
          'Not a platform event; kept for the dead-letter queue',
          'Webhook delivery could not run; SQS will redeliver the event',
        ]),
      );
    });

    it('the deployed entry (env from the process, no loopback) keeps the SSRF guard: a loopback target is never called', async () => {
      const rx = await receiver();
      const { webhook } = await rt.webhooks.register(A, { url: rx.url, events: ['execution.completed'] });
      Object.assign(process.env, env);
      const { handler } = await import('../../lambdas/webhook-delivery/handler.js');

      expect(await handler(sqsEvent(envelopeOf(completed(A))))).toEqual({ batchItemFailures: [] });

      expect(rx.requests).toHaveLength(0);
      const [attempt] = (await rt.webhooks.listDeliveries(A, webhook.id)).items;
      expect(attempt).toMatchObject({ attempt: 1, outcome: 'failed' });
      expect(attempt).not.toHaveProperty('responseStatus');
    });
  },
);
