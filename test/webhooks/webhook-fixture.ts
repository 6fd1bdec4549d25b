/**
 * Everything the webhook service runs on in tests, all real: PGlite (or PostgreSQL) with
 * the migrations and RLS, dynalite behind the DynamoDB execution store (delivery log),
 * 0600 files for secrets, node:http to a receiver on 127.0.0.1. Only sleep is recorded
 * instead of waited, and the clock is fixed, so backoff is asserted without timing.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbExecutionStore } from '../../lib/adapters/aws/dynamodb-execution-store.js';
import { ensureTable } from '../../lib/adapters/aws/dynamodb-table.js';
import { FileSecretStore } from '../../lib/adapters/local/file-secret-store.js';
import { dynaliteClient, startDynalite } from '../../lib/adapters/local/dynalite.js';
import { NodeHttpSender } from '../../lib/adapters/net/node-http-sender.js';
import { UrlGuard, type Resolver } from '../../lib/adapters/net/url-guard.js';
import { SqlWebhookStore } from '../../lib/adapters/sql/webhook-store.sql.js';
import { EXECUTION_TABLE } from '../../lib/config/execution-table.js';
import { WebhookService } from '../../lib/services/webhooks.js';
import { openTestDb, type Backend, type TestDb } from '../adapters/sql/harness.js';

export const NOW = new Date('2026-03-01T12:00:00Z');

export interface WebhookFixture {
  readonly db: TestDb;
  readonly dataDir: string;
  readonly secrets: FileSecretStore;
  readonly executions: DynamoDbExecutionStore;
  readonly sleeps: number[];
  /** A service; `allowLoopback` defaults to true (the receiver is on 127.0.0.1). */
  service(options?: { allowLoopback?: boolean; resolver?: Resolver }): WebhookService;
  newTenant(slug: string): Promise<string>;
  close(): Promise<void>;
}

export async function openWebhookFixture(backend: Backend): Promise<WebhookFixture> {
  const db = await openTestDb(backend);
  const dataDir = await mkdtemp(join(tmpdir(), 'glaf-webhooks-'));
  const dynalite = await startDynalite();
  const client = dynaliteClient(dynalite.endpoint);
  await ensureTable(client, EXECUTION_TABLE, 'executions');
  const executions = new DynamoDbExecutionStore({ client, tableName: 'executions', clock: () => NOW });
  const secrets = new FileSecretStore(dataDir);
  const store = new SqlWebhookStore(db.scope);
  const sleeps: number[] = [];
  return {
    db,
    dataDir,
    secrets,
    executions,
    sleeps,
    service: (options = {}) =>
      new WebhookService({
        store,
        secrets,
        executions,
        guard: new UrlGuard({
          allowLoopback: options.allowLoopback ?? true,
          ...(options.resolver ? { resolver: options.resolver } : {}),
        }),
        sender: new NodeHttpSender(),
        clock: () => NOW,
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
      }),
    newTenant: async (slug) => {
      const id = randomUUID();
      await db.scope.withAdmin((tx) =>
        tx.query(
          "insert into tenants (id, slug, name, tier, home_region) values ($1, $2, $2, 'pool', 'eu-west-1')",
          [id, slug],
        ),
      );
      return id;
    },
    close: async () => {
      client.destroy();
      await dynalite.close();
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
