/**
 * Agent routes: the platform's agents (built-in and declarative, via the registry) and the
 * tenant's own declarative agents, their versions and lifecycle. Ids of other tenants'
 * agents resolve to nothing (404), exactly like ids that never existed.
 */
import { z } from 'zod';

import { loadSpecObject, SpecError } from '../../agents/declarative/index.js';
import type { AnyRoute } from '../router.js';
import { defineRoute, type RequestContext } from '../types.js';

import {
  agentDetailSchema,
  agentIdSchema,
  agentSchema,
  agentVersionSchema,
  agentView,
  promoteBody,
  publishBody,
  registerBody,
  specValidationError,
  versionKey,
  versionSchema,
  versionView,
  withSpecIssues,
} from './agent-views.js';
import { actorOf, cursorSchema, limitSchema, pageSchema, paginate, tenantOf } from './common.js';

const tags = ['agents'];
const agentParams = z.strictObject({ agentId: agentIdSchema });
const versionParams = z.strictObject({ agentId: agentIdSchema, version: versionSchema });
const pageQuery = z.strictObject({ limit: limitSchema, cursor: cursorSchema.optional() });

async function audit(ctx: RequestContext, action: string, target: string, data: Record<string, unknown>) {
  await ctx.services.audit.record(tenantOf(ctx), { actor: actorOf(ctx), action, target, data });
}

export const agentRoutes: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'listAgents',
    method: 'GET',
    path: '/v1/agents',
    summary: "The platform's agents and the tenant's own, by id",
    tags,
    access: 'tenant',
    query: pageQuery,
    response: pageSchema(agentSchema),
    handler: async (ctx, { query }) => {
      const agents = (await ctx.services.registry.listAgents(tenantOf(ctx))).map(agentView);
      // A tenant agent and a platform agent never share a name (the registry refuses it).
      return { status: 200, body: paginate(agents, (a) => a.agent_id, query.limit, query.cursor) };
    },
  }),
  defineRoute({
    operationId: 'getAgent',
    method: 'GET',
    path: '/v1/agents/{agentId}',
    summary: 'An agent with its versions and their lifecycle stages',
    tags,
    access: 'tenant',
    params: agentParams,
    response: agentDetailSchema,
    handler: async (ctx, { params }) => {
      const tenantId = tenantOf(ctx);
      const record = await ctx.services.registry.getAgent(tenantId, params.agentId);
      const versions = await ctx.services.registry.listVersions(tenantId, params.agentId);
      return {
        status: 200,
        body: {
          ...agentView(record),
          versions: [...versions]
            .sort((a, b) => (versionKey(a) < versionKey(b) ? -1 : 1))
            .map((v) => ({ version: v.version, status: v.status })),
        },
      };
    },
  }),
  defineRoute({
    operationId: 'registerAgent',
    method: 'POST',
    path: '/v1/agents',
    summary: 'Register a declarative agent from its spec (first version as a draft)',
    tags,
    access: 'tenant',
    body: registerBody,
    response: z.object({ agent: agentSchema, version: agentVersionSchema }),
    successStatus: 201,
    handler: async (ctx, { body }) => {
      const tenantId = tenantOf(ctx);
      const { spec } = body;
      // Load the spec before anything is written: a bad spec leaves no agent behind.
      const loaded = loadSpecObject(spec, { factors: ctx.services.catalogue }, `${spec.id}@${spec.version}`);
      if (loaded instanceof SpecError) throw specValidationError(loaded, 'body.spec');
      const agent = await ctx.services.registry.createAgent(tenantId, {
        name: spec.id,
        kind: 'declarative',
        displayName: body.display_name ?? (typeof spec['name'] === 'string' ? spec['name'] : ''),
        description: body.description ?? (typeof spec['description'] === 'string' ? spec['description'] : ''),
      });
      const version = await ctx.services.registry.publishVersion(tenantId, agent.name, {
        version: spec.version,
        manifest: spec,
        goldenTests: body.golden_tests,
      });
      await audit(ctx, 'agent.registered', `agent:${agent.name}`, { version: version.version });
      return {
        status: 201,
        headers: { Location: `/v1/agents/${agent.name}` },
        body: { agent: agentView(agent), version: versionView(version) },
      };
    },
  }),
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
