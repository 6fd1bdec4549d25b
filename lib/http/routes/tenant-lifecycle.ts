/**
 * Tenant lifecycle routes (platform admins): suspend, resume, offboard (export, then delete;
 * the audit trail is retained). The tenant store audits each change in its transaction.
 */
import * as z from 'zod';

import type { TenantExportSink } from '../../ports/tenant-store.js';
import { HttpProblem } from '../problem.js';
import type { AnyRoute } from '../router.js';
import { defineRoute, type RequestContext } from '../types.js';

import { actorOf } from './common.js';
import { tenantSchema, tenantView } from './tenant-views.js';

const tags = ['tenants'];
const idParams = z.strictObject({ tenantId: z.uuid('a tenant id (UUID)') });

function exportSinkOf(ctx: RequestContext): TenantExportSink {
  const sink = ctx.services.tenantExports;
  if (!sink) {
    throw new HttpProblem(
      503,
      'offboarding_unavailable',
      'Service Unavailable',
      'No tenant export destination is configured, so offboarding (export then delete) cannot run',
    );
  }
  return sink;
}

export const tenantLifecycleRoutes: readonly AnyRoute[] = [
  lifecycle('suspendTenant', 'suspend', 'Suspend a tenant (its callers are refused until resumed)'),
  lifecycle('resumeTenant', 'resume', 'Resume a suspended tenant'),
  defineRoute({
    operationId: 'offboardTenant',
    method: 'POST',
    path: '/v1/tenants/{tenantId}/offboard',
    summary: 'Export then delete a tenant data; the audit trail is retained',
    tags,
    access: 'platform-admin',
    sensitive: true,
    params: idParams,
    response: z.object({
      tenant_id: z.uuid(),
      export_location: z.string(),
      export_sha256: z.string(),
      deleted_rows: z.record(z.string(), z.number()),
      audit_retained_until: z.string(),
    }),
    handler: async (ctx, { params }) => {
      const r = await ctx.services.tenants.offboard(params.tenantId, exportSinkOf(ctx), actorOf(ctx));
      return {
        status: 200,
        body: {
          tenant_id: r.tenantId,
          export_location: r.exportLocation,
          export_sha256: r.exportSha256,
          deleted_rows: r.deletedRows,
          audit_retained_until: r.auditRetainedUntil,
        },
      };
    },
  }),
];

function lifecycle(operationId: string, action: 'suspend' | 'resume', summary: string) {
  return defineRoute({
    operationId,
    method: 'POST',
    path: `/v1/tenants/{tenantId}/${action}`,
    summary,
    tags,
    access: 'platform-admin',
    sensitive: true,
    params: idParams,
    response: tenantSchema,
    handler: async (ctx, { params }) => {
      const tenant = await ctx.services.tenants[action](params.tenantId, actorOf(ctx));
      return { status: 200, body: tenantView(tenant) };
    },
  });
}
