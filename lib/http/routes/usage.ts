/** Usage route: the tenant's quotas next to this month's consumption. */
import * as z from 'zod';

import type { AnyRoute } from '../router.js';
import { defineRoute } from '../types.js';

import { tenantOf } from './common.js';
import { quotasSchema, quotasView } from './tenant-views.js';

const usageSchema = z.object({
  month: z.string(),
  quotas: quotasSchema,
  consumption: z.object({
    executions: z.number().int(),
    compute_ms: z.number().int(),
    api_calls: z.number().int(),
  }),
  remaining: z.object({ executions: z.number().int(), compute_minutes: z.number().int() }),
});

export const usageRoutes: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'getUsage',
    method: 'GET',
    path: '/v1/usage',
    summary: 'Quotas and consumption for a month (default: this month, UTC)',
    tags: ['usage'],
    access: 'tenant',
    query: z.strictObject({
      month: z
        .string()
        .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM, e.g. 2026-03')
        .optional(),
    }),
    response: usageSchema,
    handler: async (ctx, { query }) => {
      const tenantId = tenantOf(ctx);
      const quotas = await ctx.services.tenants.getQuotas(tenantId);
      const { month, totals } = await ctx.services.executions.usage(tenantId, query.month);
      const computeMinutes = Math.ceil(totals.computeMs / 60_000);
      return {
        status: 200,
        body: {
          month,
          quotas: quotasView(quotas),
          consumption: {
            executions: totals.executions,
            compute_ms: totals.computeMs,
            api_calls: totals.apiCalls,
          },
          remaining: {
            executions: Math.max(0, quotas.executionsPerMonth - totals.executions),
            compute_minutes: Math.max(0, quotas.computeMinutesPerMonth - computeMinutes),
          },
        },
      };
    },
  }),
];
