/**
 * `fields=a,b.c` partial responses. Applied to the object, or to each element of `items` for
 * list responses (`next_cursor` and other envelope keys stay). A field is known when the
 * route's response schema declares it or the data has it; any unknown field is a 400 that
 * lists them all, so a typo never silently returns an empty object.
 */
import * as z from 'zod';

import type { Issue } from '../domain/errors.js';

import { HttpProblem } from './problem.js';

type Tree = Map<string, Tree>;
type JsonSchema = { readonly [key: string]: unknown };

const FIELD = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const schemaCache = new WeakMap<z.ZodType, JsonSchema | null>();

function invalid(errors: Issue[]): HttpProblem {
  return new HttpProblem(
    400,
    'invalid_fields',
    'Bad Request',
    'The fields parameter names fields this response does not have',
    {
      errors,
    },
  );
}

/** The requested field paths, or null when `fields` is absent. */
export function parseFields(raw: string | undefined): string[] | null {
  if (raw === undefined) return null;
  const fields = raw.split(',').map((f) => f.trim());
  const bad = fields.filter((f) => !FIELD.test(f));
  if (bad.length > 0 || fields.length === 0) {
    throw invalid(
      (bad.length > 0 ? bad : ['']).map((f) => ({
        path: 'query.fields',
        message: `'${f}' is not a field path (comma-separated names, nested with '.')`,
      })),
    );
  }
  return fields;
}

export function applyFields(
  body: unknown,
  fields: readonly string[],
  schema: z.ZodType | undefined,
): unknown {
  const isList = isObject(body) && Array.isArray(body.items);
  const target: unknown = isList ? body.items : body;
  let json = schema ? jsonSchemaOf(schema) : null;
  if (json && isList) json = child(json, 'items');
  const unknown = fields.filter(
    (f) => !dataHas(target, f.split('.')) && !(json && schemaHas(json, f.split('.'))),
  );
  if (unknown.length > 0) {
    throw invalid(unknown.map((f) => ({ path: 'query.fields', message: `unknown field '${f}'` })));
  }
  const projected = pick(target, toTree(fields));
  return isList ? { ...body, items: projected } : projected;
}

function toTree(fields: readonly string[]): Tree {
  const root: Tree = new Map();
  for (const field of fields) {
    let node = root;
    for (const seg of field.split('.')) {
      let next = node.get(seg);
      if (!next) {
        next = new Map<string, Tree>();
        node.set(seg, next);
      }
      node = next;
    }
  }
  return root;
}

function pick(value: unknown, tree: Tree): unknown {
  if (tree.size === 0) return value; // a leaf selects the whole value
  if (Array.isArray(value)) return value.map((v) => pick(v, tree));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, sub] of tree) if (Object.hasOwn(value, key)) out[key] = pick(value[key], sub);
  return out;
}

function dataHas(value: unknown, path: readonly string[]): boolean {
  if (path.length === 0) return true;
  if (Array.isArray(value)) return value.some((v) => dataHas(v, path));
  if (!isObject(value)) return false;
  const [head = '', ...rest] = path;
  return Object.hasOwn(value, head) && dataHas(value[head], rest);
}

function schemaHas(schema: JsonSchema, path: readonly string[]): boolean {
  if (path.length === 0) return true;
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const options = schema[key];
    if (Array.isArray(options) && options.some((o) => isObject(o) && schemaHas(o, path))) return true;
  }
  if (isObject(schema.items)) return schemaHas(schema.items, path);
  const [head = '', ...rest] = path;
  const props = schema.properties;
  if (isObject(props) && isObject(props[head])) return schemaHas(props[head], rest);
  return isObject(schema.additionalProperties); // a record accepts any key
}

function child(schema: JsonSchema, key: string): JsonSchema | null {
  const props = schema.properties;
  const items = isObject(props) ? props[key] : undefined;
  return isObject(items) ? items : null;
}

function jsonSchemaOf(schema: z.ZodType): JsonSchema | null {
  let json = schemaCache.get(schema);
  if (json === undefined) {
    try {
      json = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });
    } catch {
      json = null; // a schema JSON Schema cannot express: fall back to the data alone
    }
    schemaCache.set(schema, json);
  }
  return json;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
