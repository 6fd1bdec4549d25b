/**
 * The spec's input JSON Schema (draft 2020-12), compiled once with Ajv in strict mode, and
 * the mapping of Ajv errors to the `{path, message}` issues every boundary reports
 * (dotted paths, as zod gives them: `refrigerants.0.kg`).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { Issue } from '../../domain/errors.js';
import type { ParseResult } from '../types.js';

// ajv-formats is CommonJS: under NodeNext the default import is `module.exports`, whose
// `default` property is the plugin.
const addFormats = ajvFormats.default;

export type InputValidator = (raw: unknown) => ParseResult<unknown>;

export type CompiledSchema =
  { readonly ok: true; readonly validate: InputValidator } | { readonly ok: false; readonly message: string };

export function compileInputSchema(schema: Readonly<Record<string, unknown>>): CompiledSchema {
  if (schema['type'] !== 'object') {
    return { ok: false, message: 'must be a JSON Schema with "type": "object" (agent input is an object)' };
  }
  // One Ajv per spec: specs may reuse `$id`s, and strict mode must judge each schema alone.
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  let fn: ValidateFunction;
  try {
    fn = ajv.compile(schema);
  } catch (err) {
    return { ok: false, message: `invalid JSON Schema: ${err instanceof Error ? err.message : String(err)}` };
  }
  return {
    ok: true,
    validate: (raw) => {
      // JSON cannot carry NaN or Infinity but a JS caller can, and `minimum: 0` lets NaN through.
      const nonFinite = nonFiniteNumbers(raw);
      if (nonFinite.length > 0) return { ok: false, issues: nonFinite };
      if (fn(raw)) return { ok: true, value: raw };
      return { ok: false, issues: (fn.errors ?? []).map(issueOf) };
    },
  };
}

function dotted(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function issueOf(e: ErrorObject): Issue {
  const segments = dotted(e.instancePath);
  const params = e.params as Record<string, unknown>;
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'required' && typeof params['missingProperty'] === 'string') {
    segments.push(params['missingProperty']);
    message = 'is required';
  } else if (e.keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string') {
    segments.push(params['additionalProperty']);
    message = 'is not an allowed property';
  } else if (e.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
    message = `must be one of: ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (e.keyword === 'const') {
    message = `must be ${JSON.stringify(params['allowedValue'])}`;
  }
  return { path: segments.join('.') || '(root)', message };
}

function nonFiniteNumbers(value: unknown, path: string[] = [], out: Issue[] = []): Issue[] {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    out.push({ path: path.join('.') || '(root)', message: `must be a finite number (got ${String(value)})` });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nonFiniteNumbers(v, [...path, String(i)], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) nonFiniteNumbers(v, [...path, k], out);
  }
  return out;
}
