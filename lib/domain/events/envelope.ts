/**
 * The event envelope every publisher sends: `{ id, type, version, time, tenantId, source,
 * detail }`. Ids are random UUIDs for fresh events and name-based (UUIDv5) for events
 * derived from something already durable (an outbox row, a DynamoDB stream record), so a
 * retried relay or stream batch republishes the same ids and consumers can deduplicate.
 */
import { createHash, randomUUID } from 'node:crypto';
import { EVENT_CATALOGUE, EVENT_SOURCE, type EventType } from './catalogue.js';

export interface DomainEvent<T extends EventType = EventType> {
  readonly id: string;
  readonly type: T;
  readonly version: number;
  /** ISO 8601 UTC: when the fact happened (not when it was published). */
  readonly time: string;
  readonly tenantId: string;
  readonly source: typeof EVENT_SOURCE;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface EventOptions {
  /** @default a random UUID */
  readonly id?: string;
  /** @default now */
  readonly time?: Date | string;
}

/** Builds an envelope at the type's current version (not validated: publishers validate). */
export function createEvent<T extends EventType>(
  type: T,
  tenantId: string,
  detail: Readonly<Record<string, unknown>>,
  options: EventOptions = {},
): DomainEvent<T> {
  const time = options.time ?? new Date();
  return {
    id: options.id ?? randomUUID(),
    type,
    version: EVENT_CATALOGUE[type].version,
    time: typeof time === 'string' ? time : time.toISOString(),
    tenantId,
    source: EVENT_SOURCE,
    detail,
  };
}

/** Fixed namespace of the platform's name-based event ids (a random v4, chosen once). */
const EVENT_ID_NAMESPACE = Buffer.from('3f1d6c2a9b8e4d7fa1c05e2b7d9f4a61', 'hex');

/**
 * UUIDv5 (RFC 9562 section 5.5) of `name`: the same name always gives the same id.
 * Callers name the durable thing the event comes from, e.g. `outbox:<row id>`.
 */
export function deterministicEventId(name: string): string {
  const hash = createHash('sha1').update(EVENT_ID_NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
