/**
 * Webhook delivery in AWS: an EventBridge rule on the platform bus queues the catalogue's
 * events in SQS, and this function (SQS event source, ReportBatchItemFailures) turns each
 * record back into the DomainEvent and runs the same step as local mode's in-process
 * dispatcher (`deliverEvent`): the tenant's active subscribed webhooks, signed, 3 retries with
 * backoff, every attempt in the delivery log. Each (event, webhook) pair is settled once in a
 * ledger, so a redelivered message, or the same event published twice (worker and stream
 * processor), never sends a delivery that already ended.
 *
 * A record stays on the queue (batchItemFailures) when the delivery could not run (store or
 * secret store failed), when another invocation holds one of its pairs right now, or when it
 * is not a platform event at all: after 3 receives SQS moves it to the DLQ, which alarms.
 * A delivery that gave up after its retries is final, as in local mode.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { domainEventOf } from '../../lib/adapters/aws/eventbridge-event.js';
import type { DomainEvent } from '../../lib/domain/events/envelope.js';
import { deliverEvent } from '../../lib/services/webhook-dispatcher.js';
import type { WebhookService } from '../../lib/services/webhooks.js';
import { openWebhookDelivery, webhookDeliveryEnv, type WebhookDeliveryRuntime } from './services.js';

/** The DomainEvent an SQS record carries (EventBridge's envelope); throws when the record is not one of the platform's events. */
export function eventOfRecord(body: string): DomainEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('the record body is not JSON');
  }
  return domainEventOf(json);
}

export interface WebhookDeliveryHandlerDeps {
  readonly webhooks: Pick<WebhookService, 'dispatch'>;
  readonly logger: Pick<Logger, 'warn' | 'error'>;
}

export function createWebhookDeliveryHandler(deps: WebhookDeliveryHandlerDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const keep = await Promise.all(event.Records.map((r) => handleRecord(deps, r)));
    return {
      batchItemFailures: event.Records.filter((_, i) => keep[i]).map((r) => ({
        itemIdentifier: r.messageId,
      })),
    };
  };
}

/** true when the record must stay on the queue. */
async function handleRecord(deps: WebhookDeliveryHandlerDeps, r: SQSRecord): Promise<boolean> {
  let event: DomainEvent;
  try {
    event = eventOfRecord(r.body);
  } catch (err) {
    deps.logger.error('Not a platform event; kept for the dead-letter queue', {
      messageId: r.messageId,
      error: err as Error,
    });
    return true;
  }
  const attrs = {
    messageId: r.messageId,
    tenantId: event.tenantId,
    eventId: event.id,
    eventType: event.type,
  };
  try {
    const results = await deliverEvent(deps.webhooks, event, deps.logger);
    const busy = results.filter((x) => x.skipped === 'in-progress').map((x) => x.webhookId);
    if (busy.length === 0) return false;
    deps.logger.warn('Another invocation is delivering this event; SQS will redeliver it', {
      ...attrs,
      webhookIds: busy,
    });
    return true;
  } catch (err) {
    deps.logger.error('Webhook delivery could not run; SQS will redeliver the event', {
      ...attrs,
      error: err as Error,
    });
    return true;
  }
}

let composed: { runtime: WebhookDeliveryRuntime; logger: Logger } | undefined;

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  composed ??= {
    runtime: openWebhookDelivery(webhookDeliveryEnv()),
    logger: new Logger({ serviceName: 'webhook-delivery' }),
  };
  return createWebhookDeliveryHandler({ webhooks: composed.runtime.webhooks, logger: composed.logger })(
    event,
  );
};
