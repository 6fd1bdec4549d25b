/**
 * The pipeline over real HTTP: local server -> API Gateway event -> middy handler -> HTTP.
 * Every status code path, the standard headers, `fields=`, gzip, ETag/304, deprecation
 * headers, problem+json bodies without internals, and the JSON request logs.
 */
import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  bearer,
  call,
  installLogSink,
  logsOf,
  onboard,
  openPlatform,
  seenBodies,
  serve,
  stubAuthorizer,
  type Caller,
  type Reply,
  type Running,
  type TestPlatform,
} from './harness.js';
import { testRoutes } from './test-routes.js';

let platform: TestPlatform;
let gateway: Running; // API Gateway behaviour: public routes skip the authorizer
let bare: Running; // no route table: requests without credentials reach the pipeline unauthenticated
let sink: ReturnType<typeof installLogSink>;
let tenantA: string;
let tenantSlow: string;

const user = (tenantId: string, roles: string, subject = `user-${roles}`): Caller => ({
  principalType: 'user',
  subject,
  tenantId,
  roles,
  platformAdmin: 'false',
});

beforeAll(async () => {
  sink = installLogSink();
  platform = await openPlatform();
  tenantA = await onboard(platform.tenants, 'alpha');
  tenantSlow = await onboard(platform.tenants, 'slow');
  await platform.tenants.updateQuotas(tenantSlow, { apiCallsPerMinute: 3 }, 'test');
  const callers: Record<string, Caller> = {
    viewer: user(tenantA, 'viewer'),
    developer: user(tenantA, 'developer'),
    admin: user(tenantA, 'admin', 'admin-for-keys'),
    operator: user(tenantA, 'operator'),
    slow: user(tenantSlow, 'viewer'),
    platform: { principalType: 'user', subject: 'root', tenantId: '', roles: '', platformAdmin: 'true' },
    service: {
      principalType: 'service',
      subject: 'worker',
      tenantId: tenantA,
      roles: 'admin',
      platformAdmin: 'false',
    },
  };
  const { authorize } = stubAuthorizer(callers);
  gateway = await serve(testRoutes, platform.services, { authorize, routes: testRoutes });
  bare = await serve(testRoutes, platform.services, { authorize });
});

afterAll(async () => {
  await gateway?.close();
  await bare?.close();
  await platform?.close();
  sink?.restore();
});

const problemOf = (r: { headers: Record<string, unknown>; json: () => Record<string, unknown> }) => {
  expect(r.headers['content-type']).toBe('application/problem+json');
  return r.json();
};

describe('success paths', () => {
  it('200 GET carries ETag, X-API-Version, X-RateLimit-*, Vary and JSON', async () => {
    const r = await call(gateway.url, 'GET', '/v1/agents?limit=2', { headers: bearer('viewer') });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-api-version']).toBe('1');
    expect(r.headers.etag).toMatch(/^W\/"[A-Za-z0-9_-]{43}"$/);
    expect(r.headers['x-ratelimit-limit']).toBe('600');
    expect(Number(r.headers['x-ratelimit-remaining'])).toBeLessThan(600);
    expect(Number(r.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000 - 1);
    expect(r.headers.vary).toContain('Accept-Encoding');
    expect(r.json()).toEqual({
      items: [expect.objectContaining({ id: 'agent-0' }), expect.objectContaining({ id: 'agent-1' })],
      next_cursor: null,
    });
  });

  it('304 when If-None-Match names the ETag, with no body; 200 for another tag', async () => {
    const first = await call(gateway.url, 'GET', '/v1/agents/abc', { headers: bearer('viewer') });
    const etag = String(first.headers.etag);
    const again = await call(gateway.url, 'GET', '/v1/agents/abc', {
      headers: { ...bearer('viewer'), 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(again.raw.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    const other = await call(gateway.url, 'GET', '/v1/agents/abc', {
      headers: { ...bearer('viewer'), 'if-none-match': 'W/"nope"' },
    });
    expect(other.status).toBe(200);
  });

  it('201 POST with Location, validated body passed to the handler', async () => {
    const r = await call(gateway.url, 'POST', '/v1/agents', {
      headers: { ...bearer('developer'), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'boiler', version: '1.0.0', config: { retries: 2 } }),
    });
    expect(r.status).toBe(201);
    expect(r.headers.location).toBe('/v1/agents/agent-7');
    expect(r.json()).toMatchObject({ name: 'boiler' });
    expect(r.headers.etag).toBeUndefined(); // ETags are for GETs
  });

  it('202 POST for an accepted execution', async () => {
    const r = await call(gateway.url, 'POST', '/v1/executions', {
      headers: bearer('operator'),
      body: JSON.stringify({ agent_id: 'fuel-emissions' }),
    });
    expect(r.status).toBe(202);
    expect(r.headers.location).toBe('/v1/executions/exec-1');
  });

  it('204 without a body or content type', async () => {
    const r = await call(gateway.url, 'DELETE', '/v1/api-keys/key-1', { headers: bearer('admin') });
    expect(r.status).toBe(204);
    expect(r.raw.length).toBe(0);
  });

  it('decodes each path segment once: %2F stays inside a factor id; literal segments win', async () => {
    const id = await call(gateway.url, 'GET', '/v1/factors/ipcc%2F2006%2Fdiesel', {
      headers: bearer('viewer'),
    });
    expect(id.json()).toEqual({ id: 'ipcc/2006/diesel' });
    const lookup = await call(gateway.url, 'GET', '/v1/factors/lookup', { headers: bearer('viewer') });
    expect(lookup.json()).toEqual({ lookup: true });
  });
});

describe('Accept negotiation (406)', () => {
  it('answers the vendor type when asked for it', async () => {
    const r = await call(gateway.url, 'GET', '/v1/agents/abc', {
      headers: { ...bearer('viewer'), accept: 'application/vnd.glaf.v1+json' },
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/vnd.glaf.v1+json');
  });

  it.each(['application/vnd.glaf.v2+json', 'text/html', 'application/xml, text/csv;q=0.5'])(
    '406 for %s',
    async (accept) => {
      const r = await call(gateway.url, 'GET', '/v1/agents/abc', {
        headers: { ...bearer('viewer'), accept },
      });
      expect(r.status).toBe(406);
      const p = problemOf(r);
      expect(p).toMatchObject({
        type: 'https://glaf.dev/problems/not_acceptable',
        status: 406,
        instance: '/v1/agents/abc',
      });
      expect(p.supported).toEqual([
        'application/json',
        'application/problem+json',
        'application/vnd.glaf.v1+json',
      ]);
    },
  );

  it('accepts wildcards and q-weighted lists that include JSON', async () => {
    for (const accept of ['*/*', 'application/*', 'text/html, application/json;q=0.9']) {
      const r = await call(gateway.url, 'GET', '/health', { headers: { accept } });
      expect([accept, r.status]).toEqual([accept, 200]);
    }
  });
});

describe('routing (404, 405)', () => {
  it('404 problem for an unknown path and for a trailing slash', async () => {
    for (const path of ['/v1/nothing-here', '/v1/agents/']) {
      const r = await call(gateway.url, 'GET', path, { headers: bearer('viewer') });
      expect([path, r.status]).toEqual([path, 404]);
      expect(problemOf(r)).toMatchObject({
        status: 404,
        instance: path,
        type: 'https://glaf.dev/problems/not_found',
      });
    }
  });

  it('404 for a path that is not valid percent-encoding', async () => {
    const r = await call(gateway.url, 'GET', '/v1/factors/%E0%A4%A', { headers: bearer('viewer') });
    expect(r.status).toBe(404);
    expect(problemOf(r).status).toBe(404);
  });

  it('405 with Allow listing the methods of a known path', async () => {
    const r = await call(gateway.url, 'PUT', '/v1/agents', { headers: bearer('viewer') });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, POST');
    expect(problemOf(r).status).toBe(405);
  });
});

describe('authentication and RBAC (401, 403)', () => {
  it('401 from the pipeline when a non-public route gets no principal', async () => {
    const r = await call(bare.url, 'GET', '/v1/agents');
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Bearer');
    expect(problemOf(r)).toMatchObject({ status: 401, type: 'https://glaf.dev/problems/unauthorized' });
  });

  it('401 from the gateway without credentials, and for a token the authorizer refuses', async () => {
    const none = await call(gateway.url, 'GET', '/v1/agents');
    expect(none.status).toBe(401);
    const bad = await call(gateway.url, 'GET', '/v1/agents', { headers: bearer('forged') });
    expect(bad.status).toBe(401);
    expect(problemOf(bad).status).toBe(401);
  });

  it('403 for a viewer on a developer route, a member on a platform-admin route, a tenant-less admin on a tenant route', async () => {
    const cases: Array<[string, string, string]> = [
      ['viewer', 'POST', '/v1/agents'],
      ['developer', 'GET', '/v1/tenants'],
      ['platform', 'GET', '/v1/agents'],
      ['operator', 'POST', '/v1/api-keys'],
    ];
    for (const [who, method, path] of cases) {
      const r = await call(gateway.url, method, path, {
        headers: bearer(who),
        body: method === 'POST' ? '{}' : undefined,
      });
      expect([who, method, path, r.status]).toEqual([who, method, path, 403]);
      expect(problemOf(r).type).toBe('https://glaf.dev/problems/forbidden');
    }
    const ok = await call(gateway.url, 'GET', '/v1/tenants', { headers: bearer('platform') });
    expect(ok.status).toBe(200); // positive control: the platform admin may list tenants
  });

  it('public routes need no credentials', async () => {
    const r = await call(gateway.url, 'GET', '/health');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ status: 'ok' });
  });
});

describe('body and validation (400, 413)', () => {
  it('400 malformed_json without the parser message', async () => {
    const r = await call(gateway.url, 'POST', '/v1/agents', {
      headers: bearer('developer'),
      body: '{"name": "x",',
    });
    expect(r.status).toBe(400);
    const p = problemOf(r);
    expect(p).toMatchObject({
      type: 'https://glaf.dev/problems/malformed_json',
      detail: 'The request body is not valid JSON',
    });
  });

  it('400 validation_failed lists every invalid field of params, query and body', async () => {
    const r = await call(gateway.url, 'POST', '/v1/agents', {
      headers: bearer('developer'),
      body: JSON.stringify({ name: '', version: 'one', config: { retries: -1, colour: 'red' }, extra: true }),
    });
    expect(r.status).toBe(400);
    const p = problemOf(r);
    expect(p.type).toBe('https://glaf.dev/problems/validation_failed');
    const paths = (p.errors as Array<{ path: string; message: string }>).map((e) => e.path).sort();
    expect(paths).toEqual([
      'body.config.colour',
      'body.config.retries',
      'body.extra',
      'body.name',
      'body.version',
    ]);
    const query = await call(gateway.url, 'GET', '/v1/agents?limit=500&sort=name', {
      headers: bearer('viewer'),
    });
    expect((query.json().errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual([
      'query.limit',
      'query.sort',
    ]);
    const params = await call(gateway.url, 'GET', '/v1/agents/ab', { headers: bearer('viewer') });
    expect(params.json().errors).toEqual([{ path: 'params.agentId', message: 'at least 3 characters' }]);
  });

  it('400 for a missing body where one is required', async () => {
    const r = await call(gateway.url, 'POST', '/v1/agents', { headers: bearer('developer') });
    expect(r.status).toBe(400);
    expect((problemOf(r).errors as Array<{ path: string }>)[0]?.path).toBe('body');
  });

  it('413 for a body over 1 MiB', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024), version: '1.0.0', config: { retries: 0 } });
    const r = await call(gateway.url, 'POST', '/v1/agents', { headers: bearer('developer'), body: big });
    expect(r.status).toBe(413);
    expect(problemOf(r)).toMatchObject({ status: 413, limit_bytes: 1024 * 1024 });
  });
});

describe('rate limiting (429)', () => {
  it('uses the tenant quota and answers 429 with Retry-After once it is spent', async () => {
    const replies: Reply[] = [];
    for (let i = 0; i < 4; i++) {
      replies.push(await call(gateway.url, 'GET', '/v1/agents/abc', { headers: bearer('slow') }));
    }
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    const last = replies[3] as Reply;
    expect(last.headers['x-ratelimit-limit']).toBe('3');
    expect(last.headers['x-ratelimit-remaining']).toBe('0');
    const retryAfter = Number(last.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(problemOf(last)).toMatchObject({ status: 429, type: 'https://glaf.dev/problems/rate_limited' });
  });

  it('limits sensitive operations to 10 per minute per tenant', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await call(gateway.url, 'POST', '/v1/api-keys', { headers: bearer('admin') })).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('lets internal service principals bypass the limiter', async () => {
    const r = await call(gateway.url, 'GET', '/v1/agents/abc', { headers: bearer('service') });
    expect(r.status).toBe(200);
    expect(r.headers['x-ratelimit-limit']).toBeUndefined();
  });
});

describe('errors from handlers', () => {
  it('maps domain errors to problems', async () => {
    const expected: Array<[string, number, string]> = [
      ['missing', 404, 'not_found'],
      ['conflict', 409, 'conflict'],
      ['unit', 400, 'unknown_unit'],
    ];
    for (const [id, status, code] of expected) {
      const r = await call(gateway.url, 'GET', `/v1/agents/${id}`, { headers: bearer('viewer') });
      expect([id, r.status]).toEqual([id, status]);
      expect(problemOf(r).type).toBe(`https://glaf.dev/problems/${code}`);
    }
  });

  it('500 with only the request id; the stack goes to the log', async () => {
    const r = await call(gateway.url, 'GET', '/v1/agents/boom', { headers: bearer('viewer') });
    expect(r.status).toBe(500);
    const p = problemOf(r);
    expect(p).toEqual({
      type: 'https://glaf.dev/problems/internal_error',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Internal error',
      instance: '/v1/agents/boom',
      request_id: r.headers['x-request-id'],
    });
    expect(r.text).not.toContain('postgres');
    const logged = logsOf(sink.lines, String(p.request_id));
    const error = logged.find((l) => l.message === 'unhandled error');
    expect(JSON.stringify(error)).toContain('s3cret'); // server-side only
    expect(JSON.stringify(error)).toContain('test-routes.ts'); // with the stack
  });
});

describe('response shaping', () => {
  it('fields= selects top-level and nested fields', async () => {
    const r = await call(gateway.url, 'GET', '/v1/agents/abc?fields=id,meta.owner', {
      headers: bearer('viewer'),
    });
    expect(r.json()).toEqual({ id: 'abc', meta: { owner: 'team-1' } });
  });

  it('fields= applies to each item of a list and keeps the envelope', async () => {
    const r = await call(gateway.url, 'GET', '/v1/agents?limit=2&fields=name,description', {
      headers: bearer('viewer'),
    });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({
      items: [
        { name: 'Agent number 0 with a reasonably long name' },
        { name: 'Agent number 1 with a reasonably long name' },
      ],
      next_cursor: null,
    });
  });

  it('fields= with unknown fields is a 400 naming each of them', async () => {
    const r = await call(gateway.url, 'GET', '/v1/agents/abc?fields=id,colour,meta.size', {
      headers: bearer('viewer'),
    });
    expect(r.status).toBe(400);
    expect(problemOf(r).errors).toEqual([
      { path: 'query.fields', message: "unknown field 'colour'" },
      { path: 'query.fields', message: "unknown field 'meta.size'" },
    ]);
  });

  it('gzips bodies over 1 KiB for clients that accept it, and round-trips to the same JSON', async () => {
    const plain = await call(gateway.url, 'GET', '/v1/agents?limit=50', { headers: bearer('viewer') });
    const zipped = await call(gateway.url, 'GET', '/v1/agents?limit=50', {
      headers: { ...bearer('viewer'), 'accept-encoding': 'gzip, br' },
    });
    expect(plain.raw.length).toBeGreaterThan(1024);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toContain('Accept-Encoding');
    expect(zipped.raw.length).toBeLessThan(plain.raw.length);
    expect(gunzipSync(zipped.raw).toString('utf8')).toBe(plain.raw.toString('utf8'));
    expect(zipped.headers.etag).toBe(plain.headers.etag);
  });

  it('leaves small bodies uncompressed', async () => {
    const r = await call(gateway.url, 'GET', '/v1/agents/abc', {
      headers: { ...bearer('viewer'), 'accept-encoding': 'gzip' },
    });
    expect(r.headers['content-encoding']).toBeUndefined();
  });

  it('announces deprecation with Deprecation, Sunset and Link', async () => {
    const r = await call(gateway.url, 'GET', '/v1/agents/a1/versions/1.0.0', { headers: bearer('viewer') });
    expect(r.status).toBe(200);
    expect(r.headers.deprecation).toBe(`@${Date.parse('2026-01-01T00:00:00Z') / 1000}`);
    expect(r.headers.sunset).toBe('Wed, 30 Jun 2027 00:00:00 GMT');
    expect(r.headers.link).toBe('<https://glaf.dev/changes/agent-versions>; rel="deprecation"');
    const current = await call(gateway.url, 'GET', '/v1/agents/a1', { headers: bearer('viewer') });
    expect(current.headers.deprecation).toBeUndefined();
  });
});

describe('system routes', () => {
  it('ready is 200 while the services probe says so, 503 problem when not', async () => {
    expect((await call(gateway.url, 'GET', '/ready')).status).toBe(200);
    platform.setReady(false);
    const r = await call(gateway.url, 'GET', '/ready');
    platform.setReady(true);
    expect(r.status).toBe(503);
    expect(problemOf(r).type).toBe('https://glaf.dev/problems/not_ready');
  });
});

describe('logs and leaks', () => {
  it('writes JSON log lines with requestId, tenantId and operationId, without credentials', async () => {
    const r = await call(gateway.url, 'GET', '/v1/agents?limit=1', { headers: bearer('viewer') });
    const requestId = String(r.headers['x-request-id']);
    const lines = logsOf(sink.lines, requestId);
    expect(lines.map((l) => l.message)).toEqual(['listing agents', 'request completed']);
    for (const line of lines) {
      expect(line).toMatchObject({
        requestId,
        tenantId: tenantA,
        operationId: 'listAgents',
        service: 'glaf-api',
      });
    }
    expect(lines[1]).toMatchObject({ status: 200, method: 'GET', path: '/v1/agents' });
    expect(sink.lines.every((l) => !l.includes('Bearer'))).toBe(true);
  });

  it('keeps the keys of each concurrent request on its own log lines', async () => {
    const who = ['viewer', 'slow', 'viewer', 'service', 'viewer', 'developer', 'operator', 'viewer'];
    const replies = await Promise.all(
      who.map((name) => call(gateway.url, 'GET', '/v1/agents?limit=1', { headers: bearer(name) })),
    );
    const tenantOf: Record<string, string> = { slow: tenantSlow };
    for (const [i, r] of replies.entries()) {
      const name = who[i] ?? '';
      const lines = logsOf(sink.lines, String(r.headers['x-request-id']));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line.tenantId).toBe(tenantOf[name] ?? tenantA);
    }
  });

  it('every captured output line is JSON', () => {
    expect(sink.lines.length).toBeGreaterThan(10);
    const notJson = sink.lines.filter((line) => {
      try {
        JSON.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
  });

  it('no response in this suite carried a stack trace or an internal message', () => {
    expect(seenBodies.length).toBeGreaterThan(30);
    for (const body of seenBodies) {
      expect(body).not.toMatch(/\n\s+at |Error:|s3cret|node_modules|\.ts:\d+/);
    }
  });
});
