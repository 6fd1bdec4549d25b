/**
 * Control-plane routes (platform admins): onboard, list, get, quotas, config, suspend,
 * resume, offboard (lifecycle in tenant-lifecycle.ts). The tenant store writes each change's audit entry in the same
 * transaction, with the platform admin as actor.
 */
import * as z from 'zod';

import { SlugSchema, TENANT_TIERS } from '../../domain/tenant.js';
import { ensureUsageKeyBestEffort } from '../../services/usage-keys.js';
import type { AnyRoute } from '../router.js';
import { defineRoute } from '../types.js';

import { actorOf, cursorKey, cursorSchema, limitSchema, nextCursorOf, pageSchema } from './common.js';
import { tenantLifecycleRoutes } from './tenant-lifecycle.js';
import {
  configToDomain,
  quotasPatchSchema,
  quotasSchema,
  quotasToDomain,
  quotasView,
  tenantConfigSchema,
  tenantSchema,
  tenantView,
} from './tenant-views.js';

const tags = ['tenants'];
const idParams = z.strictObject({ tenantId: z.uuid('a tenant id (UUID)') });

const onboardBody = z.strictObject({
  slug: SlugSchema,
  name: z.string().trim().min(1).max(200),
  tier: z.enum(TENANT_TIERS).default('pool'),
  home_region: z.string().regex(/^[a-z]{2}-[a-z]+-\d$/, 'an AWS region such as eu-west-1'),
  config: tenantConfigSchema.optional(),
  admin: z.strictObject({ email: z.email(), display_name: z.string().max(200).default('') }),
});

const tenantWithQuotas = tenantSchema.extend({ quotas: quotasSchema });

export const tenantRoutes: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'createTenant',
    method: 'POST',
    path: '/v1/tenants',
    summary: 'Onboard a tenant with its first admin',
    tags,
    access: 'platform-admin',
    sensitive: true,
    body: onboardBody,
    response: z.object({ tenant: tenantSchema, admin_user_id: z.uuid() }),
    successStatus: 201,
    handler: async (ctx, { body }) => {
      const res = await ctx.services.tenants.onboard(
        {
          slug: body.slug,
          name: body.name,
          tier: body.tier,
          homeRegion: body.home_region,
          config: configToDomain(body.config ?? {}),
          admin: { email: body.admin.email, displayName: body.admin.display_name },
        },
        actorOf(ctx),
      );
      // The tenant's API Gateway usage-plan key now, so its first calls are not refused while
      // the tenant.created event is on its way; that event provisions it if this fails.
      await ensureUsageKeyBestEffort(ctx.services.usageKeys, res.tenant, (error) =>
        ctx.logger.warn('usage key not provisioned at onboarding; the tenant.created event will', {
          tenantId: res.tenant.id,
          error,
        }),
      );
      return {
        status: 201,
        headers: { Location: `/v1/tenants/${res.tenant.id}` },
        body: { tenant: tenantView(res.tenant), admin_user_id: res.adminUserId },
      };
    },
  }),
  defineRoute({
    operationId: 'listTenants',
    method: 'GET',
    path: '/v1/tenants',
    summary: 'List tenants by slug',
    tags,
    access: 'platform-admin',
    query: z.strictObject({ limit: limitSchema, cursor: cursorSchema.optional() }),
    response: pageSchema(tenantSchema),
    handler: async (ctx, { query }) => {
      const afterSlug = cursorKey(query.cursor);
      const rows = await ctx.services.tenants.list({
        ...(afterSlug ? { afterSlug } : {}),
        limit: query.limit + 1,
      });
      return {
        status: 200,
        body: {
          items: rows.slice(0, query.limit).map(tenantView),
          next_cursor: nextCursorOf(rows, query.limit, (t) => t.slug),
        },
      };
    },
  }),
  defineRoute({
    operationId: 'getTenant',
    method: 'GET',
    path: '/v1/tenants/{tenantId}',
    summary: 'A tenant with its quotas',
    tags,
    access: 'platform-admin',
    params: idParams,
    response: tenantWithQuotas,
    handler: async (ctx, { params }) => {
      const tenant = await ctx.services.tenants.get(params.tenantId);
      const quotas = await ctx.services.tenants.getQuotas(tenant.id);
      return { status: 200, body: { ...tenantView(tenant), quotas: quotasView(quotas) } };
    },
  }),
  defineRoute({
    operationId: 'updateTenantQuotas',
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/quotas',
    summary: 'Change some of a tenant quotas',
    tags,
    access: 'platform-admin',
    params: idParams,
    body: quotasPatchSchema,
    response: quotasSchema,
    handler: async (ctx, { params, body }) => {
      const quotas = await ctx.services.tenants.updateQuotas(
        params.tenantId,
        quotasToDomain(body),
        actorOf(ctx),
      );
      return { status: 200, body: quotasView(quotas) };
    },
  }),
  defineRoute({
    operationId: 'updateTenantConfig',
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}/config',
    summary: 'Replace a tenant configuration',
    tags,
    access: 'platform-admin',
    params: idParams,
    body: tenantConfigSchema,
    response: tenantSchema,
    handler: async (ctx, { params, body }) => {
      const tenant = await ctx.services.tenants.updateConfig(
        params.tenantId,
        configToDomain(body),
        actorOf(ctx),
      );
      return { status: 200, body: tenantView(tenant) };
    },
  }),
  ...tenantLifecycleRoutes,
];
