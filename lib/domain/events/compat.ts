/**
 * Backward compatibility of event schemas: the next version must accept every event the
 * previous version accepted, so a consumer written against v1 keeps working when a
 * producer moves to v2 and an outbox row written under v1 still validates under v2.
 *
 * This is a structural, conservative check over the JSON Schema subset the catalogue
 * uses (type, enum/const, properties, required, additionalProperties, items, numeric,
 * string and array bounds, pattern, format). Anything it cannot prove (a changed
 * pattern, a new `allOf`) is reported as breaking: a false alarm costs a version review,
 * a missed break costs a consumer outage.
 */
import type { JsonSchema } from './catalogue.js';

export type BreakingKind =
  | 'removed-property'
  | 'newly-required'
  | 'narrowed-type'
  | 'narrowed-enum'
  | 'tightened-constraint'
  | 'unprovable-change';

export interface BreakingChange {
  /** Dotted path of the sub-schema ('' is the root), e.g. 'detail.error.code'. */
  readonly path: string;
  readonly kind: BreakingKind;
  readonly message: string;
}

type Schema = Readonly<Record<string, unknown>>;

const asSchema = (s: unknown): Schema => (s === true || s === undefined ? {} : (s as Schema));
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function typesOf(s: Schema): string[] | undefined {
  const t = s['type'];
  return t === undefined ? undefined : Array.isArray(t) ? (t as string[]) : [t as string];
}

function valuesOf(s: Schema): unknown[] | undefined {
  if ('const' in s) return [s['const']];
  return Array.isArray(s['enum']) ? (s['enum'] as unknown[]) : undefined;
}

/** Lower bounds: a bigger (or new) value rejects more. Upper bounds: a smaller (or new) one. */
const LOWER = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const;
const UPPER = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const;
/** Changing these at all can reject something the old one accepted. */
const EXACT = ['pattern', 'format', 'multipleOf'] as const;
/** Keywords this checker does not reason about: any difference is reported. */
const OPAQUE = [
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  'dependentRequired',
  'dependentSchemas',
  'patternProperties',
  'propertyNames',
  'prefixItems',
  'contains',
  'unevaluatedProperties',
  '$ref',
] as const;

export function checkBackwardCompatible(previous: JsonSchema, next: JsonSchema, path = ''): BreakingChange[] {
  const prev = asSchema(previous);
  const cur = asSchema(next);
  const out: BreakingChange[] = [];
  const report = (kind: BreakingKind, message: string, at = path): void => {
    out.push({ path: at, kind, message });
  };

  const pt = typesOf(prev);
  const nt = typesOf(cur);
  if (nt && !pt) report('narrowed-type', `now restricted to type ${nt.join('|')} (was any type)`);
  if (nt && pt) {
    const lost = pt.filter((t) => !nt.includes(t) && !(t === 'integer' && nt.includes('number')));
    if (lost.length) report('narrowed-type', `no longer accepts type ${lost.join('|')}`);
  }

  const pv = valuesOf(prev);
  const nv = valuesOf(cur);
  if (nv && !pv) report('narrowed-enum', `now restricted to ${JSON.stringify(nv)} (was unrestricted)`);
  if (nv && pv) {
    const lost = pv.filter((v) => !nv.some((w) => same(v, w)));
    if (lost.length) report('narrowed-enum', `no longer accepts ${JSON.stringify(lost)}`);
  }

  for (const k of LOWER) {
    const a = prev[k] as number | undefined;
    const b = cur[k] as number | undefined;
    if (b !== undefined && (a === undefined || b > a))
      report('tightened-constraint', `${k} ${a ?? 'none'} -> ${b}`);
  }
  for (const k of UPPER) {
    const a = prev[k] as number | undefined;
    const b = cur[k] as number | undefined;
    if (b !== undefined && (a === undefined || b < a))
      report('tightened-constraint', `${k} ${a ?? 'none'} -> ${b}`);
  }
  for (const k of EXACT) {
    if (cur[k] !== undefined && !same(prev[k], cur[k])) {
      report('tightened-constraint', `${k} ${JSON.stringify(prev[k] ?? null)} -> ${JSON.stringify(cur[k])}`);
    }
  }
  if (cur['uniqueItems'] === true && prev['uniqueItems'] !== true) {
    report('tightened-constraint', 'uniqueItems is now required');
  }
  for (const k of OPAQUE) {
    if (cur[k] !== undefined && !same(prev[k], cur[k])) {
      report('unprovable-change', `'${k}' changed; this checker cannot prove it accepts all old events`);
    }
  }

  const prevRequired = new Set((prev['required'] as string[] | undefined) ?? []);
  for (const name of (cur['required'] as string[] | undefined) ?? []) {
    if (!prevRequired.has(name)) report('newly-required', `'${name}' is now required`, join(path, name));
  }

  const pp = (prev['properties'] as Record<string, unknown> | undefined) ?? {};
  const np = (cur['properties'] as Record<string, unknown> | undefined) ?? {};
  const prevOpen = prev['additionalProperties'] !== false;
  for (const name of Object.keys(pp)) {
    if (!(name in np)) report('removed-property', `'${name}' was removed`, join(path, name));
    else out.push(...checkBackwardCompatible(asSchema(pp[name]), asSchema(np[name]), join(path, name)));
  }
  for (const name of Object.keys(np)) {
    // A property the old schema left open (any value) now has a schema: compare with "any".
    if (!(name in pp) && prevOpen) {
      const openPrev = asSchema(prev['additionalProperties']);
      out.push(...checkBackwardCompatible(openPrev, asSchema(np[name]), join(path, name)));
    }
  }
  if (prevOpen && cur['additionalProperties'] === false) {
    report('tightened-constraint', 'additionalProperties is now false (unknown properties were allowed)');
  } else if (prevOpen && typeof cur['additionalProperties'] === 'object') {
    out.push(
      ...checkBackwardCompatible(
        asSchema(prev['additionalProperties']),
        asSchema(cur['additionalProperties']),
        join(path, '*'),
      ),
    );
  }

  if (cur['items'] !== undefined) {
    out.push(...checkBackwardCompatible(asSchema(prev['items']), asSchema(cur['items']), join(path, '[]')));
  }
  return out;
}

/**
 * Compares two full event schemas (envelope + detail, as `eventSchema` builds them). The
 * envelope's `version` const is left out: it is meant to change, and a consumer keys on
 * `type`; everything else (envelope fields and the detail) must stay compatible.
 */
export function checkEventCompatible(previous: JsonSchema, next: JsonSchema): BreakingChange[] {
  const withoutVersion = (s: JsonSchema): JsonSchema => {
    const properties = { ...((s['properties'] as Record<string, unknown> | undefined) ?? {}) };
    delete properties['version'];
    return { ...s, properties };
  };
  return checkBackwardCompatible(withoutVersion(previous), withoutVersion(next));
}
