/**
 * Factor routes: search and get over the published catalogue; point-in-time lookup (the
 * tenant's own custom factors win) and version diffs over the factor database.
 */
import * as z from 'zod';

import { NotFoundError } from '../../domain/errors.js';
import type { AnyRoute } from '../router.js';
import { defineRoute } from '../types.js';

import { cursorSchema, limitSchema, pageSchema, paginate, tenantOf } from './common.js';
import { diffView, factorDiffSchema, factorSchema, factorView } from './factor-views.js';

const tags = ['factors'];
const text = (max: number) => z.string().trim().min(1).max(max);

export const factorRoutes: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'searchFactors',
    method: 'GET',
    path: '/v1/factors',
    summary: 'Published factors whose id, name, activity, region or source contain every word of q',
    tags,
    access: 'tenant',
    query: z.strictObject({
      q: z.string().max(200).default(''),
      limit: limitSchema,
      cursor: cursorSchema.optional(),
    }),
    response: pageSchema(factorSchema),
    handler: (ctx, { query }) => {
      const found = ctx.services.catalogue.search(query.q, Number.MAX_SAFE_INTEGER);
      const page = paginate(found, (f) => f.id, query.limit, query.cursor);
      return Promise.resolve({
        status: 200,
        body: { items: page.items.map(factorView), next_cursor: page.next_cursor },
      });
    },
  }),
  defineRoute({
    operationId: 'lookupFactor',
    method: 'GET',
    path: '/v1/factors/lookup',
    summary: 'The factor valid on a day for an activity, region and unit (point in time)',
    tags,
    access: 'tenant',
    query: z.strictObject({
      activity: text(200),
      region: text(60),
      unit: text(40),
      as_of: z.iso.date('a date as YYYY-MM-DD'),
      source: text(60).optional(),
      dataset_version: text(60).optional(),
      include_deprecated: z.enum(['true', 'false']).optional(),
    }),
    response: factorSchema,
    handler: async (ctx, { query }) => {
      const factor = await ctx.services.factors.validOn(tenantOf(ctx), {
        activity: query.activity,
        region: query.region,
        unit: query.unit,
        asOf: query.as_of,
        ...(query.source ? { source: query.source } : {}),
        ...(query.dataset_version ? { datasetVersion: query.dataset_version } : {}),
        ...(query.include_deprecated ? { includeDeprecated: query.include_deprecated === 'true' } : {}),
      });
      return { status: 200, body: factorView(factor) };
    },
  }),
  defineRoute({
    operationId: 'diffFactors',
    method: 'GET',
    path: '/v1/factors/diff',
    summary: 'What changed between two dataset versions of a source',
    tags,
    access: 'tenant',
    query: z.strictObject({ source: text(60), from: text(60), to: text(60) }),
    response: factorDiffSchema,
    handler: async (ctx, { query }) => {
      const diff = await ctx.services.factors.compare(query.source, query.from, query.to);
      return { status: 200, body: diffView(diff) };
    },
  }),
  defineRoute({
    operationId: 'getFactor',
    method: 'GET',
    path: '/v1/factors/{factorId}',
    summary: 'One published factor by id (URL-encode the id: it contains "/")',
    tags,
    access: 'tenant',
    params: z.strictObject({ factorId: text(300) }),
    response: factorSchema,
    handler: (ctx, { params }) => {
      const factor = ctx.services.catalogue.get(params.factorId);
      if (!factor) {
        return Promise.reject(new NotFoundError('factor', params.factorId, 'search with GET /v1/factors?q='));
      }
      return Promise.resolve({ status: 200, body: factorView(factor) });
    },
  }),
];
