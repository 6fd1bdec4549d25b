/**
 * The seam of the HTTP layer: route definitions, request context and results.
 * Shared by the Lambda handler, the local server and every route module (design contract, issue 4).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { z } from 'zod';

import type { MemberRole } from '../domain/roles.js';

import type { AppServices } from './services.js';

/** Same union as the domain's membership roles; one definition, re-exported under the API's name. */
export type Role = MemberRole;

export interface Principal {
  readonly type: 'user' | 'api_key' | 'service';
  readonly subject: string; // JWT sub, API key id, or service name
  readonly tenantId: string | null; // uuid; null only for a platform admin acting without a tenant
  readonly roles: readonly Role[];
  readonly platformAdmin: boolean;
}

export type Access = 'public' | 'tenant' | 'platform-admin';

export interface RequestContext {
  readonly requestId: string;
  readonly principal: Principal | null; // null on public routes
  readonly logger: Logger; // child logger with requestId and tenantId keys
  readonly services: AppServices; // from lib/http/services.ts (D); import type only
  readonly headers: Readonly<Record<string, string>>; // lower-cased names
}

export interface HttpResult {
  readonly status: number;
  readonly body?: unknown; // JSON-serialised by the pipeline
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

export interface Deprecation {
  readonly deprecatedAt: string;
  readonly sunsetAt: string;
  readonly link?: string;
}

export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
  readonly operationId: string; // MUST be one of the ids in the design contract's table
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string; // '/v1/agents/{agentId}'
  readonly summary: string;
  readonly tags: readonly string[];
  readonly access: Access;
  readonly sensitive?: boolean; // 10 requests/minute per tenant+route
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  readonly response?: z.ZodType; // success body schema, for OpenAPI
  readonly successStatus?: number; // default 200
  readonly deprecation?: Deprecation;
  readonly handler: (ctx: RequestContext, input: RouteInput<P, Q, B>) => Promise<HttpResult>;
}

export function defineRoute<P, Q, B>(r: RouteDef<P, Q, B>): RouteDef<P, Q, B> {
  return r;
}
