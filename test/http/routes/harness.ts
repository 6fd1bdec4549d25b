/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- JSON response bodies: the assertions are the type checks */
/**
 * Route tests call the real middy handler (lib/http/lambda.ts) with API Gateway REST events,
 * over the real services: PGlite (in memory) and dynalite through createServices. The
 * authorizer is engineer B's and is not under test here: principals are put into
 * `requestContext.authorizer` exactly as API Gateway passes the authorizer's flat context.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { FileExportSink } from '../../../lib/adapters/local/file-export-sink.js';
import { InlineDispatcher } from '../../../lib/adapters/local/inline-dispatcher.js';
import { builtinAgents } from '../../../lib/agents/index.js';
import { createApiHandler } from '../../../lib/http/lambda.js';
import { routes } from '../../../lib/http/routes/index.js';
import { createServices, type AppServices, type ComposedServices } from '../../../lib/http/services.js';
import type { Role } from '../../../lib/http/types.js';
import type { ExecutionStore } from '../../../lib/ports/execution-store.js';
import { ExecutionRunner } from '../../../lib/services/execution-runner.js';
import { ExecutionService } from '../../../lib/services/executions.js';

export interface Caller {
  readonly type?: 'user' | 'api_key' | 'service';
  readonly subject?: string;
  readonly tenantId?: string | null;
  readonly roles?: readonly Role[];
  readonly platformAdmin?: boolean;
}

export interface CallOptions {
  readonly as?: Caller | null;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export interface Api {
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  /** Waits until every async execution dispatched so far has finished. */
  idle(): Promise<void>;
  readonly services: AppServices;
  /** The execution store behind the services (to set up PENDING executions nobody runs). */
  readonly store: ExecutionStore;
  readonly exportsDir: string;
  close(): Promise<void>;
}

/** `extra`: services added to (or replacing) the composed ones, e.g. `usageKeys`. */
export async function startApi(extra: Partial<AppServices> = {}): Promise<Api> {
  const exportsDir = mkdtempSync(join(tmpdir(), 'glaf-exports-'));
  const composed: ComposedServices = await createServices({
    dataDir: 'memory',
    tenantExports: new FileExportSink(exportsDir),
  });
  const base = composed.services;
  // The same services as composed, with a dispatcher the tests can wait on.
  const runner = new ExecutionRunner({
    store: composed.executionStore,
    registry: base.registry,
    builtins: builtinAgents(),
    context: { factors: base.catalogue },
  });
  const dispatcher = new InlineDispatcher(runner);
  const services: AppServices = {
    ...base,
    executions: new ExecutionService({
      store: composed.executionStore,
      registry: base.registry,
      runner,
      dispatcher,
    }),
    ...extra,
  };
  const handler = createApiHandler(routes, () => services, {
    logger: new Logger({
      serviceName: 'route-tests',
      logLevel: process.env.ROUTE_TEST_LOG_LEVEL === 'ERROR' ? 'ERROR' : 'SILENT',
    }),
  });

  const call = callerFor(handler);

  return {
    call,
    idle: () => dispatcher.idle(),
    services,
    store: composed.executionStore,
    exportsDir,
    close: async () => {
      await dispatcher.idle();
      await composed.close();
      rmSync(exportsDir, { recursive: true, force: true });
    },
  };
}

/** Calls a middy API handler the way API Gateway would, with the principal in the authorizer context. */
export function callerFor(
  handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>,
): (method: string, path: string, options?: CallOptions) => Promise<Reply> {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const result = await handler(eventOf(method, path, options, headers), context());
    const outHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(result.headers ?? {})) outHeaders[k.toLowerCase()] = String(v);
    const text = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
    return {
      status: result.statusCode,
      headers: outHeaders,
      text,
      body: text ? JSON.parse(text) : undefined,
    };
  };
}

function eventOf(
  method: string,
  path: string,
  options: CallOptions,
  headers: Record<string, string>,
): APIGatewayProxyEvent {
  const as = options.as;
  const authorizer =
    as === undefined || as === null
      ? null
      : {
          principalType: as.type ?? 'user',
          subject: as.subject ?? `user-${randomUUID()}`,
          tenantId: as.tenantId ?? '',
          roles: (as.roles ?? []).join(','),
          platformAdmin: as.platformAdmin ? 'true' : 'false',
        };
  const query = options.query && Object.keys(options.query).length > 0 ? { ...options.query } : null;
  return {
    httpMethod: method,
    path,
    resource: '/{proxy+}',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: query,
    multiValueQueryStringParameters: query
      ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      identity: { sourceIp: '127.0.0.1' },
      authorizer,
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

function context(): Context {
  return {
    awsRequestId: randomUUID(),
    functionName: 'api',
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context;
}

/** Onboards a tenant through the API as a platform admin; returns its id. */
export async function onboard(api: Api, slug: string): Promise<string> {
  const res = await api.call('POST', '/v1/tenants', {
    as: { platformAdmin: true, subject: `platform-${slug}` },
    body: { slug, name: `${slug} Ltd`, home_region: 'eu-west-1', admin: { email: `admin@${slug}.example` } },
  });
  if (res.status !== 201) throw new Error(`onboarding ${slug} failed: ${res.status} ${res.text}`);
  return res.body.tenant.tenant_id as string;
}

export const member = (tenantId: string, role: Role): Caller => ({
  tenantId,
  roles: [role],
  subject: `${role}@${tenantId.slice(0, 8)}`,
});
