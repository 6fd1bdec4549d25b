import { describe, expect, it } from 'vitest';
import { EVENT_CATALOGUE, EVENT_TYPES } from '../../lib/domain/events/catalogue.js';
import { createEvent, deterministicEventId } from '../../lib/domain/events/envelope.js';
import { InvalidEventError, validateEvent, validateEvents } from '../../lib/domain/events/validate.js';
import { SAMPLE_DETAILS, TENANT } from './samples.js';

const NAMES_REQUIRED = [
  'agent.created',
  'agent.version.published',
  'agent.certified',
  'agent.deprecated',
  'execution.created',
  'execution.started',
  'execution.completed',
  'execution.failed',
  'execution.cancelled',
  'execution.timed_out',
  'quota.exceeded',
  'slo.violation',
  'tenant.created',
  'tenant.suspended',
  'tenant.offboarded',
  'webhook.test',
];

function invalidIssues(event: unknown): { path: string; message: string }[] {
  try {
    validateEvent(event);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    return [...(error as InvalidEventError).issues];
  }
  throw new Error('expected the event to be refused');
}

describe('event catalogue', () => {
  it('names every event of the design contract', () => {
    expect(EVENT_TYPES).toEqual(expect.arrayContaining(NAMES_REQUIRED));
  });

  it.each(EVENT_TYPES)('%s: a sample event validates at the current version', (type) => {
    // Prepare
    const event = createEvent(type, TENANT, SAMPLE_DETAILS[type], { time: new Date('2026-11-26T10:00:00Z') });
    // Act
    const valid = validateEvent(event);
    // Assess
    expect(valid).toEqual({ ...event, version: EVENT_CATALOGUE[type].version, source: 'glaf' });
  });

  it.each(EVENT_TYPES)('%s: an empty detail is refused when the type has required fields', (type) => {
    const required = (EVENT_CATALOGUE[type].detail as { required: string[] }).required;
    expect(required.length).toBeGreaterThan(0);
    const issues = invalidIssues(createEvent(type, TENANT, {}));
    expect(issues.map((i) => i.path).sort()).toEqual(required.map((r) => `detail.${r}`).sort());
  });
});

describe('validateEvent', () => {
  const good = () => createEvent('execution.completed', TENANT, SAMPLE_DETAILS['execution.completed']);

  it('refuses an unknown type, naming the known ones', () => {
    const issues = invalidIssues({ ...good(), type: 'execution.exploded' });
    expect(issues).toEqual([
      { path: 'type', message: expect.stringContaining('execution.completed') as string },
    ]);
  });

  it('refuses unknown detail properties (a publisher cannot leak fields)', () => {
    const event = { ...good(), detail: { ...good().detail, password: 'x' } };
    expect(invalidIssues(event)).toEqual([
      { path: 'detail.password', message: 'is not allowed (unknown property)' },
    ]);
  });

  it('checks the envelope: uuid ids, ISO time, source, version', () => {
    const event = {
      ...good(),
      id: 'nope',
      time: 'yesterday',
      tenantId: 'acme',
      source: 'other',
      version: 99,
    };
    expect(
      invalidIssues(event)
        .map((i) => i.path)
        .sort(),
    ).toEqual(['id', 'source', 'tenantId', 'time', 'version']);
  });

  it('checks types, enums and bounds inside the detail', () => {
    const event = createEvent('execution.cancelled', TENANT, {
      ...SAMPLE_DETAILS['execution.cancelled'],
      attempts: -1,
      previousStatus: 'COMPLETED',
      agentId: 'Not A Slug',
    });
    expect(
      invalidIssues(event)
        .map((i) => i.path)
        .sort(),
    ).toEqual(['detail.agentId', 'detail.attempts', 'detail.previousStatus']);
  });

  it('the error message names the type and every problem', () => {
    const event = createEvent('quota.exceeded', TENANT, { quota: 'executionsPerMonth' });
    expect(() => validateEvent(event)).toThrow(
      /Event 'quota.exceeded' was not published because it is invalid: detail.limit is required; detail.used is required/,
    );
  });

  it('validateEvents refuses the whole list when one event is invalid', () => {
    const bad = createEvent('tenant.suspended', TENANT, {});
    expect(() => validateEvents([good(), bad])).toThrow(InvalidEventError);
  });
});

describe('deterministicEventId', () => {
  it('gives the same UUIDv5 for the same name and different ones for different names', () => {
    const a = deterministicEventId('outbox:1');
    expect(a).toBe(deterministicEventId('outbox:1'));
    expect(a).not.toBe(deterministicEventId('outbox:2'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('random ids are v4 and unique', () => {
    const ids = new Set(Array.from({ length: 50 }, () => createEvent('webhook.test', TENANT, {}).id));
    expect(ids.size).toBe(50);
  });
});
