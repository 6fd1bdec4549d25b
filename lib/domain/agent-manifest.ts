/**
 * What a tenant submits to the registry: an agent (name, kind) and its versions (manifest,
 * golden tests, dependencies). Validated with zod at the boundary; no I/O.
 */
import * as z from 'zod';
import semver from 'semver';
import { ValidationError, type Issue } from './errors.js';

/** Agent names are the keys used in references (`fuel-emissions@^1.2`). */
export const AGENT_NAME = /^[a-z][a-z0-9-]{1,63}$/;
const agentName = z
  .string()
  .regex(AGENT_NAME, 'lowercase letters, digits and "-", starting with a letter (2-64)');

export const newAgentSchema = z.strictObject({
  name: agentName,
  kind: z.enum(['builtin', 'declarative']).default('declarative'),
  displayName: z.string().max(200).default(''),
  description: z.string().max(2000).default(''),
});
export type NewAgent = z.output<typeof newAgentSchema>;

export const goldenTestSchema = z.strictObject({
  name: z.string().min(1).max(200),
  input: z.unknown(),
  /** A partial output: every field given must match; fields left out are not checked. */
  expected: z.record(z.string(), z.unknown()),
});
export type GoldenTest = z.output<typeof goldenTestSchema>;

export const newVersionSchema = z.strictObject({
  version: z
    .string()
    // The event catalogue's bound (agent.* events carry the version).
    .max(64, 'at most 64 characters')
    .refine((v) => semver.valid(v) === v, 'semantic version MAJOR.MINOR.PATCH, e.g. 1.2.0'),
  /** For declarative agents: the spec (input JSON Schema, JSONata steps, output). */
  manifest: z.record(z.string(), z.unknown()).default({}),
  goldenTests: z.array(goldenTestSchema).max(200).default([]),
  /** `{ agentName: range }`, resolved transitively when the version is resolved. */
  dependencies: z
    .record(
      agentName,
      z.string().refine((r) => semver.validRange(r) !== null, 'semver range, e.g. ^1.2 or ~1.4.0'),
    )
    .default({}),
});
export type NewAgentVersion = z.output<typeof newVersionSchema>;

export function parseWithIssues<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  throw new ValidationError(
    r.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message })),
  );
}

/** Numbers equal within a relative 1e-9: golden values are decimals written by hand. */
function closeEnough(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Where `actual` differs from the partial `expected`: objects are matched on the keys
 * `expected` names, arrays element by element (same length), leaves by value.
 */
export function partialMismatches(expected: unknown, actual: unknown, path = ''): Issue[] {
  const at = path || '(root)';
  if (typeof expected === 'number' && typeof actual === 'number') {
    return closeEnough(expected, actual)
      ? []
      : [{ path: at, message: `expected ${expected}, got ${actual}` }];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return [
        {
          path: at,
          message: `expected an array of ${expected.length}, got ${JSON.stringify(actual)?.slice(0, 80)}`,
        },
      ];
    }
    return expected.flatMap((e, i) => partialMismatches(e, actual[i], path ? `${path}.${i}` : String(i)));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return [{ path: at, message: `expected an object, got ${JSON.stringify(actual)?.slice(0, 80)}` }];
    }
    return Object.entries(expected).flatMap(([k, v]) =>
      partialMismatches(v, (actual as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
    );
  }
  return Object.is(expected, actual) || expected === actual
    ? []
    : [{ path: at, message: `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}` }];
}
