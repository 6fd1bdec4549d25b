/**
 * The OpenAPI 3.1 document, generated from the route table and the same zod schemas the
 * pipeline validates with (`z.toJSONSchema`, JSON Schema 2020-12 = OpenAPI 3.1's dialect).
 * Nested `$defs` are hoisted into `components.schemas` so every `$ref` resolves from the root.
 */
import * as z from 'zod';

import type { AnyRoute } from './router.js';
import { SUPPORTED_MEDIA_TYPES, VENDOR_JSON } from './versioning.js';

type Json = Record<string, unknown>;

const ERROR_STATUSES: Readonly<Record<string, string>> = {
  '400': 'Malformed JSON, invalid fields (every one listed in `errors`) or unknown `fields=`',
  '401': 'Missing or invalid credentials',
  '403': 'The caller may not run this operation',
  '404': 'Not found (including resources of other tenants)',
  '406': 'None of the Accept media types can be produced',
  '413': 'Request body too large',
  '429': 'Rate limit reached; see Retry-After',
  '500': 'Internal error (the body carries only the request id)',
};

const RATE_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];

export function buildOpenApi(routes: readonly AnyRoute[]): Json {
  const schemas: Json = { Problem: problemSchema() };
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const convert = (schema: z.ZodType, kind: string, io: 'input' | 'output'): Json =>
      hoist(toJson(schema, io), `${route.operationId}.${kind}`, schemas);
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, convert);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'GL Agent Factory API',
      version: '1',
      description: `Media types: ${SUPPORTED_MEDIA_TYPES.join(', ')}`,
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas,
      responses: Object.fromEntries(
        Object.entries(ERROR_STATUSES).map(([status, description]) => [
          `Problem${status}`,
          {
            description,
            content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          },
        ]),
      ),
      headers: Object.fromEntries(RATE_HEADERS.map((h) => [h, { schema: { type: 'integer' } }])),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
    },
  };
}

function operation(
  route: AnyRoute,
  convert: (s: z.ZodType, kind: string, io: 'input' | 'output') => Json,
): Json {
  const parameters = [
    ...parametersOf(
      route.params ? convert(route.params, 'params', 'input') : undefined,
      'path',
      pathNames(route.path),
    ),
    ...parametersOf(route.query ? convert(route.query, 'query', 'input') : undefined, 'query', []),
    ...(route.method === 'GET'
      ? [
          {
            name: 'fields',
            in: 'query',
            required: false,
            description: 'Partial response: a,b.c',
            schema: { type: 'string' },
          },
        ]
      : []),
  ];
  const success = String(route.successStatus ?? 200);
  const content = route.response
    ? Object.fromEntries(
        ['application/json', VENDOR_JSON].map((t) => [
          t,
          { schema: convert(route.response!, 'response', 'output') },
        ]),
      )
    : undefined;
  const public_ = route.access === 'public';
  const errors = Object.keys(ERROR_STATUSES).filter((s) => !(public_ && (s === '401' || s === '403')));
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [...route.tags],
    ...(route.deprecation ? { deprecated: true } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: convert(route.body, 'body', 'input') } },
          },
        }
      : {}),
    responses: {
      [success]: {
        description: route.summary,
        headers: Object.fromEntries(RATE_HEADERS.map((h) => [h, { $ref: `#/components/headers/${h}` }])),
        ...(content ? { content } : {}),
      },
      ...(route.method === 'GET'
        ? { '304': { description: 'Not modified (If-None-Match matched the ETag)' } }
        : {}),
      ...Object.fromEntries(errors.map((s) => [s, { $ref: `#/components/responses/Problem${s}` }])),
    },
    security: public_ ? [] : [{ bearerAuth: [] }, { apiKey: [] }],
  };
}

function parametersOf(
  schema: Json | undefined,
  where: 'path' | 'query',
  fallback: readonly string[],
): Json[] {
  const props = (schema?.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema?.required ?? []) as string[]);
  const names = schema ? Object.keys(props) : [...fallback];
  return names.map((name) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: props[name] ?? { type: 'string' },
  }));
}

function pathNames(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
}

function toJson(schema: z.ZodType, io: 'input' | 'output'): Json {
  // The dialect is the document's (OpenAPI 3.1 = JSON Schema 2020-12); repeating it per schema is noise.
  return omit(z.toJSONSchema(schema, { io, unrepresentable: 'any' }), '$schema');
}

/** Moves `$defs` into components.schemas under `<prefix>.<name>` and rewrites the refs. */
function hoist(json: Json, prefix: string, components: Json): Json {
  const defs = (json.$defs ?? {}) as Record<string, Json>;
  const rest = omit(json, '$defs');
  const rename = (name: string): string => `${prefix}.${name}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) =>
        k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')
          ? [k, `#/components/schemas/${rename(v.slice('#/$defs/'.length))}`]
          : [k, rewrite(v)],
      ),
    );
  };
  for (const [name, def] of Object.entries(defs)) components[rename(name)] = rewrite(def);
  return rewrite(rest) as Json;
}

function omit(json: Json, key: string): Json {
  return Object.fromEntries(Object.entries(json).filter(([k]) => k !== key));
}

function problemSchema(): Json {
  return {
    type: 'object',
    required: ['type', 'title', 'status', 'detail', 'instance', 'request_id'],
    properties: {
      type: { type: 'string', format: 'uri' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string' },
      request_id: { type: 'string' },
      errors: {
        type: 'array',
        items: {
          type: 'object',
          required: ['path', 'message'],
          properties: { path: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  };
}
