/**
 * The local API Gateway stand-in: the authorizer step (cache, 401, Deny -> 403, authorizer
 * failure), public routes without it, its own payload limit, binary bodies as base64, the
 * JWKS endpoint and keep-alive. Callers are service principals, so no quota lookup is needed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { MemoryRateLimiter } from '../../lib/adapters/local/memory-rate-limiter.js';
import type { AppServices } from '../../lib/http/services.js';

import { bearer, call, installLogSink, serve, stubAuthorizer, type Caller, type Running } from './harness.js';
import { testRoutes } from './test-routes.js';

const TENANT = '0b6c3f4e-2d1a-4c8e-9f00-1a2b3c4d5e6f';
const svc = (subject: string): Caller => ({
  principalType: 'service',
  subject,
  tenantId: TENANT,
  roles: 'admin',
  platformAdmin: 'false',
});
const callers = { one: svc('svc-one'), two: svc('svc-two') };
const jwks = { keys: [{ kty: 'RSA', kid: 'local-1', use: 'sig', alg: 'RS256', n: 'AQAB', e: 'AQAB' }] };

let limiter: MemoryRateLimiter;
let services: AppServices;
let sink: ReturnType<typeof installLogSink>;
const running: Running[] = [];

beforeAll(() => {
  sink = installLogSink();
  limiter = new MemoryRateLimiter();
  services = { limiter, clock: () => new Date() } as unknown as AppServices;
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

afterAll(async () => {
  await limiter?.close();
  sink?.restore();
});

async function start(options: { ttlMs?: number; maxBodyBytes?: number } = {}) {
  const stub = stubAuthorizer(callers);
  const server = await serve(testRoutes, services, {
    authorize: stub.authorize,
    routes: testRoutes,
    jwks: () => jwks,
    ...(options.ttlMs === undefined ? {} : { authorizerCacheTtlMs: options.ttlMs }),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  });
  running.push(server);
  return { url: server.url, calls: stub.calls };
}

describe('authorizer step', () => {
  it('caches the decision per credential (API Gateway: 5 minutes)', async () => {
    const { url, calls } = await start();
    for (let i = 0; i < 3; i++) {
      const r = await call(url, 'GET', '/v1/agents/whoami', { headers: bearer('one') });
      expect(r.json().name).toBe('svc-one');
    }
    expect(calls()).toBe(1);
    const two = await call(url, 'GET', '/v1/agents/whoami', { headers: bearer('two') });
    expect(two.json().name).toBe('svc-two'); // a different credential never gets the cached principal
    expect(calls()).toBe(2);
  });

  it('runs the authorizer on every request when the cache is off', async () => {
    const { url, calls } = await start({ ttlMs: 0 });
    await call(url, 'GET', '/v1/agents/whoami', { headers: bearer('one') });
    await call(url, 'GET', '/v1/agents/whoami', { headers: bearer('one') });
    expect(calls()).toBe(2);
  });

  it('401 problem when the authorizer says Unauthorized, 403 on Deny (cached too)', async () => {
    const { url, calls } = await start();
    const unknown = await call(url, 'GET', '/v1/agents', { headers: bearer('stranger') });
    expect(unknown.status).toBe(401);
    expect(unknown.headers['content-type']).toBe('application/problem+json');
    const denied = await call(url, 'GET', '/v1/agents', { headers: bearer('deny') });
    const again = await call(url, 'GET', '/v1/agents', { headers: bearer('deny') });
    expect([denied.status, again.status]).toEqual([403, 403]);
    expect(denied.json()).toMatchObject({ type: 'https://glaf.dev/problems/forbidden', status: 403 });
    expect(calls()).toBe(2); // stranger once, deny once
  });

  it('500 without internals when the authorizer itself fails', async () => {
    const { url } = await start();
    const r = await call(url, 'GET', '/v1/agents', { headers: bearer('crash') });
    expect(r.status).toBe(500);
    expect(r.json().detail).toBe('Internal error');
    expect(r.text).not.toContain('postgres');
  });

  it('accepts x-api-key as the credential', async () => {
    const { url } = await start();
    const r = await call(url, 'GET', '/v1/agents/whoami', { headers: { 'x-api-key': 'two' } });
    expect(r.json().name).toBe('svc-two');
  });

  it('skips the authorizer for public routes, even with a bad credential', async () => {
    const { url, calls } = await start();
    const r = await call(url, 'GET', '/health', { headers: bearer('stranger') });
    expect(r.status).toBe(200);
    expect(calls()).toBe(0);
  });
});

describe('HTTP <-> API Gateway event', () => {
  it('serves the JWKS at /.well-known/jwks.json', async () => {
    const { url } = await start();
    const r = await call(url, 'GET', '/.well-known/jwks.json');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual(jwks);
  });

  it('refuses bodies over the gateway limit with 413 before the handler runs', async () => {
    const { url, calls } = await start({ maxBodyBytes: 64 });
    const r = await call(url, 'POST', '/v1/agents', { headers: bearer('one'), body: 'x'.repeat(65) });
    expect(r.status).toBe(413);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(calls()).toBe(0);
  });

  it('passes binary bodies as base64 and the pipeline decodes them', async () => {
    const { url } = await start();
    const r = await call(url, 'POST', '/v1/agents', {
      headers: { ...bearer('one'), 'content-type': 'application/octet-stream' },
      body: Buffer.from(JSON.stringify({ name: 'bytes', version: '1.2.3', config: { retries: 0 } })),
    });
    expect(r.status).toBe(201);
    expect(r.json().name).toBe('bytes');
  });

  it('keeps the last value of a repeated query parameter, like API Gateway', async () => {
    const { url } = await start();
    const r = await call(url, 'GET', '/v1/agents?limit=5&limit=1', { headers: bearer('one') });
    expect((r.json().items as unknown[]).length).toBe(1);
  });

  it('keeps connections alive', async () => {
    const { url } = await start();
    const r = await call(url, 'GET', '/health');
    expect(r.headers.connection).toBe('keep-alive');
  });
});
