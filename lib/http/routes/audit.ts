/** Audit routes: the tenant's hash-chained trail, in order, and a full verification of the chain. */
import * as z from 'zod';

import type { AuditEntry } from '../../domain/audit.js';
import type { AnyRoute } from '../router.js';
import { defineRoute } from '../types.js';

import { limitSchema, pageSchema, tenantOf } from './common.js';

const tags = ['audit'];

const entrySchema = z.object({
  seq: z.number().int(),
  occurred_at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  data: z.record(z.string(), z.unknown()),
  prev_hash: z.string(),
  hash: z.string(),
});

const seq = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

function entryView(e: AuditEntry): z.output<typeof entrySchema> {
  return {
    seq: e.seq,
    occurred_at: e.occurredAt,
    actor: e.actor,
    action: e.action,
    target: e.target,
    data: { ...e.data },
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}

export const auditRoutes: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'listAudit',
    method: 'GET',
    path: '/v1/audit',
    summary: 'Audit entries after a sequence number, oldest first (next_cursor is the next `after`)',
    tags,
    access: 'tenant',
    query: z.strictObject({ after: seq.default(0), cursor: seq.optional(), limit: limitSchema }),
    response: pageSchema(entrySchema),
    handler: async (ctx, { query }) => {
      const rows = await ctx.services.audit.trail(
        tenantOf(ctx),
        query.cursor ?? query.after,
        query.limit + 1,
      );
      const items = rows.slice(0, query.limit);
      const last = items.at(-1);
      return {
        status: 200,
        body: {
          items: items.map(entryView),
          next_cursor: rows.length > query.limit && last ? String(last.seq) : null,
        },
      };
    },
  }),
  defineRoute({
    operationId: 'verifyAudit',
    method: 'POST',
    path: '/v1/audit/verify',
    summary: "Recompute the tenant's hash chain; names the first tampered or missing entry",
    tags,
    access: 'tenant',
    sensitive: true,
    response: z.object({
      ok: z.boolean(),
      entries: z.number().int(),
      head: z.string().optional(),
      seq: z.number().int().optional(),
      reason: z.enum(['tampered', 'missing', 'broken-link']).optional(),
      message: z.string().optional(),
    }),
    handler: async (ctx) => ({ status: 200, body: await ctx.services.audit.verify(tenantOf(ctx)) }),
  }),
];
