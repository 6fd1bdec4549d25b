/**
 * Webhooks of the caller's tenant (admins only, see lib/domain/rbac.ts): register (the
 * signing secret is in that one response and never again), list, get, delete,
 * enable/disable, rotate the secret (the new one shown once), send a test ping, and the
 * delivery log. The service comes from `ctx.services.webhooks`; a composition without one
 * answers 503. A URL the guard refuses is a 400 naming the reason; another tenant's
 * webhook id is a 404, the same as an id that never existed.
 */
import * as z from 'zod';

import type { WebhookDelivery } from '../../ports/execution-store.js';
import type { Webhook } from '../../ports/webhook-store.js';
import type { DeliveryResult } from '../../services/webhook-delivery.js';
import type { WebhookService } from '../../services/webhooks.js';
import { HttpProblem } from '../problem.js';
import type { AnyRoute } from '../router.js';
import { defineRoute, type RequestContext } from '../types.js';

import { audit, cursorSchema, limitSchema, pageSchema, tenantOf } from './common.js';

const tags = ['webhooks'];
const idParams = z.strictObject({ webhookId: z.uuid('a webhook id (UUID)') });

export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  created_at: z.string(),
});
const withSecretSchema = webhookSchema.extend({
  secret: z.string().describe('whsec_...: the signing secret; store it now, it cannot be shown again'),
});
const deliverySchema = z.object({
  delivery_number: z.number().int(),
  event_id: z.string(),
  event_type: z.string(),
  attempt: z.number().int(),
  outcome: z.enum(['delivered', 'failed']),
  response_status: z.number().int().nullable(),
  duration_ms: z.number(),
  recorded_at: z.string(),
});
const pingSchema = z.object({
  webhook_id: z.string(),
  delivered: z.boolean(),
  attempts: z.array(deliverySchema),
});

function webhookView(w: Webhook): z.output<typeof webhookSchema> {
  return { id: w.id, url: w.url, events: [...w.events], active: w.active, created_at: w.createdAt };
}

function deliveryView(d: WebhookDelivery): z.output<typeof deliverySchema> {
  return {
    delivery_number: d.deliveryNumber,
    event_id: d.eventId,
    event_type: d.eventType,
    attempt: d.attempt,
    outcome: d.outcome,
    response_status: d.responseStatus ?? null,
    duration_ms: d.durationMs,
    recorded_at: d.recordedAt,
  };
}

const pingView = (r: DeliveryResult): z.output<typeof pingSchema> => ({
  webhook_id: r.webhookId,
  delivered: r.delivered,
  attempts: r.attempts.map(deliveryView),
});

function webhooksOf(ctx: RequestContext): WebhookService {
  const service = ctx.services.webhooks;
  if (!service) {
    throw new HttpProblem(
      503,
      'webhooks_unavailable',
      'Service Unavailable',
      'Webhooks are not configured in this deployment',
    );
  }
  return service;
}

// The secret must not sit in a cache on the way.
const NO_STORE = { 'Cache-Control': 'no-store' };

function toggle(operationId: 'enableWebhook' | 'disableWebhook', enabled: boolean): AnyRoute {
  const verb = enabled ? 'enable' : 'disable';
  return defineRoute({
    operationId,
    method: 'POST',
    path: `/v1/webhooks/{webhookId}/${verb}`,
    summary: enabled
      ? 'Enable a webhook (deliveries resume)'
      : 'Disable a webhook (no deliveries until enabled)',
    tags,
    access: 'tenant',
    params: idParams,
    response: webhookSchema,
    handler: async (ctx, { params }) => {
      const webhook = await webhooksOf(ctx).setEnabled(tenantOf(ctx), params.webhookId, enabled);
      await audit(ctx, `webhook.${verb}d`, `webhook:${webhook.id}`, { url: webhook.url });
      return { status: 200, body: webhookView(webhook) };
    },
  });
}

export const webhookRoutes: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'registerWebhook',
    method: 'POST',
    path: '/v1/webhooks',
    summary:
      'Register a webhook: a public http(s) URL and the event types it receives ("*" for all). ' +
      'The signing secret is in this response only.',
    tags,
    access: 'tenant',
    sensitive: true,
    // The service checks the event names against the catalogue and the URL through the guard.
    body: z.strictObject({
      url: z.string().min(1).max(2048),
      events: z.array(z.string().min(1).max(100)).min(1).max(64),
    }),
    response: withSecretSchema,
    successStatus: 201,
    handler: async (ctx, { body }) => {
      const { webhook, secret } = await webhooksOf(ctx).register(tenantOf(ctx), body);
      await audit(ctx, 'webhook.registered', `webhook:${webhook.id}`, {
        url: webhook.url,
        events: [...webhook.events],
      });
      return {
        status: 201,
        headers: { Location: `/v1/webhooks/${webhook.id}`, ...NO_STORE },
        body: { ...webhookView(webhook), secret },
      };
    },
  }),
  defineRoute({
    operationId: 'listWebhooks',
    method: 'GET',
    path: '/v1/webhooks',
    summary: "The tenant's webhooks (never their secrets)",
    tags,
    access: 'tenant',
    response: z.object({ items: z.array(webhookSchema) }),
    handler: async (ctx) => {
      const list = await webhooksOf(ctx).list(tenantOf(ctx));
      return { status: 200, body: { items: list.map(webhookView) } };
    },
  }),
  defineRoute({
    operationId: 'getWebhook',
    method: 'GET',
    path: '/v1/webhooks/{webhookId}',
    summary: 'One webhook (never its secret)',
    tags,
    access: 'tenant',
    params: idParams,
    response: webhookSchema,
    handler: async (ctx, { params }) => {
      const webhook = await webhooksOf(ctx).get(tenantOf(ctx), params.webhookId);
      return { status: 200, body: webhookView(webhook) };
    },
  }),
  defineRoute({
    operationId: 'deleteWebhook',
    method: 'DELETE',
    path: '/v1/webhooks/{webhookId}',
    summary: 'Delete a webhook and its secret',
    tags,
    access: 'tenant',
    params: idParams,
    response: z.object({ id: z.string(), deleted: z.literal(true) }),
    handler: async (ctx, { params }) => {
      const tenantId = tenantOf(ctx);
      const service = webhooksOf(ctx);
      const webhook = await service.get(tenantId, params.webhookId);
      await service.delete(tenantId, params.webhookId);
      await audit(ctx, 'webhook.deleted', `webhook:${webhook.id}`, { url: webhook.url });
      return { status: 200, body: { id: webhook.id, deleted: true as const } };
    },
  }),
  toggle('enableWebhook', true),
  toggle('disableWebhook', false),
  defineRoute({
    operationId: 'rotateWebhookSecret',
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/rotate-secret',
    summary: 'Replace the signing secret (the old one stops working at once); the new one is shown once',
    tags,
    access: 'tenant',
    sensitive: true,
    params: idParams,
    response: withSecretSchema,
    handler: async (ctx, { params }) => {
      const { webhook, secret } = await webhooksOf(ctx).rotateSecret(tenantOf(ctx), params.webhookId);
      await audit(ctx, 'webhook.secret_rotated', `webhook:${webhook.id}`, { url: webhook.url });
      return { status: 200, headers: NO_STORE, body: { ...webhookView(webhook), secret } };
    },
  }),
  defineRoute({
    operationId: 'testWebhook',
    method: 'POST',
    path: '/v1/webhooks/{webhookId}/test',
    summary: 'Send a signed `webhook.test` ping now (also to a disabled webhook); answers with the attempts',
    tags,
    access: 'tenant',
    params: idParams,
    response: pingSchema,
    handler: async (ctx, { params }) => {
      const result = await webhooksOf(ctx).sendTestPing(tenantOf(ctx), params.webhookId);
      return { status: 200, body: pingView(result) };
    },
  }),
  defineRoute({
    operationId: 'listWebhookDeliveries',
    method: 'GET',
    path: '/v1/webhooks/{webhookId}/deliveries',
    summary: 'The delivery log of a webhook, newest attempt first (cursor pagination)',
    tags,
    access: 'tenant',
    params: idParams,
    query: z.strictObject({ limit: limitSchema, cursor: cursorSchema.optional() }),
    response: pageSchema(deliverySchema),
    handler: async (ctx, { params, query }) => {
      const page = await webhooksOf(ctx).listDeliveries(tenantOf(ctx), params.webhookId, {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return {
        status: 200,
        body: { items: page.items.map(deliveryView), next_cursor: page.cursor ?? null },
      };
    },
  }),
];
