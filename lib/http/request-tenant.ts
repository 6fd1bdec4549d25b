/**
 * The verified tenant of the request being served (the authorizer's `tenantId`), carried
 * through the request's async work with AsyncLocalStorage, so stores far below the route can
 * check that a call is about that tenant (lib/adapters/aws/tenant-routed-stores.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { rawTenantId } from './principal.js';

const storage = new AsyncLocalStorage<string | null>();

/** The request's verified tenant; null for a principal without one; undefined outside a request. */
export function currentRequestTenant(): string | null | undefined {
  return storage.getStore();
}

/** Runs `fn` as the request of `tenantId`. */
export function runAsRequestTenant<T>(tenantId: string | null, fn: () => T): T {
  return storage.run(tenantId, fn);
}

/** Wraps an API Gateway handler so everything it does knows the authorizer's tenant. */
export function withRequestTenant<C, R>(
  handler: (event: APIGatewayProxyEvent, context: C) => Promise<R>,
): (event: APIGatewayProxyEvent, context: C) => Promise<R> {
  return (event, context) => runAsRequestTenant(rawTenantId(event), () => handler(event, context));
}
