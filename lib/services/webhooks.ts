/**
 * Webhooks of a tenant: register (the secret is returned once and never again), list,
 * delete, enable/disable, rotate the secret (the old one stops working at once), send a
 * test ping, deliver events, and read the delivery log. Secrets live only in the
 * SecretStore; rows keep a reference. Nothing here logs a secret or returns one outside
 * `register` and `rotateSecret`.
 *
 * `dispatch` runs for every event the platform publishes, so a tenant's webhooks are read
 * once per `targetsTtlMs` (not per event) and re-read at once after a change made here; a
 * change made by another process is seen within the TTL. With a ledger (the SQS consumer in
 * AWS, which may see an event twice) each (event, webhook) pair is sent at most once: a
 * settled pair is skipped, one held by another consumer is reported `in-progress`.
 */
import { LRUCache } from 'lru-cache';
import * as z from 'zod';
import { EVENT_TYPES } from '../domain/events/catalogue.js';
import { createEvent, type DomainEvent } from '../domain/events/envelope.js';
import { parseOrThrow } from '../domain/execution-request.js';
import { generateWebhookSecret } from '../domain/webhook-signature.js';
import type { ExecutionStore, Page, WebhookDelivery } from '../ports/execution-store.js';
import type { SecretStore } from '../ports/secret-store.js';
import type { WebhookDeliveryLedger } from '../ports/webhook-ledger.js';
import type { Webhook, WebhookRecord, WebhookStore } from '../ports/webhook-store.js';
import { deliverWithRetries, type DeliveryDeps, type DeliveryResult } from './webhook-delivery.js';

const registerSchema = z.strictObject({
  url: z.string().min(1).max(2048),
  events: z
    .array(z.enum(['*', ...EVENT_TYPES]))
    .min(1, 'subscribe to at least one event type, or "*" for all')
    .max(64),
});
export type RegisterWebhookInput = z.input<typeof registerSchema>;

/** Returned once, at registration or rotation: the caller must store `secret` now. */
export interface WebhookWithSecret {
  readonly webhook: Webhook;
  readonly secret: string;
}

export interface WebhookServiceDeps extends Omit<DeliveryDeps, 'log'> {
  readonly store: WebhookStore;
  readonly secrets: SecretStore;
  readonly executions: Pick<ExecutionStore, 'recordWebhookDelivery' | 'listWebhookDeliveries'>;
  /** How long a tenant's webhook list is reused by `dispatch`. @default 2000 */
  readonly targetsTtlMs?: number;
  /** Settles each (event, webhook) pair once across copies of an event; absent = every dispatch sends. */
  readonly ledger?: WebhookDeliveryLedger;
  /** How long a pair stays claimed while it is delivered (the longest delivery, retries included,
   * must fit; a claim outliving a dead holder delays that pair by this much). @default 120 000 */
  readonly claimLeaseMs?: number;
}

/** One webhook's share of a dispatch. */
export interface DispatchResult extends DeliveryResult {
  /** Not sent by this call: settled before (`delivered` tells how it ended), or being sent by
   * another consumer right now ('in-progress': try the event again later). */
  readonly skipped?: 'settled' | 'in-progress';
}

/** The public view: no secret reference. */
const publicView = ({ secretRef: _ref, ...webhook }: WebhookRecord): Webhook => webhook;

const subscribed = (w: WebhookRecord, type: string): boolean =>
  w.active && (w.events.includes('*') || w.events.includes(type));

export class WebhookService {
  private readonly targets: LRUCache<string, Promise<WebhookRecord[]>>;

  constructor(private readonly deps: WebhookServiceDeps) {
    this.targets = new LRUCache({ max: 10_000, ttl: deps.targetsTtlMs ?? 2_000 });
  }

  async register(tenantId: string, raw: unknown): Promise<WebhookWithSecret> {
    const input = parseOrThrow(registerSchema, raw);
    const { url } = await this.deps.guard.check(input.url);
    const secret = generateWebhookSecret();
    const secretRef = await this.deps.secrets.create(tenantId, secret);
    try {
      const record = await this.deps.store.create(tenantId, {
        url: url.href,
        events: [...new Set(input.events)],
        secretRef,
      });
      this.targets.delete(tenantId);
      return { webhook: publicView(record), secret };
    } catch (err) {
      await this.deps.secrets.delete(tenantId, secretRef); // no orphaned secret
      throw err;
    }
  }

  async list(tenantId: string): Promise<Webhook[]> {
    return (await this.deps.store.list(tenantId)).map(publicView);
  }

  async get(tenantId: string, webhookId: string): Promise<Webhook> {
    return publicView(await this.deps.store.get(tenantId, webhookId));
  }

  async delete(tenantId: string, webhookId: string): Promise<void> {
    const removed = await this.deps.store.delete(tenantId, webhookId);
    this.targets.delete(tenantId);
    await this.deps.secrets.delete(tenantId, removed.secretRef);
  }

  async setEnabled(tenantId: string, webhookId: string, enabled: boolean): Promise<Webhook> {
    const updated = await this.deps.store.setActive(tenantId, webhookId, enabled);
    this.targets.delete(tenantId);
    return publicView(updated);
  }

  async rotateSecret(tenantId: string, webhookId: string): Promise<WebhookWithSecret> {
    await this.deps.store.get(tenantId, webhookId); // NotFound before creating anything
    const secret = generateWebhookSecret();
    const ref = await this.deps.secrets.create(tenantId, secret);
    let oldRef: string;
    try {
      oldRef = await this.deps.store.replaceSecretRef(tenantId, webhookId, ref);
    } catch (err) {
      await this.deps.secrets.delete(tenantId, ref);
      throw err;
    }
    this.targets.delete(tenantId);
    await this.deps.secrets.delete(tenantId, oldRef);
    return { webhook: await this.get(tenantId, webhookId), secret };
  }

  /** Sends a `webhook.test` event now, even to a disabled webhook (to try it before enabling). */
  async sendTestPing(tenantId: string, webhookId: string): Promise<DeliveryResult> {
    const record = await this.deps.store.get(tenantId, webhookId);
    const event = createEvent(
      'webhook.test',
      tenantId,
      { webhookId, message: 'Test ping from GL Agent Factory' },
      { time: this.deps.clock() },
    );
    return this.deliverTo(record, event);
  }

  /**
   * Delivers one event to every active webhook of the event's tenant subscribed to its type.
   * Every webhook's delivery runs to its end before this settles; when one of them could not
   * run (store or secret store failed) it then throws that error (AggregateError for several).
   */
  async dispatch(event: DomainEvent): Promise<DispatchResult[]> {
    const all = await this.webhooksOf(event.tenantId);
    const outcomes = await Promise.allSettled(
      all.filter((w) => subscribed(w, event.type)).map((t) => this.dispatchTo(t, event)),
    );
    const errors = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1)
      throw new AggregateError(errors, `${errors.length} webhook deliveries could not run`);
    return outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  }

  /** One pair: claimed, delivered and settled through the ledger when there is one. */
  private async dispatchTo(record: WebhookRecord, event: DomainEvent): Promise<DispatchResult> {
    const ledger = this.deps.ledger;
    if (!ledger) return this.deliverTo(record, event);
    const claim = await ledger.claim(record.tenantId, record.id, event.id, this.deps.claimLeaseMs ?? 120_000);
    if (claim.status === 'settled') {
      return {
        webhookId: record.id,
        delivered: claim.outcome === 'delivered',
        attempts: [],
        skipped: 'settled',
      };
    }
    if (claim.status === 'busy')
      return { webhookId: record.id, delivered: false, attempts: [], skipped: 'in-progress' };
    let result: DeliveryResult;
    try {
      result = await this.deliverTo(record, event);
    } catch (err) {
      // Nothing was settled: give the pair back so the next copy of the event need not wait out the lease.
      await ledger.release(record.tenantId, record.id, event.id, claim.token).catch(() => {});
      throw err;
    }
    await ledger.settle(record.tenantId, record.id, event.id, result.delivered ? 'delivered' : 'failed');
    return result;
  }

  /** The tenant's webhooks, read through the short-lived cache; a failed read is not kept. */
  private webhooksOf(tenantId: string): Promise<WebhookRecord[]> {
    let hit = this.targets.get(tenantId);
    if (!hit) {
      hit = this.deps.store.list(tenantId);
      this.targets.set(tenantId, hit);
      hit.catch(() => this.targets.delete(tenantId));
    }
    return hit;
  }

  /** Newest attempt first; NotFoundError for another tenant's webhook. */
  async listDeliveries(
    tenantId: string,
    webhookId: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<Page<WebhookDelivery>> {
    await this.deps.store.get(tenantId, webhookId);
    return this.deps.executions.listWebhookDeliveries(tenantId, webhookId, page);
  }

  private async deliverTo(record: WebhookRecord, event: DomainEvent): Promise<DeliveryResult> {
    const secret = await this.deps.secrets.get(record.tenantId, record.secretRef);
    return deliverWithRetries(
      { ...this.deps, log: this.deps.executions },
      { tenantId: record.tenantId, webhookId: record.id, url: record.url, secret },
      event,
    );
  }
}
