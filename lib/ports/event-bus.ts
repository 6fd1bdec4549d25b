/**
 * The event bus port: EventBridge and MSK in AWS, the in-process bus locally. Every
 * adapter validates each event against the catalogue before sending anything
 * (`validateEvents`), so an invalid event is never published: InvalidEventError instead.
 */
import type { DomainEvent } from '../domain/events/envelope.js';

export interface PublishFailure {
  readonly event: DomainEvent;
  /** Service error code when there is one (e.g. ThrottlingException). */
  readonly code?: string;
  readonly reason: string;
}

export interface PublishResult {
  /** Ids of the events the bus accepted, in the order given. */
  readonly published: readonly string[];
  /** Gave up after the retries and handed to the dead-letter queue: not lost, not retried here. */
  readonly deadLettered: readonly PublishFailure[];
  /** Neither accepted nor dead-lettered: the caller still owns them (the outbox keeps them pending). */
  readonly failed: readonly PublishFailure[];
}

export interface EventBus {
  /** Publishes in the order given; throws InvalidEventError (publishing nothing) on an invalid event. */
  publish(events: readonly DomainEvent[]): Promise<PublishResult>;
}

/** Where events go that the bus refused after every retry (an SQS queue in AWS). */
export interface EventDeadLetterQueue {
  send(failures: readonly PublishFailure[]): Promise<void>;
}

export const emptyResult = (): PublishResult => ({ published: [], deadLettered: [], failed: [] });
