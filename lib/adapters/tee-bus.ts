/**
 * Publishes the same events to several buses (the process's own bus and the integration bus,
 * EventBridge in AWS; or EventBridge and MSK), all awaited together, so a Lambda that freezes
 * after its response has sent everything by then.
 *
 * The result is the merge, per event: `failed` when any bus failed it (the caller still owns it
 * and may retry, which repeats it on the buses that took it: delivery is at least once anyway),
 * else `deadLettered` when any bus dead-lettered it, else `published` (every bus accepted it).
 * A bus that throws fails every event on that bus. Events are validated once up front, so an
 * invalid event reaches no bus (InvalidEventError, as the port says).
 */
import type { DomainEvent } from '../domain/events/envelope.js';
import { validateEvents } from '../domain/events/validate.js';
import type { EventBus, PublishFailure, PublishResult } from '../ports/event-bus.js';

export class TeeBus implements EventBus {
  private readonly buses: readonly EventBus[];

  constructor(...buses: EventBus[]) {
    if (buses.length === 0) throw new Error('TeeBus needs at least one bus');
    this.buses = buses;
  }

  async publish(events: readonly DomainEvent[]): Promise<PublishResult> {
    const valid = validateEvents(events);
    const results = await Promise.all(this.buses.map((bus) => publishOrFail(bus, valid)));
    const published: string[] = [];
    const deadLettered: PublishFailure[] = [];
    const failed: PublishFailure[] = [];
    for (const event of valid) {
      let failure: PublishFailure | undefined;
      let deadLetter: PublishFailure | undefined;
      for (const result of results) {
        const outcome = outcomeOf(result, event);
        if (outcome.kind === 'failed') failure = merge(failure, outcome.failure);
        else if (outcome.kind === 'deadLettered') deadLetter = merge(deadLetter, outcome.failure);
      }
      if (failure) failed.push(failure);
      else if (deadLetter) deadLettered.push(deadLetter);
      else published.push(event.id);
    }
    return { published, deadLettered, failed };
  }
}

type Outcome =
  | { readonly kind: 'published' }
  | { readonly kind: 'deadLettered' | 'failed'; readonly failure: PublishFailure };

/** What one bus did with one event; an event it does not mention was not confirmed: failed. */
function outcomeOf(result: PublishResult, event: DomainEvent): Outcome {
  const failure = result.failed.find((f) => f.event.id === event.id);
  if (failure) return { kind: 'failed', failure };
  const deadLetter = result.deadLettered.find((f) => f.event.id === event.id);
  if (deadLetter) return { kind: 'deadLettered', failure: deadLetter };
  if (result.published.includes(event.id)) return { kind: 'published' };
  return { kind: 'failed', failure: { event, code: 'MissingResult', reason: 'the bus did not confirm it' } };
}

async function publishOrFail(bus: EventBus, events: readonly DomainEvent[]): Promise<PublishResult> {
  try {
    return await bus.publish(events);
  } catch (error) {
    const code = (error as { name?: string }).name ?? 'Error';
    const reason = error instanceof Error ? error.message : String(error);
    return { published: [], deadLettered: [], failed: events.map((event) => ({ event, code, reason })) };
  }
}

/** Two buses' failures of one event: both reasons kept, the first code. */
function merge(known: PublishFailure | undefined, next: PublishFailure): PublishFailure {
  if (!known) return next;
  return { ...known, reason: `${known.reason}; ${next.reason}` };
}
