/**
 * The OpenAPI 3.1 document: served over HTTP, every route present with its schemas, every
 * `$ref` resolvable, and the schemas valid JSON Schema 2020-12 that accept and refuse the
 * same bodies the pipeline does. Also built from the real route table of lib/http/routes.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OPERATION_IDS } from '../../lib/domain/rbac.js';
import { MemoryRateLimiter } from '../../lib/adapters/local/memory-rate-limiter.js';
import { buildOpenApi } from '../../lib/http/openapi.js';
import type { AnyRoute } from '../../lib/http/router.js';
import { routes as realRoutes } from '../../lib/http/routes/index.js';
import type { AppServices } from '../../lib/http/services.js';

import { call, installLogSink, serve, stubAuthorizer, type Running } from './harness.js';
import { testRoutes } from './test-routes.js';

type Json = Record<string, unknown>;
// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

let limiter: MemoryRateLimiter;
let server: Running;
let sink: ReturnType<typeof installLogSink>;

beforeAll(async () => {
  sink = installLogSink();
  // Public routes only: no tenant quotas, so no database.
  limiter = new MemoryRateLimiter();
  const services = { limiter, clock: () => new Date() } as unknown as AppServices;
  server = await serve(testRoutes, services, {
    authorize: stubAuthorizer({}).authorize,
    routes: testRoutes,
  });
});

afterAll(async () => {
  await server?.close();
  await limiter?.close();
  sink?.restore();
});

function refsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsOf(v, out));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsOf(v, out);
    }
  }
  return out;
}

function resolvePointer(doc: Json, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
}

function checkDocument(doc: Json, table: readonly AnyRoute[]): void {
  expect(doc.openapi).toBe('3.1.0');
  const paths = doc.paths as Record<string, Record<string, Json>>;
  for (const route of table) {
    const op = paths[route.path]?.[route.method.toLowerCase()];
    expect(op?.operationId).toBe(route.operationId);
    const responses = op?.responses as Json;
    expect(Object.keys(responses)).toContain(String(route.successStatus ?? 200));
    if (route.body) expect(op?.requestBody).toBeDefined();
    expect(op?.security).toEqual(route.access === 'public' ? [] : [{ bearerAuth: [] }, { apiKey: [] }]);
    const pathParams = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const declared = ((op?.parameters ?? []) as Json[]).filter((p) => p.in === 'path').map((p) => p.name);
    expect(declared.sort()).toEqual(pathParams.sort());
  }
  const unresolved = refsOf(doc).filter(
    (ref) => !ref.startsWith('#/') || resolvePointer(doc, ref) === undefined,
  );
  expect(unresolved).toEqual([]);
}

describe('GET /v1/openapi.json', () => {
  it('is JSON describing every route of the table with its schemas', async () => {
    const r = await call(server.url, 'GET', '/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    const doc = r.json();
    checkDocument(doc, testRoutes);
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const register = paths['/v1/agents']?.post as Json;
    const body = (register.requestBody as Json).content as Record<string, { schema: Json }>;
    expect(body['application/json']?.schema).toMatchObject({
      type: 'object',
      required: ['name', 'version', 'config'],
      additionalProperties: false,
    });
    const list = paths['/v1/agents']?.get as Json;
    expect((list.parameters as Json[]).map((p) => p.name)).toEqual(['limit', 'fields']);
    expect(paths['/v1/agents/{agentId}/versions/{version}']?.get?.deprecated).toBe(true);
    expect((list.responses as Json)['429']).toEqual({ $ref: '#/components/responses/Problem429' });
  });

  it('has schemas that are valid JSON Schema 2020-12 and validate like the routes', async () => {
    const doc = (await call(server.url, 'GET', '/v1/openapi.json')).json();
    const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
    ajv.addSchema(doc, 'openapi');
    const validate = ajv.getSchema(
      'openapi#/paths/~1v1~1agents/post/requestBody/content/application~1json/schema',
    );
    expect(validate).toBeDefined();
    expect(validate!({ name: 'boiler', version: '1.0.0', config: { retries: 1 } })).toBe(true);
    expect(validate!({ name: '', version: 'one', config: { retries: -1 } })).toBe(false);
    expect(validate!.errors?.length).toBe(3);
    const problem = ajv.getSchema('openapi#/components/schemas/Problem');
    const served = (await call(server.url, 'GET', '/v1/nowhere')).json();
    expect(problem!(served)).toBe(true); // a real problem body matches the documented schema
  });

  it('is the same document on every call (built once)', async () => {
    const a = await call(server.url, 'GET', '/v1/openapi.json');
    const b = await call(server.url, 'GET', '/v1/openapi.json');
    expect(a.headers.etag).toBe(b.headers.etag);
  });
});

describe('buildOpenApi over the real route table', () => {
  it('documents every operation of the contract with resolvable refs and compilable schemas', () => {
    const doc = buildOpenApi(realRoutes);
    checkDocument(doc, realRoutes);
    const documented = Object.values(doc.paths as Record<string, Record<string, Json>>)
      .flatMap((ops) => Object.values(ops))
      .map((op) => op.operationId);
    expect([...documented].sort()).toEqual([...OPERATION_IDS].sort());
    const ajv = addFormats(new Ajv2020({ strict: false }));
    ajv.addSchema(doc, 'openapi');
    for (const name of Object.keys((doc.components as Json).schemas as Json)) {
      expect(ajv.getSchema(`openapi#/components/schemas/${name}`)).toBeDefined();
    }
  });
});
