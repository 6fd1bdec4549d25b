/**
 * Agent routes (versions in agent-versions.ts): the platform's agents (built-in and declarative, via the registry) and the
 * tenant's own declarative agents, their versions and lifecycle. Ids of other tenants'
 * agents resolve to nothing (404), exactly like ids that never existed.
 */
import * as z from 'zod';

import { loadSpecObject, SpecError } from '../../agents/declarative/index.js';
import type { AnyRoute } from '../router.js';
import { defineRoute } from '../types.js';

import {
  agentDetailSchema,
  agentIdSchema,
  agentSchema,
  agentVersionSchema,
  agentView,
  registerBody,
  specValidationError,
  versionKey,
  versionView,
} from './agent-views.js';
import { audit, cursorSchema, limitSchema, pageSchema, paginate, tenantOf } from './common.js';
import { agentVersionRoutes } from './agent-versions.js';

const tags = ['agents'];
const agentParams = z.strictObject({ agentId: agentIdSchema });
const pageQuery = z.strictObject({ limit: limitSchema, cursor: cursorSchema.optional() });

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
  ...agentVersionRoutes,
];
