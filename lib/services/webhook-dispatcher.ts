/**
 * Delivers published events to webhooks in the background: subscribed to the in-process
 * bus, it queues each event and returns at once, so a publisher (an API request, a worker
 * finishing a run) never waits for a receiver, its retries or its backoff. Deliveries run
 * at most `concurrency` at a time; each goes to the active webhooks of the event's own
 * tenant only (WebhookService.dispatch reads them under that tenant's scope), with the
 * retries, backoff and delivery log of webhook-delivery.ts.
 *
 * Not durable: events still queued when the process stops are dropped (logged). Local
 * mode accepts that; in AWS an EventBridge rule queues the events in SQS and
 * lambdas/webhook-delivery runs the same step, `deliverEvent`, for each.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { DomainEvent } from '../domain/events/envelope.js';
import type { DispatchResult, WebhookService } from './webhooks.js';

const attrs = (event: DomainEvent) => ({
  tenantId: event.tenantId,
  eventId: event.id,
  eventType: event.type,
});

/**
 * One event to its tenant's subscribed webhooks, the step both consumers run: the in-process
 * dispatcher below and the SQS consumer in AWS. A delivery that gave up after its retries is
 * final (logged, in the delivery log); a store or secret-store failure throws, for the caller
 * to log (here) or to retry the event (SQS).
 */
export async function deliverEvent(
  webhooks: Pick<WebhookService, 'dispatch'>,
  event: DomainEvent,
  logger: Pick<Logger, 'warn'>,
): Promise<DispatchResult[]> {
  const results = await webhooks.dispatch(event);
  for (const r of results) {
    if (!r.delivered && !r.skipped) {
      logger.warn('Webhook delivery gave up', {
        ...attrs(event),
        webhookId: r.webhookId,
        attempts: r.attempts.length,
      });
    }
  }
  return results;
}

export interface WebhookDispatcherOptions {
  readonly webhooks: Pick<WebhookService, 'dispatch'>;
  /** Events delivered at once. @default 32 */
  readonly concurrency?: number;
  /** Events waiting beyond this are dropped (logged), bounding memory. @default 10 000 */
  readonly maxQueued?: number;
  readonly logger?: Pick<Logger, 'warn' | 'error'>;
}

export class WebhookDispatcher {
  private readonly waiting: DomainEvent[] = [];
  private active = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly logger: Pick<Logger, 'warn' | 'error'>;

  constructor(private readonly o: WebhookDispatcherOptions) {
    this.logger = o.logger ?? new Logger({ serviceName: 'webhooks' });
  }

  /** The bus handler: queues the event for delivery and returns without waiting. */
  readonly enqueue = (event: DomainEvent): void => {
    if (this.closed) return;
    if (this.waiting.length >= (this.o.maxQueued ?? 10_000)) {
      this.logger.error('Webhook queue full; event not delivered', attrs(event));
      return;
    }
    this.waiting.push(event);
    this.pump();
  };

  /** Resolves when nothing is queued or being delivered (tests, shutdown). */
  idle(): Promise<void> {
    if (this.active === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Takes no more events, drops the queued ones and waits for the deliveries under way. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.waiting.length > 0) {
      this.logger.warn('Webhook events dropped at shutdown', { count: this.waiting.length });
      this.waiting.length = 0;
    }
    await this.idle();
  }

  private pump(): void {
    while (this.active < (this.o.concurrency ?? 32) && this.waiting.length > 0) {
      const event = this.waiting.shift()!;
      this.active++;
      void this.deliver(event).finally(() => {
        this.active--;
        this.pump();
        if (this.active === 0 && this.waiting.length === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
    }
  }

  private async deliver(event: DomainEvent): Promise<void> {
    try {
      await deliverEvent(this.o.webhooks, event, this.logger);
    } catch (err) {
      // The store or secret store failed, or shutdown cut a backoff short: logged, not retried.
      this.logger.error('Webhook delivery failed', { ...attrs(event), error: err as Error });
    }
  }
}
