/**
 * `validateEvent`: the check every publisher runs before anything leaves the process. The
 * envelope and the type's detail schema are compiled once per type (Ajv, draft 2020-12,
 * strict, with formats); an invalid event throws InvalidEventError listing every problem.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { DomainError, type Issue } from '../errors.js';
import { EVENT_CATALOGUE, EVENT_SOURCE, EVENT_TYPES, isEventType, type EventType } from './catalogue.js';
import type { DomainEvent } from './envelope.js';

// ajv-formats is CommonJS: under NodeNext the default import is `module.exports`.
const addFormats = ajvFormats.default;

/**
 * A publisher built an event its schema refuses: a bug in the publishing code (not the
 * client's input), so it is not a ValidationError; nothing of the batch was published.
 */
export class InvalidEventError extends DomainError {
  readonly code = 'invalid_event';
  constructor(
    readonly eventType: string,
    readonly issues: readonly Issue[],
  ) {
    super(
      `Event '${eventType}' was not published because it is invalid: ` +
        issues.map((i) => `${i.path || '(event)'} ${i.message}`).join('; '),
      { eventType, issues },
    );
  }
}

/** The full JSON Schema (envelope + detail) of one event type at its current version. */
export function eventSchema(type: EventType): Record<string, unknown> {
  const def = EVENT_CATALOGUE[type];
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://schemas.glaf.dev/events/${type}/v${def.version}.json`,
    title: type,
    description: def.description,
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      type: { const: type },
      version: { const: def.version },
      time: { type: 'string', format: 'date-time' },
      tenantId: { type: 'string', format: 'uuid' },
      source: { const: EVENT_SOURCE },
      detail: def.detail,
    },
    required: ['id', 'type', 'version', 'time', 'tenantId', 'source', 'detail'],
    additionalProperties: false,
  };
}

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const compiled = new Map<EventType, ValidateFunction>();

function validatorOf(type: EventType): ValidateFunction {
  let fn = compiled.get(type);
  if (!fn) {
    fn = ajv.compile(eventSchema(type));
    compiled.set(type, fn);
  }
  return fn;
}

const dotted = (pointer: string): string => pointer.slice(1).split('/').filter(Boolean).join('.');

function issueOf(e: ErrorObject): Issue {
  const params = e.params as Record<string, unknown>;
  const path = dotted(e.instancePath);
  if (e.keyword === 'required') {
    return { path: [path, params['missingProperty']].filter(Boolean).join('.'), message: 'is required' };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = String(params['additionalProperty']);
    return { path: [path, extra].filter(Boolean).join('.'), message: 'is not allowed (unknown property)' };
  }
  return { path, message: e.message ?? 'is invalid' };
}

/** Returns the event typed by its `type`, or throws InvalidEventError. */
export function validateEvent(event: unknown): DomainEvent {
  const type = (event as { type?: unknown } | null)?.type;
  if (!isEventType(type)) {
    throw new InvalidEventError(String(type), [
      { path: 'type', message: `is not a known event type (known: ${EVENT_TYPES.join(', ')})` },
    ]);
  }
  const fn = validatorOf(type);
  if (!fn(event)) throw new InvalidEventError(type, (fn.errors ?? []).map(issueOf));
  return event as DomainEvent;
}

/** Validates every event first, so one bad event stops the whole publish (nothing half-sent). */
export function validateEvents(events: readonly unknown[]): DomainEvent[] {
  return events.map(validateEvent);
}
