/**
 * Small routes that exercise every branch of the pipeline. Their operation ids, access and
 * sensitivity are the contract's, so the real RBAC matrix decides who may call them.
 */
import { z } from 'zod';

import { ConflictError, NotFoundError, UnknownUnitError } from '../../lib/domain/errors.js';
import type { AnyRoute } from '../../lib/http/router.js';
import { systemRoutes } from '../../lib/http/routes/system.js';
import { defineRoute } from '../../lib/http/types.js';

const AgentSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(), // declared but never sent: fields=description is still known
  meta: z.object({ owner: z.string(), tags: z.array(z.string()) }),
});

const agent = (i: number) => ({
  id: `agent-${i}`,
  name: `Agent number ${i} with a reasonably long name`,
  meta: { owner: `team-${i % 3}`, tags: ['scope1', 'fuel', 'ghg-protocol'] },
});

export const listAgents = defineRoute({
  operationId: 'listAgents',
  method: 'GET',
  path: '/v1/agents',
  summary: 'List agents (test)',
  tags: ['agents'],
  access: 'tenant',
  query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }).strict(),
  response: z.object({ items: z.array(AgentSchema), next_cursor: z.string().nullable() }),
  handler: (ctx, { query }) => {
    ctx.logger.info('listing agents', { limit: query.limit });
    return Promise.resolve({
      status: 200,
      body: { items: Array.from({ length: query.limit }, (_, i) => agent(i)), next_cursor: null },
    });
  },
});

export const getAgent = defineRoute({
  operationId: 'getAgent',
  method: 'GET',
  path: '/v1/agents/{agentId}',
  summary: 'Get an agent (test); some ids fail on purpose',
  tags: ['agents'],
  access: 'tenant',
  params: z.object({ agentId: z.string().min(3, 'at least 3 characters') }),
  response: AgentSchema,
  handler: ({ principal }, { params }) => {
    switch (params.agentId) {
      case 'boom':
        // An internal failure whose message and stack must never reach the client.
        throw new Error('connection to postgres://app:s3cret@db.internal:5432 refused');
      case 'missing':
        throw new NotFoundError('agent', params.agentId);
      case 'conflict':
        throw new ConflictError('agent is being promoted');
      case 'unit':
        throw new UnknownUnitError('furlong', ['kg', 'kWh']);
      case 'whoami':
        return Promise.resolve({ status: 200, body: { ...agent(0), name: principal?.subject ?? 'none' } });
      default:
        return Promise.resolve({ status: 200, body: { ...agent(1), id: params.agentId } });
    }
  },
});

const RegisterSchema = z
  .object({
    name: z.string().min(1, 'must not be empty'),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'a semantic version such as 1.0.0'),
    config: z.object({ retries: z.number().int().min(0) }).strict(),
  })
  .strict();

export const registerAgent = defineRoute({
  operationId: 'registerAgent',
  method: 'POST',
  path: '/v1/agents',
  summary: 'Register an agent (test)',
  tags: ['agents'],
  access: 'tenant',
  body: RegisterSchema,
  response: AgentSchema,
  successStatus: 201,
  handler: (_ctx, { body }) =>
    Promise.resolve({
      status: 201,
      body: { ...agent(7), name: body.name },
      headers: { Location: '/v1/agents/agent-7' },
    }),
});

export const createExecution = defineRoute({
  operationId: 'createExecution',
  method: 'POST',
  path: '/v1/executions',
  summary: 'Create an execution (test): always accepted for later',
  tags: ['executions'],
  access: 'tenant',
  body: z.object({ agent_id: z.string() }),
  successStatus: 202,
  handler: () =>
    Promise.resolve({
      status: 202,
      body: { id: 'exec-1', status: 'PENDING' },
      headers: { Location: '/v1/executions/exec-1' },
    }),
});

export const getAgentVersion = defineRoute({
  operationId: 'getAgentVersion',
  method: 'GET',
  path: '/v1/agents/{agentId}/versions/{version}',
  summary: 'Get an agent version (test, deprecated)',
  tags: ['agents'],
  access: 'tenant',
  deprecation: {
    deprecatedAt: '2026-01-01T00:00:00Z',
    sunsetAt: '2027-06-30T00:00:00Z',
    link: 'https://glaf.dev/changes/agent-versions',
  },
  handler: (_ctx, { params }) => Promise.resolve({ status: 200, body: params }),
});

export const getFactor = defineRoute({
  operationId: 'getFactor',
  method: 'GET',
  path: '/v1/factors/{factorId}',
  summary: 'Echo a factor id (test)',
  tags: ['factors'],
  access: 'tenant',
  params: z.object({ factorId: z.string() }),
  handler: (_ctx, { params }) => Promise.resolve({ status: 200, body: { id: params.factorId } }),
});

export const lookupFactor = defineRoute({
  operationId: 'lookupFactor',
  method: 'GET',
  path: '/v1/factors/lookup',
  summary: 'Lookup (test): a literal segment beats {factorId}',
  tags: ['factors'],
  access: 'tenant',
  handler: () => Promise.resolve({ status: 200, body: { lookup: true } }),
});

export const listTenants = defineRoute({
  operationId: 'listTenants',
  method: 'GET',
  path: '/v1/tenants',
  summary: 'List tenants (test)',
  tags: ['tenants'],
  access: 'platform-admin',
  handler: () => Promise.resolve({ status: 200, body: { items: [], next_cursor: null } }),
});

export const createApiKey = defineRoute({
  operationId: 'createApiKey',
  method: 'POST',
  path: '/v1/api-keys',
  summary: 'Create an API key (test, sensitive)',
  tags: ['api-keys'],
  access: 'tenant',
  sensitive: true,
  handler: () => Promise.resolve({ status: 201, body: { id: 'key-1' } }),
});

export const revokeApiKey = defineRoute({
  operationId: 'revokeApiKey',
  method: 'DELETE',
  path: '/v1/api-keys/{keyId}',
  summary: 'Revoke an API key (test, sensitive)',
  tags: ['api-keys'],
  access: 'tenant',
  sensitive: true,
  handler: () => Promise.resolve({ status: 204 }),
});

export const testRoutes: readonly AnyRoute[] = [
  ...systemRoutes(() => testRoutes),
  listAgents,
  getAgent,
  registerAgent,
  createExecution,
  getAgentVersion,
  getFactor,
  lookupFactor,
  listTenants,
  createApiKey,
  revokeApiKey,
];
