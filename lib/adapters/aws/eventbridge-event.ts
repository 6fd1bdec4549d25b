/**
 * The platform event an EventBridge delivery carries. EventBridgeBus (eventbridge-bus.ts) puts the
 * whole DomainEvent in `detail`, its type in `detail-type` and EVENT_SOURCE in `source`; every
 * consumer of the bus (a rule's Lambda target, or an SQS queue in between) reads it back here,
 * validated against the catalogue like every publish.
 */
import * as z from 'zod';
import { EVENT_SOURCE } from '../../domain/events/catalogue.js';
import type { DomainEvent } from '../../domain/events/envelope.js';
import { validateEvent } from '../../domain/events/validate.js';

const EventBridgeEnvelopeSchema = z.object({
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.string().min(1),
  detail: z.unknown(),
});

/** The DomainEvent of an EventBridge event; throws when it is not a valid platform event. */
export function domainEventOf(eventBridgeEvent: unknown): DomainEvent {
  const parsed = EventBridgeEnvelopeSchema.safeParse(eventBridgeEvent);
  if (!parsed.success) throw new Error(`Not a platform event: ${z.prettifyError(parsed.error)}`);
  const event = validateEvent(parsed.data.detail);
  if (event.type !== parsed.data['detail-type']) {
    throw new Error(`detail-type ${parsed.data['detail-type']} does not match the event type ${event.type}`);
  }
  return event;
}
