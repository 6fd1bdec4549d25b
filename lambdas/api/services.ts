/**
 * AWS composition of the API's services, from the function's environment. Created once per
 * execution environment (module scope) and reused by every warm invocation.
 *
 * The variables are lib/config/runtime-env.ts's ApiEnvSchema (the API stack sets exactly those):
 * - DATABASE_URL: postgres:// URL of the RDS Proxy in front of Aurora as the API's login user,
 *   no password: with DB_IAM_AUTH=true each new connection logs in with an RDS IAM auth token.
 *   No migrations here (the migration custom resource owns the schema) and no PGlite.
 * - EXECUTION_TABLE_NAME: the DynamoDB execution table (the stack owns and creates it).
 * - REDIS_URL: optional rediss:// URL of ElastiCache (Valkey); absent = in-process limiter
 *   (per execution environment only: set REDIS_URL in every deployed environment).
 * - QUEUE_URLS: optional JSON {"P0":{"url","deadLetterUrl"},...,"batch":{...}} (the stack's
 *   queues): async executions go to their priority's SQS queue and batch items to the batch
 *   queue, since a frozen Lambda cannot run work after its response; backpressure reads each
 *   queue's depth (GetQueueAttributes, remembered 1 s). Absent = in process.
 * - WEBHOOK_SECRET_PREFIX (+ optional WEBHOOK_SECRET_KMS_KEY_ID): webhook signing secrets in
 *   Secrets Manager under this name prefix; absent = no webhooks (their routes answer 503).
 *   Events are delivered from EventBridge (a rule -> SQS -> lambdas/webhook-delivery), not from
 *   the API function.
 * - TENANT_ROLE_ARN: the tenant role (stacks/constructs/tenant-role.ts). Set: every execution
 *   table call about a tenant is signed with that tenant's session of the role, assumed with the
 *   session tag tenant_id = the tenant and checked against the request's verified tenant, so IAM
 *   (dynamodb:LeadingKeys) confines it to the tenant's partition. STS is reached at the
 *   region's endpoint (AWS_ENDPOINT_URL_STS, which the SDK reads itself, overrides it).
 *   Absent = the function's own credentials for every tenant (local runs only).
 * - EVENT_BUS_NAME: the region's bus; the API's events (execution.created, quota.exceeded, the
 *   status events of runs done inline) go there too, awaited before the response. Absent = the
 *   in-process bus only.
 * - TENANT_EXPORT_BUCKET: the Object Lock audit bucket; offboarding writes each tenant's export
 *   under `offboarding/tenant_id=<id>/` before it deletes anything. Absent = offboarding answers 503.
 * - USAGE_REST_API_ID + USAGE_STAGE_NAME: the REST API stage whose usage plans hold the
 *   tenants' keys (stacks/constructs/usage-plans.ts): onboarding provisions the new tenant's
 *   key at once, best effort. Absent = the tenant.created event alone provisions it.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { ApiGatewayUsageKeys } from '../../lib/adapters/aws/apigateway-usage-keys.js';
import { EventBridgeBus } from '../../lib/adapters/aws/eventbridge-bus.js';
import { openRdsDatabase } from '../../lib/adapters/aws/rds-database.js';
import { S3ObjectStore } from '../../lib/adapters/aws/s3-object-store.js';
import { SecretsManagerStore } from '../../lib/adapters/aws/secrets-manager-store.js';
import { SqsQueue } from '../../lib/adapters/aws/sqs-queue.js';
import { sqsQueueDepth } from '../../lib/adapters/aws/sqs-queue-depth.js';
import { StsTenantCredentials } from '../../lib/adapters/aws/tenant-credentials.js';
import { TenantTables } from '../../lib/adapters/aws/tenant-tables.js';
import { ObjectStoreExportSink } from '../../lib/adapters/object-store-export-sink.js';
import { QueueDispatcher } from '../../lib/adapters/queue-dispatcher.js';
import { ApiEnvSchema, describeEnvIssues, type QueueUrls } from '../../lib/config/runtime-env.js';
import { UsageKeyService } from '../../lib/services/usage-keys.js';
import {
  createServices,
  type AppServices,
  type ComposedServices,
  type ServicesConfig,
} from '../../lib/http/services.js';

export function servicesConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ServicesConfig {
  const parsed = ApiEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`The API function's environment is incomplete: ${describeEnvIssues(parsed.error)}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    openDatabase: () => Promise.resolve(openRdsDatabase(e)),
    dynamodb: new DynamoDBClient({}),
    tableName: e.EXECUTION_TABLE_NAME,
    // Tables, the catalogue and platform agents are provisioned by the stacks and the deploy job.
    bootstrap: false,
    // Offboarding exports to the Object Lock audit bucket; without it offboarding answers 503.
    tenantExports: e.TENANT_EXPORT_BUCKET
      ? new ObjectStoreExportSink(new S3ObjectStore(new S3Client({}), e.TENANT_EXPORT_BUCKET))
      : null,
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    rolePrefix: e.GLAF_DB_ROLE_PREFIX,
    ...queueDispatchers(e.QUEUE_URLS),
    ...(e.TENANT_ROLE_ARN ? { tenantTables: tenantTables(e.TENANT_ROLE_ARN, e.EXECUTION_TABLE_NAME) } : {}),
    ...(e.EVENT_BUS_NAME
      ? {
          integrationBus: new EventBridgeBus({
            client: new EventBridgeClient({}),
            eventBusName: e.EVENT_BUS_NAME,
          }),
        }
      : {}),
    ...(e.USAGE_REST_API_ID && e.USAGE_STAGE_NAME
      ? {
          usageKeys: new UsageKeyService({
            // Two attempts: onboarding waits on this; the event path retries for longer.
            directory: new ApiGatewayUsageKeys(new APIGatewayClient({ maxAttempts: 2 })),
            apiId: e.USAGE_REST_API_ID,
            stage: e.USAGE_STAGE_NAME,
          }),
        }
      : {}),
    webhooks: e.WEBHOOK_SECRET_PREFIX
      ? {
          secrets: new SecretsManagerStore({
            client: new SecretsManagerClient({}),
            prefix: e.WEBHOOK_SECRET_PREFIX,
            ...(e.WEBHOOK_SECRET_KMS_KEY_ID ? { kmsKeyId: e.WEBHOOK_SECRET_KMS_KEY_ID } : {}),
          }),
          deliverEvents: false,
        }
      : null,
  };
}

/** Per-tenant DynamoDB clients signing with the tenant's session of the tenant role. */
function tenantTables(roleArn: string, tableName: string): TenantTables {
  const credentials = new StsTenantCredentials({ sts: new STSClient({}), roleArn });
  return new TenantTables({
    credentials,
    tableName,
    createClient: (provider) => new DynamoDBClient({ credentials: provider }),
  });
}

/** SQS dispatchers when the priority queues are configured (all four), the batch queue when it is. */
function queueDispatchers(
  urls: QueueUrls | undefined,
): Pick<ServicesConfig, 'dispatcher' | 'batchDispatcher' | 'queueDepth'> {
  if (!urls || !urls.P0 || !urls.P1 || !urls.P2 || !urls.P3) return {};
  const client = new SQSClient({});
  const queue = new SqsQueue({ client, urls });
  return {
    dispatcher: () => new QueueDispatcher(queue),
    ...(urls.batch ? { batchDispatcher: new QueueDispatcher(queue, 'batch') } : {}),
    // Backpressure: executions against their priority's queue, batches against the batch queue.
    queueDepth: sqsQueueDepth({ client, urls }),
  };
}

let composed: Promise<ComposedServices> | undefined;

/** The environment's services; a failed composition is retried by the next invocation. */
export function services(): Promise<AppServices> {
  composed ??= createServices(servicesConfigFromEnv()).catch((err: unknown) => {
    composed = undefined;
    throw err;
  });
  return composed.then((c) => c.services);
}
