/**
 * Every event's current schema against its frozen previous versions in
 * test/fixtures/event-schemas/ (`<type>.v<n>.json`, written by freeze-event-schemas.ts),
 * and negative cases proving the checker catches each kind of breaking change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EVENT_CATALOGUE,
  EVENT_TYPES,
  type EventType,
  type JsonSchema,
} from '../../lib/domain/events/catalogue.js';
import { checkBackwardCompatible, checkEventCompatible } from '../../lib/domain/events/compat.js';
import { eventSchema } from '../../lib/domain/events/validate.js';

const DIR = new URL('../fixtures/event-schemas/', import.meta.url);
const frozen = readdirSync(DIR)
  .map((file) => /^(.+)\.v(\d+)\.json$/.exec(file))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({
    type: m[1]!,
    version: Number(m[2]),
    schema: JSON.parse(readFileSync(new URL(m[0], DIR), 'utf8')) as JsonSchema,
  }));

describe('event schemas stay backward compatible', () => {
  it.each(EVENT_TYPES)('%s has a frozen baseline', (type) => {
    expect(frozen.some((f) => f.type === type)).toBe(true);
  });

  it('every frozen schema belongs to a current event type', () => {
    expect(frozen.map((f) => f.type).filter((t) => !(EVENT_TYPES as string[]).includes(t))).toEqual([]);
  });

  const current = frozen.filter((f) => f.version === EVENT_CATALOGUE[f.type as EventType].version);
  const older = frozen.filter((f) => f.version < EVENT_CATALOGUE[f.type as EventType].version);

  it('no frozen version is ahead of the catalogue', () => {
    expect(frozen.filter((f) => f.version > EVENT_CATALOGUE[f.type as EventType].version)).toEqual([]);
  });

  // The same version must mean the same schema: a change without a version bump fails here.
  it.each(current.map((f) => [`${f.type} v${f.version}`, f] as const))(
    '%s is unchanged at its version',
    (_n, f) => {
      expect(eventSchema(f.type as EventType)).toEqual(f.schema);
    },
  );

  it.each(older.map((f) => [`${f.type} v${f.version}`, f] as const))(
    'current %s accepts all it accepted',
    (_n, f) => {
      expect(checkEventCompatible(f.schema, eventSchema(f.type as EventType))).toEqual([]);
    },
  );
});

describe('checkBackwardCompatible catches each kind of breaking change', () => {
  const v1: JsonSchema = {
    type: 'object',
    properties: {
      id: { type: 'string', minLength: 1, maxLength: 64 },
      count: { type: 'integer', minimum: 0, maximum: 10 },
      score: { type: 'number' },
      status: { type: 'string', enum: ['A', 'B'] },
      tags: { type: 'array', items: { type: 'string' }, maxItems: 5 },
      nested: {
        type: 'object',
        properties: { code: { type: 'string' } },
        required: ['code'],
        additionalProperties: false,
      },
    },
    required: ['id'],
    additionalProperties: false,
  };
  const props = v1['properties'] as Record<string, Record<string, unknown>>;
  const withProp = (name: string, schema: Record<string, unknown>): JsonSchema => ({
    ...v1,
    properties: { ...props, [name]: schema },
  });

  it('accepts compatible changes: new optional property, wider type, wider enum, looser bounds', () => {
    const v2: JsonSchema = {
      ...v1,
      properties: {
        ...props,
        note: { type: 'string' },
        count: { type: 'number', minimum: -5 },
        status: { type: 'string', enum: ['A', 'B', 'C'] },
        tags: { type: 'array', items: { type: ['string', 'number'] } },
      },
    };
    expect(checkBackwardCompatible(v1, v2)).toEqual([]);
    expect(checkBackwardCompatible(v1, v1)).toEqual([]);
  });

  it.each([
    [
      'removed property',
      () => ({ ...v1, properties: { ...props, count: undefined } }),
      'removed-property',
      'count',
    ],
    ['newly required property', () => ({ ...v1, required: ['id', 'count'] }), 'newly-required', 'count'],
    ['narrowed type', () => withProp('count', { type: 'string' }), 'narrowed-type', 'count'],
    ['number narrowed to integer', () => withProp('score', { type: 'integer' }), 'narrowed-type', 'score'],
    ['narrowed enum', () => withProp('status', { type: 'string', enum: ['A'] }), 'narrowed-enum', 'status'],
    [
      'enum added to a free field',
      () => withProp('id', { type: 'string', enum: ['x'] }),
      'narrowed-enum',
      'id',
    ],
    [
      'raised minimum',
      () => withProp('count', { type: 'integer', minimum: 1, maximum: 10 }),
      'tightened-constraint',
      'count',
    ],
    [
      'lowered maximum',
      () => withProp('count', { type: 'integer', minimum: 0, maximum: 9 }),
      'tightened-constraint',
      'count',
    ],
    [
      'shorter maxLength',
      () => withProp('id', { type: 'string', minLength: 1, maxLength: 10 }),
      'tightened-constraint',
      'id',
    ],
    [
      'new pattern',
      () => withProp('id', { type: 'string', minLength: 1, maxLength: 64, pattern: '^a' }),
      'tightened-constraint',
      'id',
    ],
    [
      'new format',
      () => withProp('id', { type: 'string', minLength: 1, maxLength: 64, format: 'uuid' }),
      'tightened-constraint',
      'id',
    ],
    [
      'narrowed array items',
      () => withProp('tags', { type: 'array', items: { type: 'string', maxLength: 3 }, maxItems: 5 }),
      'tightened-constraint',
      'tags.[]',
    ],
    [
      'nested newly required',
      () =>
        withProp('nested', {
          ...props['nested'],
          properties: { code: { type: 'string' }, x: { type: 'string' } },
          required: ['code', 'x'],
        }),
      'newly-required',
      'nested.x',
    ],
    [
      'unprovable combinator',
      () => withProp('id', { type: 'string', minLength: 1, maxLength: 64, oneOf: [{ minLength: 2 }] }),
      'unprovable-change',
      'id',
    ],
  ] as const)('%s', (_name, make, kind, path) => {
    const v2 = JSON.parse(JSON.stringify(make())) as JsonSchema;
    expect(checkBackwardCompatible(v1, v2)).toContainEqual(expect.objectContaining({ kind, path }));
  });

  it('opening a closed object (dropping additionalProperties: false) is a widening', () => {
    const nested = { ...props['nested'] };
    delete nested['additionalProperties'];
    expect(checkBackwardCompatible(v1, { ...v1, properties: { ...props, nested } })).toEqual([]);
  });

  it('reports closing a previously open object', () => {
    const open: JsonSchema = { type: 'object', properties: { a: { type: 'string' } } };
    const closed: JsonSchema = { ...open, additionalProperties: false };
    expect(checkBackwardCompatible(open, closed)).toEqual([
      expect.objectContaining({ kind: 'tightened-constraint', path: '' }),
    ]);
  });

  it('a new typed property on an open object narrows values it used to accept', () => {
    const open: JsonSchema = { type: 'object', properties: {} };
    const typed: JsonSchema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(checkBackwardCompatible(open, typed)).toEqual([
      expect.objectContaining({ kind: 'narrowed-type', path: 'a' }),
    ]);
  });

  it('checkEventCompatible ignores the version bump but catches a detail break', () => {
    const v1Event = eventSchema('execution.failed');
    const detail = (v1Event['properties'] as Record<string, Record<string, unknown>>)['detail']!;
    const bumped = {
      ...v1Event,
      properties: { ...(v1Event['properties'] as object), version: { const: 2 } },
    };
    expect(checkEventCompatible(v1Event, bumped)).toEqual([]);
    const broken = {
      ...bumped,
      properties: {
        ...(bumped.properties as object),
        detail: { ...detail, required: [...(detail['required'] as string[]), 'attempts'] },
      },
    };
    expect(checkEventCompatible(v1Event, broken)).toEqual([
      expect.objectContaining({ kind: 'newly-required', path: 'detail.attempts' }),
    ]);
  });
});
