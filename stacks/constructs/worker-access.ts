/**
 * What a worker (Lambda or Fargate task) may touch, granted the same way for both fleets:
 * consume the P0..P3 queues (and the batch queue, for the fleet that consumes it), the execution-table item actions the worker's store uses (no
 * Query, Scan, DeleteItem or batch writes), PutEvents on the region's bus, and IAM-authenticated
 * connections to the RDS Proxy as the app login user (RLS applies; never the admin user).
 * The environment it returns is typed by the runtime's schema (lib/config/runtime-env.ts
 * WorkerEnvSchema, what lib/adapters/worker-runtime.ts parses), so the names cannot drift.
 */
import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { LAMBDA_QUEUE_VISIBILITY_SECONDS, PRIORITIES } from '../../lib/config/queues.js';
import type { Priority, QueueName } from '../../lib/config/queues.js';
import { iamDatabaseEnv, type EnvOf, type WorkerEnvSchema } from '../../lib/config/runtime-env.js';
import { VALKEY_PORT } from './valkey-cache.js';

/** The execution store's calls on the worker path (get, claim/complete writes): nothing wider. */
export const WORKER_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

/** DynamoDB uses the table's CMK on the caller's behalf: these, without wildcards. */
export const WORKER_TABLE_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:DescribeKey',
] as const;

export interface WorkerQueue {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
}

export interface WorkerResources {
  /** P0..P3, and the batch queue for a fleet that consumes it too (the Lambda fleet). */
  readonly queues: Readonly<Record<Priority, WorkerQueue>> & { readonly batch?: WorkerQueue };
  readonly table: dynamodb.ITableV2;
  /** The table's CMK (DynamoDB encrypts and decrypts items with it on the caller's behalf). */
  readonly tableKey: kms.IKey;
  readonly bus: events.IEventBus;
  /** RDS Proxy and the login user of the app role; absent where there is no writer (secondary region). */
  readonly database?: {
    readonly proxy: rds.IDatabaseProxy;
    readonly port: number;
    readonly user: string;
    readonly name: string;
    /** Role names in the database (config.aurora.rolePrefix). */
    readonly rolePrefix: string;
  };
  /** Valkey endpoint address (TLS only). */
  readonly cacheEndpoint: string;
}

export function grantWorker(role: iam.IGrantable, r: WorkerResources): void {
  for (const p of PRIORITIES) r.queues[p].queue.grantConsumeMessages(role);
  r.queues.batch?.queue.grantConsumeMessages(role);
  // The table itself only: the worker never queries an index.
  iam.Grant.addToPrincipal({
    grantee: role,
    actions: [...WORKER_TABLE_ACTIONS],
    resourceArns: [r.table.tableArn],
  });
  r.tableKey.grant(role, ...WORKER_TABLE_KEY_ACTIONS);
  r.bus.grantPutEventsTo(role);
  r.database?.proxy.grantConnect(role, r.database.user);
}

/** The worker runtime's environment (values may be tokens; QUEUE_URLS is JSON). */
export function workerEnvironment(scope: Construct, r: WorkerResources): EnvOf<typeof WorkerEnvSchema> {
  const stack = Stack.of(scope);
  const consumed: [QueueName, WorkerQueue][] = PRIORITIES.map((p) => [p, r.queues[p]]);
  if (r.queues.batch) consumed.push(['batch', r.queues.batch]);
  const urls = Object.fromEntries(
    consumed.map(([name, q]) => [name, { url: q.queue.queueUrl, deadLetterUrl: q.deadLetterQueue.queueUrl }]),
  );
  return {
    EXECUTION_TABLE_NAME: r.table.tableName,
    QUEUE_URLS: stack.toJsonString(urls),
    // Heartbeats extend by the queues' real visibility (6 x the Lambda timeout), never shorten it.
    VISIBILITY_TIMEOUT_SECONDS: String(LAMBDA_QUEUE_VISIBILITY_SECONDS),
    EVENT_BUS_NAME: r.bus.eventBusName,
    REDIS_URL: `rediss://${r.cacheEndpoint}:${VALKEY_PORT}`,
    // Tenant agents from the registry, logging in with IAM auth tokens; none in a secondary region.
    ...(r.database ? iamDatabaseEnv({ ...r.database, host: r.database.proxy.endpoint }) : {}),
  };
}
