/**
 * Batch routes: submit up to 10,000 inputs for one agent (every input validated first; a
 * 400 lists `body.inputs.N.*` issues) and read progress: done/total, counts per status,
 * the summed numeric `output.totals` of completed items and per-item status (paginated).
 * The service comes from `ctx.services.batches`; without one the routes answer 503, and a
 * full batch queue answers 503 with Retry-After.
 */
import * as z from 'zod';

import { EXECUTION_STATUSES } from '../../domain/execution.js';
import { CreateBatchSchema, type BatchService } from '../../services/batches.js';
import { HttpProblem } from '../problem.js';
import type { AnyRoute } from '../router.js';
import { defineRoute, type RequestContext } from '../types.js';

import { cursorKey, tenantOf } from './common.js';
import { submissionProblem } from './submission-problem.js';

const tags = ['batches'];
const idParams = z.strictObject({ batchId: z.uuid('a batch id (UUID)') });

const batchSchema = z.object({
  batch_id: z.string(),
  agent_id: z.string(),
  agent_version: z.string(),
  total: z.number().int(),
  created_at: z.string(),
});
const progressSchema = batchSchema.extend({
  done: z.number().int(),
  progress: z.string().describe('done/total'),
  counts: z.record(z.string(), z.number().int()),
  totals: z.record(z.string(), z.number()),
  items: z.array(
    z.object({ index: z.number().int(), execution_id: z.string(), status: z.enum(EXECUTION_STATUSES) }),
  ),
  next_cursor: z.string().nullable(),
});

function batchesOf(ctx: RequestContext): BatchService {
  const service = ctx.services.batches;
  if (!service) {
    throw new HttpProblem(503, 'batches_unavailable', 'Service Unavailable', 'Batches are not configured');
  }
  return service;
}

const encodeOffset = (n: number): string => Buffer.from(String(n), 'utf8').toString('base64url');

export const batchRoutes: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'createBatch',
    method: 'POST',
    path: '/v1/batches',
    summary:
      'Run one agent over up to 10,000 inputs: every input is validated first, then one async execution per input',
    tags,
    access: 'tenant',
    body: CreateBatchSchema,
    response: batchSchema,
    successStatus: 202,
    handler: async (ctx, { body }) => {
      const batch = await batchesOf(ctx).create(tenantOf(ctx), body).catch(submissionProblem);
      return {
        status: 202,
        headers: { Location: `/v1/batches/${batch.batchId}` },
        body: {
          batch_id: batch.batchId,
          agent_id: batch.agentId,
          agent_version: batch.agentVersion,
          total: batch.executionIds.length,
          created_at: batch.createdAt,
        },
      };
    },
  }),
  defineRoute({
    operationId: 'getBatch',
    method: 'GET',
    path: '/v1/batches/{batchId}',
    summary: 'Progress of a batch: done/total, counts per status, aggregated totals, per-item status',
    tags,
    access: 'tenant',
    params: idParams,
    query: z.strictObject({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      cursor: z.string().min(1).max(100).optional(),
    }),
    response: progressSchema,
    handler: async (ctx, { params, query }) => {
      const key = cursorKey(query.cursor);
      const offset = key === undefined ? 0 : Number(key);
      const p = await batchesOf(ctx).progress(tenantOf(ctx), params.batchId, {
        offset: Number.isInteger(offset) && offset >= 0 ? offset : 0,
        limit: query.limit,
      });
      return {
        status: 200,
        body: {
          batch_id: p.batch.batchId,
          agent_id: p.batch.agentId,
          agent_version: p.batch.agentVersion,
          total: p.total,
          created_at: p.batch.createdAt,
          done: p.done,
          progress: `${p.done}/${p.total}`,
          counts: { ...p.counts },
          totals: { ...p.totals },
          items: p.items.map((i) => ({ index: i.index, execution_id: i.executionId, status: i.status })),
          next_cursor: p.nextOffset === null ? null : encodeOffset(p.nextOffset),
        },
      };
    },
  }),
];
