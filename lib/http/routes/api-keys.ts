/**
 * API keys of the caller's tenant (admins only, see lib/domain/rbac.ts): create (the full key
 * is in this one response and never again), list (no secrets, no hashes), revoke. Creation
 * and revocation are recorded in the tenant's audit trail.
 */
import * as z from 'zod';

import { MEMBER_ROLES } from '../../domain/roles.js';
import type { ApiKey } from '../../services/api-keys.js';
import type { AnyRoute } from '../router.js';
import { defineRoute, type RequestContext } from '../types.js';

import { actorOf, cursorSchema, limitSchema, pageSchema, paginate, tenantOf } from './common.js';

const tags = ['api-keys'];

export const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe('Not secret: the first part of the key, to recognise it in lists'),
  role: z.enum(MEMBER_ROLES),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime().nullable(),
  revoked_at: z.iso.datetime().nullable(),
  last_used_at: z.iso.datetime().nullable(),
});

function apiKeyView(k: ApiKey): z.infer<typeof apiKeySchema> {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    role: k.role,
    created_at: k.createdAt,
    expires_at: k.expiresAt,
    revoked_at: k.revokedAt,
    last_used_at: k.lastUsedAt,
  };
}

async function audit(ctx: RequestContext, action: string, k: ApiKey): Promise<void> {
  await ctx.services.audit.record(k.tenantId, {
    actor: actorOf(ctx),
    action,
    target: `api_key:${k.id}`,
    data: { name: k.name, prefix: k.prefix, role: k.role },
  });
}

export const apiKeyRoutes: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'createApiKey',
    method: 'POST',
    path: '/v1/api-keys',
    summary: 'Create an API key for a service account (the key is shown once)',
    tags,
    access: 'tenant',
    sensitive: true,
    body: z.strictObject({
      name: z.string().trim().min(1).max(100),
      role: z.enum(MEMBER_ROLES),
      expires_at: z.iso.datetime({ offset: true }).optional(),
    }),
    response: apiKeySchema.extend({
      key: z.string().describe('glaf_<prefix>_<secret>: store it now, it cannot be shown again'),
    }),
    successStatus: 201,
    handler: async (ctx, { body }) => {
      const { apiKey, key } = await ctx.services.apiKeys.create(tenantOf(ctx), {
        name: body.name,
        role: body.role,
        ...(body.expires_at ? { expiresAt: body.expires_at } : {}),
      });
      await audit(ctx, 'api_key.created', apiKey);
      return {
        status: 201,
        // no-store: the only copy of the secret must not sit in a cache on the way.
        headers: { Location: `/v1/api-keys/${apiKey.id}`, 'Cache-Control': 'no-store' },
        body: { ...apiKeyView(apiKey), key },
      };
    },
  }),
  defineRoute({
    operationId: 'listApiKeys',
    method: 'GET',
    path: '/v1/api-keys',
    summary: 'List the API keys of your tenant (without secrets)',
    tags,
    access: 'tenant',
    query: z.strictObject({ limit: limitSchema, cursor: cursorSchema.optional() }),
    response: pageSchema(apiKeySchema),
    handler: async (ctx, { query }) => {
      const keys = await ctx.services.apiKeys.list(tenantOf(ctx));
      const page = paginate(keys, (k) => `${k.createdAt}|${k.id}`, query.limit, query.cursor);
      return { status: 200, body: { items: page.items.map(apiKeyView), next_cursor: page.next_cursor } };
    },
  }),
  defineRoute({
    operationId: 'revokeApiKey',
    method: 'DELETE',
    path: '/v1/api-keys/{keyId}',
    summary: 'Revoke an API key (idempotent); cached authorizations end within 5 minutes',
    tags,
    access: 'tenant',
    sensitive: true,
    params: z.strictObject({ keyId: z.uuid('an API key id (UUID)') }),
    response: apiKeySchema,
    handler: async (ctx, { params }) => {
      const revoked = await ctx.services.apiKeys.revoke(tenantOf(ctx), params.keyId);
      await audit(ctx, 'api_key.revoked', revoked);
      return { status: 200, body: apiKeyView(revoked) };
    },
  }),
];
