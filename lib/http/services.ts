/**
 * The services every route handler reaches through `ctx.services`, and `createServices`:
 * the one composition of adapters behind them. The local platform and the tests call it with
 * a data directory (PGlite + dynalite in-process); the Lambda composition calls it with a
 * DATABASE_URL, a DynamoDB client and a table name. Same services either way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import { DynamoDbBatchStore } from '../adapters/aws/dynamodb-batch-store.js';
import { DynamoDbExecutionStore } from '../adapters/aws/dynamodb-execution-store.js';
import { ensureTable } from '../adapters/aws/dynamodb-table.js';
import { RedisRateLimiter } from '../adapters/aws/redis-rate-limiter.js';
import { RedisResultCache } from '../adapters/aws/redis-result-cache.js';
import { TenantRoutedBatchStore, TenantRoutedExecutionStore } from '../adapters/aws/tenant-routed-stores.js';
import type { TenantTables } from '../adapters/aws/tenant-tables.js';
import { startDynalite, dynaliteClient } from '../adapters/local/dynalite.js';
import { FileExportSink } from '../adapters/local/file-export-sink.js';
import { FileSecretStore } from '../adapters/local/file-secret-store.js';
import { LocalEngine, type LocalEngineOptions } from '../adapters/local/engine.js';
import { InlineDispatcher } from '../adapters/local/inline-dispatcher.js';
import { LruResultCache } from '../adapters/local/lru-result-cache.js';
import type { LocalLake } from '../adapters/local/local-lake.js';
import { MemoryBus } from '../adapters/local/memory-bus.js';
import { MemoryRateLimiter } from '../adapters/local/memory-rate-limiter.js';
import { NodeHttpSender } from '../adapters/net/node-http-sender.js';
import { UrlGuard } from '../adapters/net/url-guard.js';
import { SqlAgentRegistryStore } from '../adapters/sql/agent-registry-store.js';
import { SqlAuditLakeFeed } from '../adapters/sql/audit-lake-feed.sql.js';
import { SqlAuditLog } from '../adapters/sql/audit-log.sql.js';
import { openDatabase, type Database } from '../adapters/sql/database.js';
import { SqlFactorStore } from '../adapters/sql/factor-store.sql.js';
import { SqlTenantStore } from '../adapters/sql/tenant-store.sql.js';
import { SqlWebhookStore } from '../adapters/sql/webhook-store.sql.js';
import { TeeBus } from '../adapters/tee-bus.js';
import { allAgents, builtinAgents } from '../agents/index.js';
import { EXECUTION_TABLE } from '../config/execution-table.js';
import type { QueueName } from '../config/queues.js';
import { FactorCatalogue } from '../factors/catalogue.js';
import type { AuditLakeFeed } from '../ports/audit-lake-feed.js';
import type { EventBus } from '../ports/event-bus.js';
import type { ExecutionDispatcher } from '../ports/execution-dispatcher.js';
import type { ExecutionStore } from '../ports/execution-store.js';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { ResultCache } from '../ports/result-cache.js';
import type { SecretStore } from '../ports/secret-store.js';
import type { TenantExportSink } from '../ports/tenant-store.js';
import type { UsageKeys } from '../ports/usage-keys.js';
import { AgentRegistryService } from '../services/agent-registry.js';
import { ApiKeyService } from '../services/api-keys.js';
import { AuditService } from '../services/audit.js';
import { LakeRecordingAuditLog } from '../services/lake-audit-log.js';
import { BatchService } from '../services/batches.js';
import { ExecutionRunner } from '../services/execution-runner.js';
import { ExecutionService } from '../services/executions.js';
import { FactorService } from '../services/factors.js';
import { startOutboxLoop, type OutboxLoop } from '../services/outbox-loop.js';
import { TwoLevelResultCache } from '../services/result-cache.js';
import { TenantService } from '../services/tenants.js';
import type { RetryPolicy } from '../services/webhook-delivery.js';
import { WebhookDispatcher } from '../services/webhook-dispatcher.js';
import { WebhookService } from '../services/webhooks.js';
import { currentRequestTenant } from './request-tenant.js';

export interface AppServices {
  readonly tenants: TenantService;
  readonly registry: AgentRegistryService;
  readonly factors: FactorService;
  readonly audit: AuditService;
  readonly catalogue: FactorCatalogue;
  readonly executions: ExecutionService;
  readonly apiKeys: ApiKeyService;
  readonly limiter: RateLimiter;
  readonly clock: () => Date;
  /** Where offboarding writes a tenant's export; absent = offboarding answers 503. */
  readonly tenantExports?: TenantExportSink;
  /** Readiness probe for `GET /ready`: the database and the execution table answer (throws if not). */
  readonly ready?: () => Promise<boolean>;
  /** Webhook registrations and deliveries; absent = the webhook routes answer 503. */
  readonly webhooks?: WebhookService;
  /** Batches of executions; absent = the batch routes answer 503. */
  readonly batches?: BatchService;
  /** Tenants' API Gateway usage-plan keys (AWS); absent = nothing to provision (local mode,
   * where the in-app limiter meters tenants). */
  readonly usageKeys?: UsageKeys;
}

export interface WebhooksConfig {
  /** Where signing secrets live. @default a FileSecretStore under the data directory (a
   * temporary directory, removed on close, for `memory`) */
  readonly secrets?: SecretStore;
  /** Accept loopback targets (http://127.0.0.1:...) to try webhooks on one machine; private
   * and link-local addresses stay refused. @default false */
  readonly allowLoopback?: boolean;
  /** Retries and backoff. @default 3 retries after 1 s, 2 s, 4 s; 10 s per attempt */
  readonly policy?: RetryPolicy;
  /** Deliver the events published on the in-process bus (local mode). Off where the process may
   * freeze after its response (Lambda): there EventBridge drives delivery. @default true */
  readonly deliverEvents?: boolean;
}

export interface ServicesConfig {
  /** postgres:// URL (a server, RDS Proxy, Aurora); absent = PGlite under `<dataDir>/pg`. */
  readonly databaseUrl?: string;
  /** Opens the database instead (takes precedence over `databaseUrl`): the deployed functions
   * pass the RDS Proxy with IAM auth tokens and no migrations (the migration custom resource
   * owns the schema there). @default openDatabase: `databaseUrl` or PGlite, migrated */
  readonly openDatabase?: () => Promise<Database>;
  /** Where embedded stores keep their data; `memory` keeps nothing on disk. @default '.data' */
  readonly dataDir?: string;
  /** A DynamoDB client (AWS); absent = dynamoEndpoint, else dynalite under `<dataDir>/dynamodb`. */
  readonly dynamodb?: DynamoDBClient;
  /** A DynamoDB-compatible endpoint (e.g. a dynalite or DynamoDB Local already running). */
  readonly dynamodbEndpoint?: string;
  /** @default 'glaf-executions' */
  readonly tableName?: string;
  /** Tenant items through per-tenant clients (AWS: the tenant role assumed with the tenant's
   * `tenant_id` session tag), checked against the request's verified tenant. Absent = the one
   * `dynamodb` client for every tenant (local mode). Closed with the services. */
  readonly tenantTables?: TenantTables;
  /** The integration bus (EventBridge in AWS): what the services publish goes there too, awaited.
   * Absent = the in-process bus only. */
  readonly integrationBus?: EventBus;
  /** Create the execution table, load the catalogue into SQL and register platform agents. In AWS
   * the stacks and a deploy-time job own these, so the Lambda composition turns it off.
   * @default true */
  readonly bootstrap?: boolean;
  /** redis:// URL for the rate limiter; absent = in-process limiter. */
  readonly redisUrl?: string;
  /** Database role prefix (cluster-wide names on a shared server). @default 'glaf' */
  readonly rolePrefix?: string;
  /** Runs async executions; absent = the in-process InlineDispatcher (local mode). The queue
   * engine's dispatcher (SQS P0..P3) goes here in AWS, where a frozen Lambda cannot run work
   * after its response. */
  readonly dispatcher?: (runner: ExecutionRunner) => ExecutionDispatcher;
  /** Local mode's queue engine: async executions go to the in-process queues and this
   * process's workers (started once the services are composed, after a recovery scan that
   * re-queues every tenant's PENDING work). Takes precedence over `dispatcher`. */
  readonly engine?: LocalEngineOptions;
  /** Batch items go here (the batch queue, aggregated by its consumer); absent = the local
   * engine's batch queue when there is an engine, else each item is dispatched like a single
   * async execution. */
  readonly batchDispatcher?: ExecutionDispatcher;
  /** Messages waiting on a queue, for backpressure: async executions look at their priority's
   * queue, batches at the batch queue (once per batch). AWS: SQS's approximate count; absent =
   * the local engine's queues when there is an engine, else no backpressure check. */
  readonly queueDepth?: (queue: QueueName) => Promise<number>;
  /** Webhooks; null = none (the webhook routes answer 503). @default {} (see WebhooksConfig) */
  readonly webhooks?: WebhooksConfig | null;
  /** Offboarding export destination; null = none (offboarding answers 503).
   * @default a FileExportSink under `<dataDir>/exports` (none for `memory`) */
  readonly tenantExports?: TenantExportSink | null;
  /** Local mode's lake feed (terminal executions and audit entries as Parquet). A factory, so
   * DuckDB's native module stays out of the Lambda bundles; the local platform passes it. */
  readonly lake?: (bus: MemoryBus, store: ExecutionStore, audit: AuditLakeFeed) => Promise<LocalLake>;
  /** Local mode: relay the SQL outbox (tenant.*, agent.* events) to the bus in a loop, stopped
   * at close. Absent = no relay here (in AWS a scheduled function relays). */
  readonly outboxRelay?: { readonly intervalMs?: number };
  /** Tenants' usage-plan keys (API Gateway); onboarding provisions the new tenant's. */
  readonly usageKeys?: UsageKeys;
  readonly clock?: () => Date;
}

export interface ComposedServices {
  readonly services: AppServices;
  readonly database: Database;
  readonly executionStore: ExecutionStore;
  /** The in-process event bus the executions publish to (execution.created, ..., quota.exceeded). */
  readonly bus: MemoryBus;
  /** The result cache of the runs: L1 in-process LRU, L2 Redis when `redisUrl` is set. */
  readonly resultCache: ResultCache;
  /** The local queue engine when `engine` was configured (queue, metrics, recovery report). */
  readonly engine?: LocalEngine;
  /** Delivers bus events to webhooks when webhooks are on and `deliverEvents` is not off. */
  readonly webhookDispatcher?: WebhookDispatcher;
  /** Terminal executions and audit entries written to the local lake. */
  readonly lake?: LocalLake;
  /** The outbox relay loop when `outboxRelay` was configured. */
  readonly outbox?: OutboxLoop;
  /** Closes what the composition opened, in reverse order (limiter, DynamoDB, database). */
  close(): Promise<void>;
}

export async function createServices(config: ServicesConfig = {}): Promise<ComposedServices> {
  const clock = config.clock ?? (() => new Date());
  const dataDir = config.dataDir ?? '.data';
  const inMemory = dataDir === 'memory';
  const bootstrap = config.bootstrap ?? true;
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const database = config.openDatabase
      ? await config.openDatabase()
      : await openDatabase({
          ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
          dataDir: inMemory ? 'memory' : join(dataDir, 'pg'),
          ...(config.rolePrefix ? { rolePrefix: config.rolePrefix } : {}),
        });
    closers.push(() => database.close());
    const dynamodb = config.dynamodb ?? (await dynamoClient(config, dataDir, inMemory, closers));
    const tableName = config.tableName ?? 'glaf-executions';
    if (bootstrap) await ensureTable(dynamodb, EXECUTION_TABLE, tableName);

    const catalogue = FactorCatalogue.builtin();
    const tenants = new TenantService(new SqlTenantStore(database.scope, clock), clock);
    const registry = new AgentRegistryService({
      store: new SqlAgentRegistryStore(database.scope),
      context: { factors: catalogue },
      builtins: builtinAgents(),
    });
    const factors = new FactorService(new SqlFactorStore(database.scope));
    if (bootstrap) {
      // Both are idempotent (insert ... on conflict do nothing), so every start may run them.
      await factors.loadCatalogue(catalogue);
      await registry.registerPlatformAgents(allAgents());
    }
    const tenantTables = config.tenantTables;
    if (tenantTables) closers.push(() => Promise.resolve(tenantTables.close()));
    const routing = tenantTables ? { tables: tenantTables, verifiedTenant: currentRequestTenant } : undefined;
    const executionStore = routing
      ? new TenantRoutedExecutionStore(routing)
      : new DynamoDbExecutionStore({ client: dynamodb, tableName, clock });
    const limiter = await rateLimiter(config.redisUrl, clock, closers);
    const bus = new MemoryBus();
    const publishTo: EventBus = config.integrationBus ? new TeeBus(bus, config.integrationBus) : bus;
    const resultCache = await createResultCache(config.redisUrl, closers);
    const engine = config.engine
      ? new LocalEngine(
          {
            store: executionStore,
            registry,
            builtins: builtinAgents(),
            context: { factors: catalogue },
            tenantIds: () => allTenantIds(tenants),
            clock,
            cache: resultCache,
            bus,
          },
          config.engine,
        )
      : undefined;
    const queueDepth =
      config.queueDepth ??
      (engine ? async (q: QueueName) => (await engine.queue.stats(q)).visible : undefined);
    const batchDispatcher = config.batchDispatcher ?? engine?.batchDispatcher;
    const { executions, batchExecutions, runner, inline } = createExecutionService(
      executionStore,
      registry,
      catalogue,
      clock,
      engine ? { ...config, dispatcher: () => engine.dispatcher } : config,
      {
        cache: resultCache,
        bus: publishTo,
        tenants,
        ...(queueDepth ? { depth: queueDepth } : {}),
        ...(batchDispatcher ? { batchDispatcher } : {}),
      },
    );
    const batches = new BatchService({
      store: routing
        ? new TenantRoutedBatchStore(routing)
        : new DynamoDbBatchStore({ client: dynamodb, tableName }),
      registry,
      runner,
      executions: batchExecutions,
      clock,
      // Items on the batch queue: the batch queue's depth, checked once before any item is stored.
      ...(queueDepth && batchDispatcher ? { depth: () => queueDepth('batch') } : {}),
    });
    // Backoff sleeps end early at close, so shutdown never waits out a retry schedule.
    const stopping = new AbortController();
    const webhooks = await createWebhooks(config, dataDir, inMemory, database, executionStore, clock, {
      closers,
      signal: stopping.signal,
    });
    let webhookDispatcher: WebhookDispatcher | undefined;
    if (webhooks && config.webhooks?.deliverEvents !== false) {
      const dispatcher = new WebhookDispatcher({ webhooks });
      bus.subscribe('*', dispatcher.enqueue);
      // Registered before the engine's closer, so it runs after it: the workers' last events are queued.
      closers.push(() => dispatcher.close());
      webhookDispatcher = dispatcher;
    }
    const lake = config.lake
      ? await config.lake(bus, executionStore, new SqlAuditLakeFeed(database.scope))
      : undefined;
    // Like the webhook dispatcher: closes after the engine, so the workers' last results land.
    if (lake) closers.push(() => lake.close());
    // Publishes to the bus, so it stops before the bus's subscribers close.
    const outbox = config.outboxRelay
      ? startOutboxLoop(database.scope, publishTo, config.outboxRelay)
      : undefined;
    if (outbox) closers.push(() => outbox.stop());
    closers.push(() => Promise.resolve(stopping.abort()));
    // Closed first (closers run in reverse): executions in flight finish before their stores close.
    if (inline) closers.push(() => inline.idle());
    if (engine) {
      closers.push(async () => {
        await engine.stop();
      });
      await engine.start();
    }
    const services: AppServices = {
      tenants,
      registry,
      factors,
      audit: new AuditService(
        lake
          ? new LakeRecordingAuditLog(new SqlAuditLog(database.scope), lake.auditAppended)
          : new SqlAuditLog(database.scope),
      ),
      catalogue,
      executions,
      apiKeys: new ApiKeyService(database.scope, clock),
      limiter,
      clock,
      ...exportSink(config, dataDir, inMemory, clock),
      ...(webhooks ? { webhooks } : {}),
      ...(config.usageKeys ? { usageKeys: config.usageKeys } : {}),
      batches,
      ready: async () => {
        await database.client.query('select 1');
        await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
        return true;
      },
    };
    return {
      services,
      database,
      executionStore,
      bus,
      resultCache,
      ...(engine ? { engine } : {}),
      ...(webhookDispatcher ? { webhookDispatcher } : {}),
      ...(lake ? { lake } : {}),
      ...(outbox ? { outbox } : {}),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** WebhookService over SQL (rows, RLS), the secret store, the URL guard and node:http. */
async function createWebhooks(
  config: ServicesConfig,
  dataDir: string,
  inMemory: boolean,
  database: Database,
  executionStore: ExecutionStore,
  clock: () => Date,
  { closers, signal }: { closers: (() => Promise<void>)[]; signal: AbortSignal },
): Promise<WebhookService | undefined> {
  if (config.webhooks === null) return undefined;
  const options = config.webhooks ?? {};
  let secrets = options.secrets;
  if (!secrets) {
    let dir = dataDir;
    if (inMemory) {
      const temp = await mkdtemp(join(tmpdir(), 'glaf-secrets-'));
      closers.push(() => rm(temp, { recursive: true, force: true }));
      dir = temp;
    }
    secrets = new FileSecretStore(dir);
  }
  return new WebhookService({
    store: new SqlWebhookStore(database.scope),
    secrets,
    executions: executionStore,
    guard: new UrlGuard({ allowLoopback: options.allowLoopback ?? false }),
    sender: new NodeHttpSender(),
    clock,
    sleep: (ms) => sleepFor(ms, undefined, { signal }),
    ...(options.policy ? { policy: options.policy } : {}),
  });
}

async function createResultCache(
  redisUrl: string | undefined,
  closers: (() => Promise<void>)[],
): Promise<ResultCache> {
  if (!redisUrl) return new TwoLevelResultCache({ l1: new LruResultCache() });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  closers.push(async () => {
    await redis.quit();
  });
  return new TwoLevelResultCache({ l1: new LruResultCache(), l2: new RedisResultCache({ redis }) });
}

async function allTenantIds(tenants: TenantService): Promise<string[]> {
  const ids: string[] = [];
  let afterSlug: string | undefined;
  for (;;) {
    const page = await tenants.list({ ...(afterSlug ? { afterSlug } : {}), limit: 1000 });
    ids.push(...page.map((t) => t.id));
    if (page.length < 1000) return ids;
    afterSlug = page[page.length - 1]?.slug;
  }
}

function exportSink(
  config: ServicesConfig,
  dataDir: string,
  inMemory: boolean,
  clock: () => Date,
): { tenantExports?: TenantExportSink } {
  if (config.tenantExports) return { tenantExports: config.tenantExports };
  if (config.tenantExports === null || inMemory) return {};
  return { tenantExports: new FileExportSink(join(dataDir, 'exports'), clock) };
}

async function dynamoClient(
  config: ServicesConfig,
  dataDir: string,
  inMemory: boolean,
  closers: (() => Promise<void>)[],
): Promise<DynamoDBClient> {
  if (config.dynamodbEndpoint) return dynaliteClient(config.dynamodbEndpoint);
  const dynalite = await startDynalite(inMemory ? {} : { path: join(dataDir, 'dynamodb') });
  closers.push(() => dynalite.close());
  const client = dynaliteClient(dynalite.endpoint);
  closers.push(() => Promise.resolve(client.destroy()));
  return client;
}

async function rateLimiter(
  redisUrl: string | undefined,
  clock: () => Date,
  closers: (() => Promise<void>)[],
): Promise<RateLimiter> {
  if (!redisUrl) {
    const limiter = new MemoryRateLimiter(clock);
    closers.push(() => limiter.close());
    return limiter;
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  const limiter = new RedisRateLimiter(redis);
  closers.push(() => limiter.close());
  return limiter;
}

/** What the execution use cases may be given besides their stores (all optional). */
interface ExecutionExtras {
  readonly cache?: ResultCache;
  readonly bus?: EventBus;
  readonly tenants?: TenantService;
  readonly depth?: (queue: QueueName) => Promise<number>;
  /** Where batch items are dispatched (the batch queue). */
  readonly batchDispatcher?: ExecutionDispatcher;
}

interface ExecutionServices {
  readonly executions: ExecutionService;
  /** The same use cases for batch items: async ones go to the batch dispatcher when there is one. */
  readonly batchExecutions: ExecutionService;
  readonly runner: ExecutionRunner;
  readonly inline?: InlineDispatcher;
}

/** Sync requests run inline; async ones go to the configured dispatcher (the queue engine), else in-process inline. */
function createExecutionService(
  store: ExecutionStore,
  registry: AgentRegistryService,
  catalogue: FactorCatalogue,
  clock: () => Date,
  config: ServicesConfig,
  extras: ExecutionExtras = {},
): ExecutionServices {
  const runner = new ExecutionRunner({
    store,
    registry,
    builtins: builtinAgents(),
    context: { factors: catalogue },
    clock,
    ...(extras.cache ? { cache: extras.cache } : {}),
    ...(extras.bus ? { bus: extras.bus } : {}),
  });
  const inline = config.dispatcher ? undefined : new InlineDispatcher(runner);
  const dispatcher = config.dispatcher ? config.dispatcher(runner) : inline!;
  const serviceWith = (d: ExecutionDispatcher, depth?: ExecutionExtras['depth']) =>
    new ExecutionService({
      store,
      registry,
      runner,
      dispatcher: d,
      clock,
      ...(extras.tenants ? { tenants: extras.tenants } : {}),
      ...(depth ? { depth } : {}),
      ...(extras.bus ? { bus: extras.bus } : {}),
    });
  const executions = serviceWith(dispatcher, extras.depth);
  // Batch items are not checked one by one against their priority's queue: they go to the batch
  // queue, whose depth BatchService checks once for the whole batch.
  const batchExecutions = extras.batchDispatcher ? serviceWith(extras.batchDispatcher) : executions;
  return { executions, batchExecutions, runner, ...(inline ? { inline } : {}) };
}
