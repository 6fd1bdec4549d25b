/**
 * Boundary validation for what callers hand the execution store, and the request hash
 * that makes idempotency keys safe (same key + different body is a conflict, not a replay).
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import * as z from 'zod';
import semver from 'semver';
import { ValidationError, type Issue } from './errors.js';
import type { ExecutionError, NewExecution } from './execution.js';

/** DynamoDB items stop at 400 KB; larger inputs/results belong in the blob store. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
export const MAX_LEASE_MS = 15 * 60 * 1000;

function issuesOf(error: z.ZodError, prefix = ''): Issue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: i.message,
  }));
}

export function parseOrThrow<T>(schema: z.ZodType<T>, raw: unknown, prefix = ''): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw new ValidationError(issuesOf(r.error, prefix));
  return r.data;
}

/** JSON text of a payload, refusing what JSON cannot carry and what does not fit an item. */
export function payloadJson(value: unknown, path: string): string {
  const bad = nonJsonPath(value, path, 0);
  if (bad) throw new ValidationError([bad]);
  const text = canonicalize(value);
  if (text === undefined) throw new ValidationError([{ path, message: 'must be a JSON value' }]);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new ValidationError([
      {
        path,
        message: `is ${bytes} bytes; the limit is ${MAX_PAYLOAD_BYTES}. Store large payloads in the blob store and pass a reference`,
      },
    ]);
  }
  return text;
}

/** First place where a value is not plain JSON (JSON.stringify would silently drop or null it). */
function nonJsonPath(value: unknown, path: string, depth: number): Issue | undefined {
  if (depth > 64) return { path, message: 'is nested deeper than 64 levels' };
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : { path, message: `must be a finite number, got ${value}` };
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const bad = nonJsonPath(v, `${path}.${i}`, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      const bad = nonJsonPath(v, `${path}.${k}`, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  return {
    path,
    message: `must be JSON (string, number, boolean, null, array or object), got ${typeof value}`,
  };
}

const newExecutionSchema = z.object({
  agentId: z.string().regex(/^[a-z][a-z0-9._-]{1,63}$/, 'lowercase agent id, e.g. "fuel-emissions"'),
  agentVersion: z.string().refine((v) => semver.valid(v) === v, 'exact semantic version, e.g. "1.2.0"'),
  input: z.unknown(),
  priority: z.number().int().min(0).max(3).default(2),
});

export interface ValidNewExecution extends NewExecution {
  readonly priority: number;
  readonly inputJson: string;
}

export function parseNewExecution(raw: unknown): ValidNewExecution {
  const v = parseOrThrow(newExecutionSchema, raw);
  return { ...v, inputJson: payloadJson(v.input, 'input') };
}

/** SHA-256 of the canonical request: what an idempotency key is bound to. */
export function requestHashOf(req: { agentId: string; agentVersion: string; inputJson: string }): string {
  return createHash('sha256').update(`${req.agentId}\n${req.agentVersion}\n${req.inputJson}`).digest('hex');
}

export function parseLeaseMs(raw: unknown): number {
  return parseOrThrow(z.number().int().min(1000).max(MAX_LEASE_MS), raw, 'leaseMs');
}

export function parseLeaseToken(raw: unknown): string {
  return parseOrThrow(z.uuid(), raw, 'leaseToken');
}

const executionErrorSchema = z.object({
  code: z.string().min(1).max(64),
  message: z.string().min(1).max(2000),
  issues: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .max(200)
    .optional(),
});

export function parseExecutionError(raw: unknown): ExecutionError {
  return parseOrThrow(executionErrorSchema, raw, 'error');
}

export function parseLimit(raw: unknown, fallback = 25): number {
  return parseOrThrow(z.number().int().min(1).max(100).default(fallback), raw, 'limit');
}
