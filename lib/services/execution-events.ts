/**
 * Execution changes -> events. The DynamoDB stream (NEW_AND_OLD_IMAGES) shows each write
 * to an execution item as (before, after); a status change becomes one event:
 *   PENDING -> RUNNING  execution.started      -> COMPLETED  execution.completed
 *   -> FAILED           execution.failed       -> TIMED_OUT  execution.timed_out
 *   -> CANCELLED        execution.cancelled
 * Writes that keep the status (lease extension) and releases (RUNNING -> PENDING) say
 * nothing. A new item that is already terminal (a result served from the cache) announces
 * its outcome; a new PENDING item is left to the API's `execution.created`. A completion says
 * whether its result came from the result cache (`fromCache`, kept on the record).
 *
 * Idempotent: the event id is derived from the change itself (execution, new status,
 * attempt, update time), so a stream batch the Lambda service retries publishes the same
 * ids and consumers deduplicate.
 */
import { createEvent, deterministicEventId, type DomainEvent } from '../domain/events/envelope.js';
import type { EventType } from '../domain/events/catalogue.js';
import type { Execution, ExecutionStatus } from '../domain/execution.js';
import type { EventBus } from '../ports/event-bus.js';

const EVENT_OF_STATUS: Partial<Record<ExecutionStatus, EventType>> = {
  RUNNING: 'execution.started',
  COMPLETED: 'execution.completed',
  FAILED: 'execution.failed',
  TIMED_OUT: 'execution.timed_out',
  CANCELLED: 'execution.cancelled',
};

export interface ExecutionChange {
  /** Absent for a new item. */
  readonly before?: Execution;
  readonly after: Execution;
}

/** The event one change announces, or undefined when it announces nothing. */
export function eventOfChange({ before, after }: ExecutionChange): DomainEvent | undefined {
  if (before?.status === after.status) return undefined;
  const type = EVENT_OF_STATUS[after.status];
  if (!type) return undefined;
  // RUNNING is reached only by a claim from PENDING; a new item is never RUNNING.
  if (type === 'execution.started' && before?.status !== 'PENDING') return undefined;
  const detail: Record<string, unknown> = {
    executionId: after.executionId,
    agentId: after.agentId,
    agentVersion: after.agentVersion,
    attempts: after.attempts,
    at: after.updatedAt,
  };
  if (type === 'execution.completed') detail['fromCache'] = after.servedFromCache === true;
  if (type === 'execution.failed') {
    detail['error'] = {
      code: after.error?.code || 'unknown',
      message: after.error?.message || 'the execution failed without a recorded reason',
    };
  }
  if (type === 'execution.cancelled' && (before?.status === 'PENDING' || before?.status === 'RUNNING')) {
    detail['previousStatus'] = before.status;
  }
  const name = `execution:${after.tenantId}:${after.executionId}:${after.status}:${after.attempts}:${after.updatedAt}`;
  return createEvent(type, after.tenantId, detail, { id: deterministicEventId(name), time: after.updatedAt });
}

/** A change with the identifier its source uses to retry it (a stream sequence number). */
export interface KeyedChange {
  readonly key: string;
  readonly change: ExecutionChange;
}

export interface ChangesOutcome {
  readonly published: number;
  /** Keys whose event was neither published nor dead-lettered: the source must retry them. */
  readonly failedKeys: readonly string[];
}

/** Publishes the events of a batch of changes in order; reports the keys to retry. */
export async function publishExecutionChanges(
  bus: EventBus,
  changes: readonly KeyedChange[],
): Promise<ChangesOutcome> {
  const keyOf = new Map<string, string>();
  const events: DomainEvent[] = [];
  for (const { key, change } of changes) {
    const event = eventOfChange(change);
    if (!event) continue;
    events.push(event);
    keyOf.set(event.id, key);
  }
  if (events.length === 0) return { published: 0, failedKeys: [] };
  const result = await bus.publish(events);
  const failedKeys = [...new Set(result.failed.map((f) => keyOf.get(f.event.id)!))];
  return { published: result.published.length, failedKeys };
}
