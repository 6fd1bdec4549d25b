/**
 * The request pipeline as middy middlewares, in the design contract's order:
 * request id + logger -> route (404/405) -> Accept (406) -> principal + RBAC (401/403)
 * -> rate limit (429) -> body + validation (413/400) -> handler -> ETag/304 -> gzip.
 * Each step that refuses throws an HttpProblem; `problems` renders it (and any other error)
 * as RFC 9457 problem+json. State lives per event in a WeakMap, so nothing leaks between requests.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

import { gzipBody } from './compression.js';
import { etagOf, notModified } from './etag.js';
import { parseFields } from './fields.js';
import { parseInput } from './input.js';
import { requestLogger } from './logger.js';
import { checkAccess, principalFrom, rawTenantId } from './principal.js';
import { HttpProblem, problemResponse, toProblem } from './problem.js';
import type { RateLimitGate } from './rate-limit.js';
import type { AnyRoute, Router } from './router.js';
import type { AppServices } from './services.js';
import type { Principal, RouteInput } from './types.js';
import { API_VERSION, deprecationHeaders, negotiateContentType } from './versioning.js';

export interface PipelineState {
  readonly requestId: string;
  readonly headers: Readonly<Record<string, string>>;
  logger: Logger;
  services?: AppServices;
  route?: AnyRoute;
  params: Record<string, string>;
  contentType: string;
  principal: Principal | null;
  rateHeaders: Record<string, string>;
  fields: string[] | null;
  input?: RouteInput<unknown, unknown, unknown>;
}

export interface PipelineDeps {
  readonly router: Router;
  readonly getServices: () => AppServices | Promise<AppServices>;
  readonly logger: Logger;
  readonly rateLimit: RateLimitGate;
  readonly maxBodyBytes: number;
}

type Mw = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;
type Req = Request<APIGatewayProxyEvent, APIGatewayProxyResult>;

const states = new WeakMap<APIGatewayProxyEvent, PipelineState>();

export function stateOf(event: APIGatewayProxyEvent): PipelineState {
  const state = states.get(event);
  if (!state) throw new Error('pipeline state missing: the request did not pass the begin middleware');
  return state;
}

function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers'] | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

/** 1. Request id, logger child, services; logs one access line per request on the way out. */
export function begin(deps: PipelineDeps): Mw {
  const started = new WeakMap<APIGatewayProxyEvent, number>();
  const done = (request: Req): void => {
    const state = states.get(request.event);
    const status = request.response?.statusCode ?? 500;
    const durationMs = Date.now() - (started.get(request.event) ?? Date.now());
    state?.logger.info('request completed', {
      method: request.event.httpMethod,
      path: request.event.path,
      status,
      durationMs,
    });
  };
  return {
    before: async (request) => {
      const { event } = request;
      started.set(event, Date.now());
      const requestId = event.requestContext?.requestId || crypto.randomUUID();
      const logger = requestLogger(deps.logger, { requestId, tenantId: rawTenantId(event) });
      states.set(event, {
        requestId,
        headers: lowerCaseHeaders(event.headers),
        logger,
        params: {},
        contentType: 'application/json',
        principal: null,
        rateHeaders: {},
        fields: null,
      });
      stateOf(event).services = await deps.getServices();
    },
    after: done,
    onError: done,
  };
}

/** Turns every error into a problem response with the standard headers. */
export function problems(): Mw {
  return {
    onError: (request) => {
      const state = states.get(request.event);
      const { problem, internal } = toProblem(request.error);
      const requestId = state?.requestId ?? request.event.requestContext?.requestId ?? 'unknown';
      if (internal) state?.logger.error('unhandled error', request.error as Error);
      else state?.logger.info('request refused', { status: problem.status, problem: problem.code });
      request.response = decorate(request.event, problemResponse(problem, request.event.path, requestId));
    },
  };
}

/** 2-6. Route, Accept, principal + RBAC, rate limit, input. */
export function admit(deps: PipelineDeps): Mw {
  return {
    before: async ({ event }) => {
      const state = stateOf(event);
      const match = deps.router.match(event.httpMethod, event.path);
      if (match.kind === 'not_found') {
        throw new HttpProblem(404, 'not_found', 'Not Found', `No route for ${event.path}`);
      }
      if (match.kind === 'method_not_allowed') {
        const allow = match.allow.join(', ');
        throw new HttpProblem(
          405,
          'method_not_allowed',
          'Method Not Allowed',
          `${event.path} allows ${allow}`,
          {},
          {
            Allow: allow,
          },
        );
      }
      const { route } = match;
      state.route = route;
      state.params = match.params;
      // Persistent keys of this request's own child: one createChild per request is enough.
      state.logger.appendPersistentKeys({ operationId: route.operationId });
      state.contentType = negotiateContentType(state.headers.accept);
      state.principal = principalFrom(event);
      checkAccess(route, state.principal);
      state.rateHeaders = await deps.rateLimit(
        state.services!,
        {
          operationId: route.operationId,
          sensitive: route.sensitive === true,
          principal: state.principal,
          sourceIp: event.requestContext?.identity?.sourceIp ?? 'unknown',
        },
        state.logger,
      );
      if (route.method === 'GET')
        state.fields = parseFields(event.queryStringParameters?.fields ?? undefined);
      state.input = await parseInput(route, event, state.params, deps.maxBodyBytes);
    },
  };
}

/** 8. ETag and If-None-Match on GET 200s. */
export function conditional(): Mw {
  return {
    after: ({ event, response }) => {
      if (!response || event.httpMethod !== 'GET' || response.statusCode !== 200) return;
      const etag = etagOf(response.body);
      response.headers = { ...response.headers, ETag: etag };
      if (notModified(stateOf(event).headers['if-none-match'], etag)) {
        // A 304 has no body, so it describes no content type either.
        const headers = Object.fromEntries(
          Object.entries(response.headers).filter(([k]) => k !== 'Content-Type'),
        );
        Object.assign(response, { statusCode: 304, body: '', headers });
      }
    },
  };
}

/** 8. gzip for large bodies, then the headers every routed response carries. */
export function finish(): Mw {
  return {
    after: (request) => {
      const response = request.response;
      if (!response) return;
      const gz = response.isBase64Encoded
        ? null
        : gzipBody(response.body, stateOf(request.event).headers['accept-encoding']);
      if (gz !== null) {
        response.body = gz;
        response.isBase64Encoded = true;
        response.headers = { ...response.headers, 'Content-Encoding': 'gzip' };
      }
      request.response = decorate(request.event, response);
    },
  };
}

function decorate(event: APIGatewayProxyEvent, response: APIGatewayProxyResult): APIGatewayProxyResult {
  const state = states.get(event);
  const headers: Record<string, string | number | boolean> = {
    ...response.headers,
    ...state?.rateHeaders,
    ...deprecationHeaders(state?.route?.deprecation),
    'X-API-Version': API_VERSION,
    Vary: 'Accept, Accept-Encoding',
  };
  if (state) headers['X-Request-Id'] = state.requestId;
  return { ...response, headers };
}
