/**
 * Composition root of a worker process, shared by the Lambda entry (lambdas/worker) and the
 * Fargate entry (`agent-factory worker`): environment -> store, queue, agent resolution,
 * result cache, event bus, Powertools logger and metrics -> WorkerService. The environment
 * is lib/config/runtime-env.ts's WorkerEnvSchema (the workers stack sets exactly that),
 * validated once. AWS-only adapters: the database is node-postgres through the RDS Proxy
 * with IAM auth tokens (never PGlite, never migrations), so none of local mode's engines
 * reach the Lambda bundle.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { allAgents, builtinAgents } from '../agents/index.js';
import { WorkerEnvSchema, type WorkerEnv } from '../config/runtime-env.js';
import { FactorCatalogue } from '../factors/catalogue.js';
import type { EventBus } from '../ports/event-bus.js';
import type { ResultCache } from '../ports/result-cache.js';
import { TwoLevelResultCache } from '../services/result-cache.js';
import { WorkerService, type WorkerHooks } from '../services/worker.js';
import {
  registryAgentResolver,
  shippedAgentResolver,
  type AgentResolver,
  type WorkerLog,
  type WorkerMetrics,
} from '../services/worker-support.js';
import { AgentRegistryService } from '../services/agent-registry.js';
import { DynamoDbExecutionStore } from './aws/dynamodb-execution-store.js';
import { EventBridgeBus } from './aws/eventbridge-bus.js';
import { SqsQueue } from './aws/sqs-queue.js';
import { LruResultCache } from './local/lru-result-cache.js';

export type { WorkerEnv } from '../config/runtime-env.js';

export class WorkerConfigError extends Error {
  constructor(issues: readonly { path: PropertyKey[]; message: string }[]) {
    super(
      `Worker configuration is invalid: ${issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')}`,
    );
    this.name = 'WorkerConfigError';
  }
}

export function workerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const r = WorkerEnvSchema.safeParse(env);
  if (!r.success) throw new WorkerConfigError(r.error.issues);
  return r.data;
}

/** Only the queues (the redrive command): QUEUE_URLS, AWS_REGION, SQS_ENDPOINT. */
export function openQueueFromEnv(env: NodeJS.ProcessEnv = process.env): { queue: SqsQueue; close(): void } {
  const r = WorkerEnvSchema.pick({ QUEUE_URLS: true, AWS_REGION: true, SQS_ENDPOINT: true }).safeParse(env);
  if (!r.success) throw new WorkerConfigError(r.error.issues);
  const client = sqsClient(r.data);
  return { queue: new SqsQueue({ client, urls: r.data.QUEUE_URLS }), close: () => client.destroy() };
}

// Explicit endpoints mean dynalite or a fake: they need some credentials, never real ones.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function sqsClient(env: Pick<WorkerEnv, 'AWS_REGION' | 'SQS_ENDPOINT'>): SQSClient {
  return new SQSClient({
    region: env.AWS_REGION,
    ...(env.SQS_ENDPOINT ? { endpoint: env.SQS_ENDPOINT, credentials: LOCAL_CREDENTIALS } : {}),
  });
}

export interface WorkerRuntime {
  readonly worker: WorkerService;
  readonly queue: SqsQueue;
  readonly metrics: Metrics;
  readonly logger: Logger;
  close(): Promise<void>;
}

export async function openWorkerRuntime(env: WorkerEnv, hooks: WorkerHooks = {}): Promise<WorkerRuntime> {
  const dynamo = new DynamoDBClient({
    region: env.AWS_REGION,
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT, credentials: LOCAL_CREDENTIALS } : {}),
  });
  const sqs = sqsClient(env);
  const logger = new Logger({ serviceName: 'glaf-worker' });
  const metrics = new Metrics({ namespace: 'GLAF', serviceName: 'glaf-worker' });
  const context = { factors: FactorCatalogue.builtin() };
  const queue = new SqsQueue({ client: sqs, urls: env.QUEUE_URLS });
  let agents: AgentResolver = shippedAgentResolver(allAgents());
  let closeDb = () => Promise.resolve();
  if (env.DATABASE_URL) {
    // Loaded only when configured: node-postgres and the signer stay out of a shipped-agents worker's init.
    const { openRdsDatabase } = await import('./aws/rds-database.js');
    const { SqlAgentRegistryStore } = await import('./sql/agent-registry-store.js');
    const db = openRdsDatabase({ ...env, DATABASE_URL: env.DATABASE_URL });
    const registry = new AgentRegistryService({
      store: new SqlAgentRegistryStore(db.scope),
      context,
      builtins: builtinAgents(),
    });
    agents = registryAgentResolver(registry, builtinAgents(), context);
    closeDb = () => db.close();
  }
  const events = eventBus(env);
  const { cache, close: closeCache } = await resultCache(env.REDIS_URL);
  const worker = new WorkerService({
    store: new DynamoDbExecutionStore({ client: dynamo, tableName: env.EXECUTION_TABLE_NAME }),
    queue,
    agents,
    context,
    hooks,
    log: powertoolsLog(logger),
    metrics: powertoolsMetrics(metrics),
    visibilityTimeoutMs: env.VISIBILITY_TIMEOUT_SECONDS * 1000,
    // The same cache as the sync path, so a repeated input is served from it on either path.
    cache,
    // Same event ids as the stream processor's for the same write: consumers deduplicate, and
    // subscribers hear of a run as it happens rather than after the stream's batching delay.
    ...(events ? { bus: events.bus } : {}),
  });
  return {
    worker,
    queue,
    metrics,
    logger,
    close: async () => {
      metrics.publishStoredMetrics();
      dynamo.destroy();
      sqs.destroy();
      events?.close();
      await closeCache();
      await closeDb();
    },
  };
}

/** EventBridge when EVENT_BUS_NAME is set (the endpoint may come from AWS_ENDPOINT_URL_EVENTBRIDGE). */
function eventBus(env: WorkerEnv): { bus: EventBus; close(): void } | undefined {
  if (!env.EVENT_BUS_NAME) return undefined;
  const client = new EventBridgeClient({ region: env.AWS_REGION });
  return {
    bus: new EventBridgeBus({ client, eventBusName: env.EVENT_BUS_NAME }),
    close: () => client.destroy(),
  };
}

/** L1 in process, plus the shared Redis L2 when configured (ioredis loaded only then). */
async function resultCache(
  redisUrl: string | undefined,
): Promise<{ cache: ResultCache; close: () => Promise<void> }> {
  if (!redisUrl)
    return { cache: new TwoLevelResultCache({ l1: new LruResultCache() }), close: async () => {} };
  const { Redis } = await import('ioredis');
  const { RedisResultCache } = await import('./aws/redis-result-cache.js');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  return {
    cache: new TwoLevelResultCache({ l1: new LruResultCache(), l2: new RedisResultCache({ redis }) }),
    close: async () => {
      await redis.quit();
    },
  };
}

export function powertoolsLog(logger: Logger): WorkerLog {
  return {
    info: (m, a = {}) => logger.info(m, a),
    warn: (m, a = {}) => logger.warn(m, a),
    error: (m, a = {}) => logger.error(m, a),
  };
}

/** Buffered as EMF; the entry points publish them (end of invocation, or periodically). */
export function powertoolsMetrics(metrics: Metrics): WorkerMetrics {
  return { count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value) };
}
