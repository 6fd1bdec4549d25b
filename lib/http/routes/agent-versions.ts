/**
 * Agent version routes: list, publish (a draft), get, promote along the lifecycle
 * (certification runs the golden tests). Writes are audited; other tenants' agents are 404.
 */
import * as z from 'zod';

import type { AnyRoute } from '../router.js';
import { defineRoute } from '../types.js';

import {
  agentIdSchema,
  agentVersionSchema,
  promoteBody,
  publishBody,
  versionKey,
  versionSchema,
  versionView,
  withSpecIssues,
} from './agent-views.js';
import { audit, cursorSchema, limitSchema, pageSchema, paginate, tenantOf } from './common.js';

const tags = ['agents'];
const agentParams = z.strictObject({ agentId: agentIdSchema });
const versionParams = z.strictObject({ agentId: agentIdSchema, version: versionSchema });
const pageQuery = z.strictObject({ limit: limitSchema, cursor: cursorSchema.optional() });

export const agentVersionRoutes: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'listAgentVersions',
    method: 'GET',
    path: '/v1/agents/{agentId}/versions',
    summary: 'Versions of an agent, oldest first',
    tags,
    access: 'tenant',
    params: agentParams,
    query: pageQuery,
    response: pageSchema(agentVersionSchema),
    handler: async (ctx, { params, query }) => {
      const versions = await ctx.services.registry.listVersions(tenantOf(ctx), params.agentId);
      const page = paginate(versions, versionKey, query.limit, query.cursor);
      return { status: 200, body: { items: page.items.map(versionView), next_cursor: page.next_cursor } };
    },
  }),
  defineRoute({
    operationId: 'publishAgentVersion',
    method: 'POST',
    path: '/v1/agents/{agentId}/versions',
    summary: "Publish a new draft version of the tenant's agent",
    tags,
    access: 'tenant',
    params: agentParams,
    body: publishBody,
    response: agentVersionSchema,
    successStatus: 201,
    handler: async (ctx, { params, body }) => {
      const version = await withSpecIssues('body.manifest', () =>
        ctx.services.registry.publishVersion(tenantOf(ctx), params.agentId, {
          version: body.version,
          manifest: body.manifest,
          goldenTests: body.golden_tests,
          dependencies: body.dependencies,
        }),
      );
      await audit(ctx, 'agent.version.published', `agent:${params.agentId}@${version.version}`, {});
      return {
        status: 201,
        headers: { Location: `/v1/agents/${params.agentId}/versions/${version.version}` },
        body: versionView(version),
      };
    },
  }),
  defineRoute({
    operationId: 'getAgentVersion',
    method: 'GET',
    path: '/v1/agents/{agentId}/versions/{version}',
    summary: 'One version: manifest, golden tests, dependencies, stage',
    tags,
    access: 'tenant',
    params: versionParams,
    response: agentVersionSchema,
    handler: async (ctx, { params }) => {
      const version = await ctx.services.registry.getVersion(tenantOf(ctx), params.agentId, params.version);
      return { status: 200, body: versionView(version) };
    },
  }),
  defineRoute({
    operationId: 'promoteAgentVersion',
    method: 'POST',
    path: '/v1/agents/{agentId}/versions/{version}/promote',
    summary: 'Move a version one stage on (certification runs its golden tests)',
    tags,
    access: 'tenant',
    params: versionParams,
    body: promoteBody,
    response: agentVersionSchema,
    handler: async (ctx, { params, body }) => {
      const version = await withSpecIssues('manifest', () =>
        ctx.services.registry.promote(tenantOf(ctx), params.agentId, params.version, body.to),
      );
      await audit(ctx, 'agent.version.promoted', `agent:${params.agentId}@${params.version}`, {
        to: body.to,
      });
      return { status: 200, body: versionView(version) };
    },
  }),
];
