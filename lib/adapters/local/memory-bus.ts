/**
 * The in-process event bus of local mode: same port as EventBridge/MSK (validate, then
 * publish), plus subscribe. Publishing awaits the subscribers so local runs and tests are
 * deterministic; a subscriber that throws does not fail the publish (as with EventBridge,
 * where delivery to a target is separate from PutEvents) but is reported to `onError`.
 */
import type { EventType } from '../../domain/events/catalogue.js';
import type { DomainEvent } from '../../domain/events/envelope.js';
import { validateEvents } from '../../domain/events/validate.js';
import type { EventBus, PublishResult } from '../../ports/event-bus.js';

export type EventHandler = (event: DomainEvent) => void | Promise<void>;
/** An event type, a family prefix such as 'execution.*', or '*' for everything. */
export type EventPattern = EventType | `${string}.*` | '*';

export interface MemoryBusOptions {
  /** @default writes the event id and the error message to stderr */
  readonly onError?: (error: unknown, event: DomainEvent) => void;
}

const matches = (pattern: EventPattern, type: string): boolean =>
  pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1)));

export class MemoryBus implements EventBus {
  private readonly subscribers = new Set<{ pattern: EventPattern; handler: EventHandler }>();
  private readonly onError: (error: unknown, event: DomainEvent) => void;

  constructor(options: MemoryBusOptions = {}) {
    this.onError =
      options.onError ??
      ((error, event) => {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`memory-bus: subscriber failed on ${event.type} ${event.id}: ${message}\n`);
      });
  }

  /** Returns the unsubscribe function. */
  subscribe(pattern: EventPattern, handler: EventHandler): () => void {
    const entry = { pattern, handler };
    this.subscribers.add(entry);
    return () => {
      this.subscribers.delete(entry);
    };
  }

  async publish(events: readonly DomainEvent[]): Promise<PublishResult> {
    const valid = validateEvents(events);
    for (const event of valid) {
      for (const { pattern, handler } of [...this.subscribers]) {
        if (!matches(pattern, event.type)) continue;
        try {
          await handler(event);
        } catch (error) {
          this.onError(error, event);
        }
      }
    }
    return { published: valid.map((e) => e.id), deadLettered: [], failed: [] };
  }
}
