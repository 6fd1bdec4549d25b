/**
 * Who is calling, from the flat context the authorizer attached to the event (API Gateway
 * passes context values as strings), and whether they may call the matched route.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';

import { isAllowed } from '../domain/rbac.js';
import { isMemberRole } from '../domain/roles.js';

import { HttpProblem } from './problem.js';
import type { AnyRoute } from './router.js';
import type { Principal } from './types.js';

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

const AuthorizerContextSchema = z.object({
  principalType: z.enum(['user', 'api_key', 'service']),
  subject: z.string().min(1),
  tenantId: z.string().nullish(),
  roles: z.string().nullish(),
  platformAdmin: flag.nullish(),
});

/** The principal, or null when the event carries no (usable) authorizer context. */
export function principalFrom(event: APIGatewayProxyEvent): Principal | null {
  const parsed = AuthorizerContextSchema.safeParse(event.requestContext?.authorizer ?? undefined);
  if (!parsed.success) return null;
  const ctx = parsed.data;
  const tenantId = ctx.tenantId && ctx.tenantId !== 'null' ? ctx.tenantId : null;
  // Unknown role names grant nothing; dropping them errs on the side of less access.
  const roles = (ctx.roles ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(isMemberRole);
  return {
    type: ctx.principalType,
    subject: ctx.subject,
    tenantId,
    roles,
    platformAdmin: ctx.platformAdmin ?? false,
  };
}

/** The raw tenant id of the authorizer context, for log keys before anything is checked. */
export function rawTenantId(event: APIGatewayProxyEvent): string | null {
  const value: unknown = event.requestContext?.authorizer?.tenantId;
  return typeof value === 'string' && value !== '' && value !== 'null' ? value : null;
}

/** 401 without a principal, 403 when the RBAC matrix says no. Public routes pass. */
export function checkAccess(route: AnyRoute, principal: Principal | null): void {
  if (route.access === 'public') return;
  if (principal === null) {
    throw new HttpProblem(
      401,
      'unauthorized',
      'Unauthorized',
      'This route needs a bearer token (Authorization: Bearer <jwt>) or an API key (x-api-key)',
      {},
      { 'WWW-Authenticate': 'Bearer' },
    );
  }
  const needsTenant = route.access === 'tenant';
  if ((needsTenant && principal.tenantId === null) || !isAllowed(route.operationId, principal)) {
    const who =
      route.access === 'platform-admin'
        ? 'a platform administrator'
        : 'a tenant member with a role allowed here';
    throw new HttpProblem(403, 'forbidden', 'Forbidden', `Operation ${route.operationId} needs ${who}`);
  }
}
