/**
 * The whole platform in one process (`npm start`): the composed services (PGlite + dynalite
 * under the data directory, or DATABASE_URL / a DynamoDB endpoint / REDIS_URL), the local
 * RS256 issuer, the authorizer and the same route table and middy handler the Lambda runs,
 * behind the local HTTP server that turns requests into API Gateway events. Async executions
 * go through the queue engine (lib/adapters/local/engine.ts): in-process priority queues and
 * two workers, with queued work recovered from the store on every start; batches through the
 * batch queue and its aggregating consumer. Published events reach the tenants' webhooks;
 * the SQL outbox's events (tenant.*, agent.*) reach the bus through the relay loop.
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { AUTHORIZER_CACHE_TTL_SECONDS } from '../../config/api.js';
import { createAuthorizer } from '../../http/auth/authorize.js';
import { LocalIssuer, type MintOptions } from '../../http/auth/local-issuer.js';
import { createApiHandler } from '../../http/lambda.js';
import { createLocalServer } from '../../http/local-server.js';
import { routes } from '../../http/routes/index.js';
import {
  createServices,
  type AppServices,
  type ComposedServices,
  type WebhooksConfig,
} from '../../http/services.js';
import { ensureDemoTenant, type DemoTenant } from './demo-tenant.js';
import type { LocalEngineOptions } from './engine.js';
import { startLocalLake } from './local-lake.js';
import { removeServerInfo, writeServerInfo } from './server-info.js';

export type { LocalIssuer } from '../../http/auth/local-issuer.js';

/** How often the local relay looks at the outbox when idle (one small transaction per look). */
export const LOCAL_OUTBOX_INTERVAL_MS = 250;

export interface LocalPlatformOptions {
  /** 0 = any free port. @default 3000 */
  readonly port?: number;
  /** Interface to listen on; loopback so a laptop does not serve its network. @default '127.0.0.1' */
  readonly host?: string;
  /** Embedded data (PGlite, dynalite, issuer keys). @default '.data' */
  readonly dataDir?: string;
  /** @default process.env.DATABASE_URL */
  readonly databaseUrl?: string;
  /** Database role name prefix (roles are cluster-wide on a shared server).
   * @default process.env.GLAF_DB_ROLE_PREFIX ?? 'glaf' */
  readonly rolePrefix?: string;
  /** @default process.env.REDIS_URL */
  readonly redisUrl?: string;
  /** @default process.env.DYNAMODB_ENDPOINT */
  readonly dynamodbEndpoint?: string;
  /** Request log level (JSON lines on stdout). @default process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN' */
  readonly logLevel?: LogLevel;
  /** The queue engine: in-process queues P0..P3 + DLQs and 2 workers (`workers: 0` queues
   * without running anything, e.g. to show that a restart loses no queued work). */
  readonly engine?: LocalEngineOptions;
  /** Webhooks; `allowLoopback` defaults to process.env.GLAF_WEBHOOKS_ALLOW_LOOPBACK === '1' (off),
   * so trying webhooks against a receiver on this machine is an explicit choice. */
  readonly webhooks?: WebhooksConfig;
}

export interface LocalPlatform {
  /** e.g. http://localhost:3000 */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly services: AppServices;
  /** Adapters behind the services, for tests and benchmarks that set up state directly. */
  readonly composed: ComposedServices;
  readonly demo: DemoTenant;
  readonly issuer: LocalIssuer;
  mintToken(options: MintOptions): Promise<string>;
  /** Closes the server (open keep-alive connections too), then the workers (in-flight work
   * finishes or is released), then the stores. Idempotent. */
  close(): Promise<void>;
}

/** The local issuer of a data directory (keys created on first use, kept under `issuer/`). */
export function openLocalIssuer(dataDir: string): Promise<LocalIssuer> {
  return LocalIssuer.open(join(dataDir, 'issuer'));
}

export async function startLocalPlatform(options: LocalPlatformOptions = {}): Promise<LocalPlatform> {
  const dataDir = options.dataDir ?? '.data';
  await mkdir(dataDir, { recursive: true });
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL;
  const dynamodbEndpoint = options.dynamodbEndpoint ?? process.env.DYNAMODB_ENDPOINT;
  const rolePrefix = options.rolePrefix ?? process.env.GLAF_DB_ROLE_PREFIX;
  const composed = await createServices({
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(redisUrl ? { redisUrl } : {}),
    ...(dynamodbEndpoint ? { dynamodbEndpoint } : {}),
    ...(rolePrefix ? { rolePrefix } : {}),
    engine: options.engine ?? {},
    // Terminal executions and audit entries as Parquet under <dataDir>/lake (`agent-factory query`).
    lake: (bus, store, audit) => startLocalLake({ lakeDir: join(dataDir, 'lake'), bus, store, audit }),
    // tenant.* and agent.* events from the SQL outbox to the bus (webhooks, subscribers) within ~250 ms.
    outboxRelay: { intervalMs: LOCAL_OUTBOX_INTERVAL_MS },
    webhooks: {
      allowLoopback: process.env.GLAF_WEBHOOKS_ALLOW_LOOPBACK === '1',
      ...options.webhooks,
    },
  });
  try {
    const { services } = composed;
    const demo = await ensureDemoTenant(composed.database.scope, services.tenants);
    const issuer = await openLocalIssuer(dataDir);
    const logger = new Logger({
      serviceName: 'glaf-local',
      logLevel: options.logLevel ?? (process.env.POWERTOOLS_LOG_LEVEL as LogLevel | undefined) ?? 'WARN',
    });
    const handler = createApiHandler(routes, () => services, { logger });
    const authorize = createAuthorizer({ verifier: issuer.verifier(), services, logger });
    const server = createLocalServer({
      handler,
      authorize,
      routes,
      jwks: () => issuer.jwks(),
      // As API Gateway is configured (stacks/constructs/platform-rest-api.ts): no authorizer cache.
      authorizerCacheTtlMs: AUTHORIZER_CACHE_TTL_SECONDS * 1000,
    });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 3000, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://${host === '127.0.0.1' || host === '::1' ? 'localhost' : host}:${port}`;
    await writeServerInfo(dataDir, { url, pid: process.pid });
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      dataDir,
      services,
      composed,
      demo,
      issuer,
      mintToken: (o) => issuer.mint(o),
      close: () =>
        (closing ??= (async () => {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
          await composed.close();
          await removeServerInfo(dataDir);
        })()),
    };
  } catch (err) {
    await composed.close();
    throw err;
  }
}
