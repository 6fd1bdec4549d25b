/**
 * Public system routes: liveness (`health`), readiness (`ready`, asks the services' optional
 * `ready()` probe) and the OpenAPI document of the whole route table (`getOpenApi`).
 * The table is passed as a thunk because it includes these routes themselves:
 * `const routes = [...systemRoutes(() => routes), ...]`.
 */
import * as z from 'zod';

import { buildOpenApi } from '../openapi.js';
import { HttpProblem } from '../problem.js';
import type { AnyRoute } from '../router.js';
import type { AppServices } from '../services.js';
import { defineRoute } from '../types.js';

/** A services object may expose a readiness probe (database reachable, migrations done, ...). */
interface ReadyProbe {
  ready?: () => boolean | void | Promise<boolean | void>;
}

const StatusSchema = z.object({ status: z.enum(['ok', 'ready']) });

export const healthRoute = defineRoute({
  operationId: 'health',
  method: 'GET',
  path: '/health',
  summary: 'Liveness: the process answers',
  tags: ['system'],
  access: 'public',
  response: StatusSchema,
  handler: () => Promise.resolve({ status: 200, body: { status: 'ok' } }),
});

export const readyRoute = defineRoute({
  operationId: 'ready',
  method: 'GET',
  path: '/ready',
  summary: 'Readiness: the services this API needs answer',
  tags: ['system'],
  access: 'public',
  response: StatusSchema,
  handler: async (ctx) => {
    const probe = (ctx.services as AppServices & ReadyProbe).ready;
    let ready: boolean;
    try {
      ready = probe ? (await probe.call(ctx.services)) !== false : true;
    } catch (error) {
      ctx.logger.warn('readiness probe failed', error as Error);
      ready = false;
    }
    if (!ready)
      throw new HttpProblem(
        503,
        'not_ready',
        'Service Unavailable',
        'A dependency is not ready; retry later',
      );
    return { status: 200, body: { status: 'ready' } };
  },
});

export function openApiRoute(allRoutes: () => readonly AnyRoute[]): AnyRoute {
  let document: unknown; // built on first use: the table is complete by then, and it never changes
  return defineRoute({
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/v1/openapi.json',
    summary: 'The OpenAPI 3.1 document of this API',
    tags: ['system'],
    access: 'public',
    handler: () => {
      document ??= buildOpenApi(allRoutes());
      return Promise.resolve({ status: 200, body: document });
    },
  });
}

export function systemRoutes(allRoutes: () => readonly AnyRoute[]): AnyRoute[] {
  return [healthRoute, readyRoute, openApiRoute(allRoutes)];
}
