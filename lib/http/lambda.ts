/**
 * `createApiHandler(routes, getServices)`: the middy handler over API Gateway REST proxy
 * events that both Lambda (lambdas/api/handler.ts) and the local server run. The route
 * table is checked against the RBAC matrix at startup, so a route cannot go live unguarded.
 * Each request runs as its authorizer's tenant (request-tenant.ts).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

import { ROUTE_ACCESS, isOperationId } from '../domain/rbac.js';

import { applyFields } from './fields.js';
import { DEFAULT_MAX_BODY_BYTES } from './input.js';
import { apiLogger } from './logger.js';
import { admit, begin, conditional, finish, problems, stateOf, type PipelineDeps } from './pipeline.js';
import { createRateLimitGate, type RateLimitOptions } from './rate-limit.js';
import { withRequestTenant } from './request-tenant.js';
import { createRouter, type AnyRoute } from './router.js';
import type { AppServices } from './services.js';

export interface ApiHandlerOptions extends RateLimitOptions {
  /** Larger bodies get 413. @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** Parent of the per-request child loggers. @default the module's Powertools logger */
  readonly logger?: Logger;
}

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export function createApiHandler(
  routes: readonly AnyRoute[],
  getServices: () => AppServices | Promise<AppServices>,
  options: ApiHandlerOptions = {},
): ApiHandler {
  assertMatchesRbac(routes);
  const deps: PipelineDeps = {
    router: createRouter(routes),
    getServices,
    logger: options.logger ?? apiLogger,
    rateLimit: createRateLimitGate(options),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  };
  // middy runs `after` middlewares in reverse order of `use`: conditional, then finish, then begin.
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(begin(deps))
    .use(problems())
    .use(finish())
    .use(conditional())
    .use(admit(deps))
    .handler(runRoute);
  // The authorizer's tenant is known to everything below (the tenant-routed stores check each
  // call against it, and sign it with that tenant's session of the tenant role).
  return withRequestTenant(handler);
}

/** 7. The route's handler, then `fields=` and JSON serialisation. */
async function runRoute(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const state = stateOf(event);
  const route = state.route!;
  const result = await route.handler(
    {
      requestId: state.requestId,
      principal: state.principal,
      logger: state.logger,
      services: state.services!,
      headers: state.headers,
    },
    state.input!,
  );
  let body = result.body;
  if (state.fields && result.status === 200 && body !== undefined)
    body = applyFields(body, state.fields, route.response);
  return {
    statusCode: result.status,
    headers: { ...result.headers, ...(body === undefined ? {} : { 'Content-Type': state.contentType }) },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

function assertMatchesRbac(routes: readonly AnyRoute[]): void {
  for (const route of routes) {
    if (!isOperationId(route.operationId)) {
      throw new Error(
        `Route ${route.method} ${route.path}: operationId '${route.operationId}' is not in lib/domain/rbac.ts`,
      );
    }
    const rule = ROUTE_ACCESS[route.operationId];
    if (rule.access !== route.access || rule.sensitive !== (route.sensitive === true)) {
      throw new Error(
        `Route ${route.operationId} says access=${route.access} sensitive=${route.sensitive === true}; ` +
          `lib/domain/rbac.ts says access=${rule.access} sensitive=${rule.sensitive}`,
      );
    }
  }
}
