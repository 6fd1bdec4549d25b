/**
 * AWS composition of the API's services, from the function's environment. Created once per
 * execution environment (module scope) and reused by every warm invocation.
 *
 * - DATABASE_URL: postgres:// URL of the RDS Proxy in front of Aurora (the stack injects it
 *   from the proxy endpoint and the app user's secret).
 * - EXECUTION_TABLE_NAME: the DynamoDB execution table (the stack owns and creates it).
 * - REDIS_URL: optional rediss:// URL of ElastiCache (Valkey); absent = in-process limiter
 *   (per execution environment only: set REDIS_URL in every deployed environment).
 * - QUEUE_URLS: optional JSON {"P0":{"url","deadLetterUrl"},...,"batch":{...}} (the stack's
 *   queues): async executions go to their priority's SQS queue and batch items to the batch
 *   queue, since a frozen Lambda cannot run work after its response. Absent = in process.
 * - WEBHOOK_SECRET_PREFIX (+ optional WEBHOOK_SECRET_KMS_KEY_ID): webhook signing secrets in
 *   Secrets Manager under this name prefix; absent = no webhooks (their routes answer 503).
 *   Events are delivered from EventBridge, not from the API function.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { SecretsManagerStore } from '../../lib/adapters/aws/secrets-manager-store.js';
import { SqsQueue } from '../../lib/adapters/aws/sqs-queue.js';
import { QueueDispatcher } from '../../lib/adapters/queue-dispatcher.js';
import { QUEUE_NAMES } from '../../lib/config/queues.js';
import {
  createServices,
  type AppServices,
  type ComposedServices,
  type ServicesConfig,
} from '../../lib/http/services.js';

const QueueUrlsSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.partialRecord(z.enum(QUEUE_NAMES), z.object({ url: z.url(), deadLetterUrl: z.url() })));

const EnvSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL (the RDS Proxy endpoint)'),
  EXECUTION_TABLE_NAME: z.string().min(3).max(255),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
    .optional(),
  GLAF_DB_ROLE_PREFIX: z.string().optional(),
  QUEUE_URLS: QueueUrlsSchema.optional(),
  WEBHOOK_SECRET_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9/_+=.@-]{1,200}$/, 'a Secrets Manager name prefix')
    .optional(),
  WEBHOOK_SECRET_KMS_KEY_ID: z.string().min(1).optional(),
});

export function servicesConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ServicesConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`The API function's environment is incomplete: ${fields}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dynamodb: new DynamoDBClient({}),
    tableName: e.EXECUTION_TABLE_NAME,
    // Tables, the catalogue and platform agents are provisioned by the stacks and the deploy job.
    bootstrap: false,
    // Offboarding exports go to S3 with Object Lock once that sink exists; until then 503.
    tenantExports: null,
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    ...(e.GLAF_DB_ROLE_PREFIX ? { rolePrefix: e.GLAF_DB_ROLE_PREFIX } : {}),
    ...queueDispatchers(e.QUEUE_URLS),
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

/** SQS dispatchers when the priority queues are configured (all four), the batch queue when it is. */
function queueDispatchers(
  urls: z.output<typeof QueueUrlsSchema> | undefined,
): Pick<ServicesConfig, 'dispatcher' | 'batchDispatcher'> {
  if (!urls || !urls.P0 || !urls.P1 || !urls.P2 || !urls.P3) return {};
  const queue = new SqsQueue({ client: new SQSClient({}), urls });
  return {
    dispatcher: () => new QueueDispatcher(queue),
    ...(urls.batch ? { batchDispatcher: new QueueDispatcher(queue, 'batch') } : {}),
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
