/**
 * Execution routes: create (sync -> 200 with the result, async -> 202 + Location), get,
 * list (cursor, status / agent filters), cancel. The store answers 404 for other tenants'
 * ids, the same as for ids that never existed.
 */
import * as z from 'zod';

import { EXECUTION_STATUSES } from '../../domain/execution.js';
import type { RunExecution } from '../../services/execution-runner.js';
import {
  CreateExecutionSchema,
  ListExecutionsSchema,
  PRIORITIES,
  priorityName,
} from '../../services/executions.js';
import type { AnyRoute } from '../router.js';
import { defineRoute } from '../types.js';

import { pageSchema, tenantOf } from './common.js';
import { submissionProblem } from './submission-problem.js';

const tags = ['executions'];
const idParams = z.strictObject({
  executionId: z
    .string()
    .regex(
      /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-7][0-9A-HJKMNP-TV-Z]{25})$/,
      'an execution id (UUID)',
    ),
});

const issueSchema = z.object({ path: z.string(), message: z.string() });
export const executionSchema = z.object({
  execution_id: z.string(),
  agent_id: z.string(),
  agent_version: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  priority: z.enum(PRIORITIES),
  input: z.unknown(),
  output: z.unknown().nullable(),
  error: z
    .object({ code: z.string(), message: z.string(), issues: z.array(issueSchema).optional() })
    .nullable(),
  attempts: z.number().int(),
  idempotency_key: z.string().nullable(),
  /** true: the output is a cached result of an identical earlier request (same provenance hash). */
  served_from_cache: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});

export function executionView(e: RunExecution): z.output<typeof executionSchema> {
  return {
    execution_id: e.executionId,
    agent_id: e.agentId,
    agent_version: e.agentVersion,
    status: e.status,
    priority: priorityName(e.priority),
    input: e.input,
    output: e.output ?? null,
    error: e.error
      ? {
          code: e.error.code,
          message: e.error.message,
          ...(e.error.issues ? { issues: e.error.issues.map((i) => ({ ...i })) } : {}),
        }
      : null,
    attempts: e.attempts,
    idempotency_key: e.idempotencyKey ?? null,
    served_from_cache: e.servedFromCache ?? false,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

export const executionRoutes: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'createExecution',
    method: 'POST',
    path: '/v1/executions',
    summary:
      'Run an agent: mode "sync" answers 200 with the result, "async" (default) answers 202 with a Location to poll. ' +
      'An Idempotency-Key header makes retries safe.',
    tags,
    access: 'tenant',
    body: CreateExecutionSchema,
    response: executionSchema,
    successStatus: 202,
    handler: async (ctx, { body }) => {
      const key = ctx.headers['idempotency-key'];
      const { execution, mode } = await ctx.services.executions
        .create(tenantOf(ctx), body, key === undefined ? {} : { idempotencyKey: key })
        .catch(submissionProblem);
      const location = `/v1/executions/${execution.executionId}`;
      return {
        status: mode === 'sync' ? 200 : 202,
        headers: { Location: location },
        body: executionView(execution),
      };
    },
  }),
  defineRoute({
    operationId: 'listExecutions',
    method: 'GET',
    path: '/v1/executions',
    summary: "The tenant's executions, newest first, filtered by status or agent",
    tags,
    access: 'tenant',
    query: ListExecutionsSchema,
    response: pageSchema(executionSchema),
    handler: async (ctx, { query }) => {
      const page = await ctx.services.executions.list(tenantOf(ctx), query);
      return {
        status: 200,
        body: { items: page.items.map(executionView), next_cursor: page.cursor ?? null },
      };
    },
  }),
  defineRoute({
    operationId: 'getExecution',
    method: 'GET',
    path: '/v1/executions/{executionId}',
    summary: 'One execution with its status, output or error',
    tags,
    access: 'tenant',
    params: idParams,
    response: executionSchema,
    handler: async (ctx, { params }) => {
      const execution = await ctx.services.executions.get(tenantOf(ctx), params.executionId);
      return { status: 200, body: executionView(execution) };
    },
  }),
  defineRoute({
    operationId: 'cancelExecution',
    method: 'POST',
    path: '/v1/executions/{executionId}/cancel',
    summary: 'Cancel a pending or running execution (409 once it has finished)',
    tags,
    access: 'tenant',
    params: idParams,
    response: executionSchema,
    handler: async (ctx, { params }) => {
      const execution = await ctx.services.executions.cancel(tenantOf(ctx), params.executionId);
      return { status: 200, body: executionView(execution) };
    },
  }),
];
