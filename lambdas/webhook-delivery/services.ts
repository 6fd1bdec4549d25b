/**
 * AWS composition of the webhook consumer, from the function's environment
 * (lib/config/runtime-env.ts WebhookDeliveryEnvSchema, what the workers stack sets):
 * - webhooks and their subscriptions from PostgreSQL through the RDS Proxy as the app login
 *   user (IAM auth tokens), every read in the event's tenant scope (RLS);
 * - signing secrets from Secrets Manager under WEBHOOK_SECRET_PREFIX (read only);
 * - the delivery log and the (event, webhook) ledger in the execution table;
 * - the URL guard (public addresses only, DNS pinned) and node:http for the receivers.
 * Loopback targets are never allowed in a deployed function (127.0.0.1 there is the Lambda
 * runtime's own API); tests pass `allowLoopback` to reach a receiver on the test machine.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDbExecutionStore } from '../../lib/adapters/aws/dynamodb-execution-store.js';
import { DynamoDbWebhookLedger } from '../../lib/adapters/aws/dynamodb-webhook-ledger.js';
import { openRdsDatabase } from '../../lib/adapters/aws/rds-database.js';
import { SecretsManagerStore } from '../../lib/adapters/aws/secrets-manager-store.js';
import { NodeHttpSender } from '../../lib/adapters/net/node-http-sender.js';
import { UrlGuard } from '../../lib/adapters/net/url-guard.js';
import { SqlWebhookStore } from '../../lib/adapters/sql/webhook-store.sql.js';
import {
  describeEnvIssues,
  WebhookDeliveryEnvSchema,
  type WebhookDeliveryEnv,
} from '../../lib/config/runtime-env.js';
import { WEBHOOK_DELIVERY } from '../../lib/config/webhooks.js';
import type { RetryPolicy } from '../../lib/services/webhook-delivery.js';
import { WebhookService } from '../../lib/services/webhooks.js';

export function webhookDeliveryEnv(env: NodeJS.ProcessEnv = process.env): WebhookDeliveryEnv {
  const parsed = WebhookDeliveryEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `The webhook delivery function's environment is incomplete: ${describeEnvIssues(parsed.error)}`,
    );
  }
  return parsed.data;
}

export interface WebhookDeliveryOptions {
  /** Tests only: let deliveries reach 127.0.0.1. @default false */
  readonly allowLoopback?: boolean;
  /** @default DEFAULT_RETRY_POLICY (3 retries after 1, 2, 4 s; 10 s per attempt) */
  readonly policy?: RetryPolicy;
  readonly clock?: () => Date;
}

export interface WebhookDeliveryRuntime {
  readonly webhooks: WebhookService;
  close(): Promise<void>;
}

export function openWebhookDelivery(
  env: WebhookDeliveryEnv,
  options: WebhookDeliveryOptions = {},
): WebhookDeliveryRuntime {
  const clock = options.clock ?? (() => new Date());
  const db = openRdsDatabase(env);
  const dynamodb = new DynamoDBClient({ region: env.AWS_REGION });
  const secretsClient = new SecretsManagerClient({ region: env.AWS_REGION });
  const tableName = env.EXECUTION_TABLE_NAME;
  const webhooks = new WebhookService({
    store: new SqlWebhookStore(db.scope),
    secrets: new SecretsManagerStore({ client: secretsClient, prefix: env.WEBHOOK_SECRET_PREFIX }),
    executions: new DynamoDbExecutionStore({ client: dynamodb, tableName, clock }),
    ledger: new DynamoDbWebhookLedger({ client: dynamodb, tableName, clock }),
    claimLeaseMs: WEBHOOK_DELIVERY.claimLeaseMs,
    guard: new UrlGuard({ allowLoopback: options.allowLoopback ?? false }),
    sender: new NodeHttpSender(),
    clock,
    sleep: (ms) => sleep(ms),
    ...(options.policy ? { policy: options.policy } : {}),
  });
  return {
    webhooks,
    close: async () => {
      dynamodb.destroy();
      secretsClient.destroy();
      await db.close();
    },
  };
}
