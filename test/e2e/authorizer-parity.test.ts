/**
 * The local server runs the authorizer the way the API stack configures API Gateway (no
 * identity sources, no result cache; lib/config/api.ts): a credential used a moment ago stops
 * working the moment it is revoked or its tenant is suspended, and a request carrying both a
 * token and an API key is refused. Each denial follows a success with the same credential.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTHORIZER_CACHE_TTL_SECONDS } from '../../lib/config/api.js';
import { startTestPlatform, type TestPlatform } from './harness.js';

describe('authorizer without a result cache (local = API Gateway)', () => {
  let p: TestPlatform;
  let tenant: { id: string; admin: string };

  beforeAll(async () => {
    p = await startTestPlatform();
    tenant = await p.tenant('parity');
  });
  afterAll(async () => {
    await p.stop();
    await p.dispose();
  });

  it('is configured with a zero TTL', () => {
    expect(AUTHORIZER_CACHE_TTL_SECONDS).toBe(0);
  });

  it('refuses an API key right after its revocation, though it was just used', async () => {
    // Prepare
    const created = await p.call('POST', '/v1/api-keys', {
      token: tenant.admin,
      body: { name: 'short-lived', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const body = created.body as { id: string; key: string };
    expect((await p.call('GET', '/v1/agents', { apiKey: body.key })).status).toBe(200);

    // Act
    const revoked = await p.call('DELETE', `/v1/api-keys/${body.id}`, { token: tenant.admin });

    // Assess
    expect([200, 204]).toContain(revoked.status);
    expect((await p.call('GET', '/v1/agents', { apiKey: body.key })).status).toBe(401);
  });

  it('refuses a token of a tenant suspended after the token was used', async () => {
    // Prepare
    const other = await p.tenant('parity-suspended');
    expect((await p.call('GET', '/v1/agents', { token: other.admin })).status).toBe(200);
    const platformAdmin = await p.token(null, [], { platformAdmin: true });

    // Act
    const suspended = await p.call('POST', `/v1/tenants/${other.id}/suspend`, { token: platformAdmin });

    // Assess
    expect(suspended.status).toBe(200);
    expect((await p.call('GET', '/v1/agents', { token: other.admin })).status).toBe(401);
    expect((await p.call('GET', '/v1/agents', { token: tenant.admin })).status).toBe(200);
  });

  it('refuses a request that sends both a token and an API key', async () => {
    // Prepare
    const created = await p.call('POST', '/v1/api-keys', {
      token: tenant.admin,
      body: { name: 'both', role: 'viewer' },
    });
    const key = (created.body as { key: string }).key;
    expect((await p.call('GET', '/v1/agents', { apiKey: key })).status).toBe(200);
    expect((await p.call('GET', '/v1/agents', { token: tenant.admin })).status).toBe(200);

    // Act
    const both = await p.call('GET', '/v1/agents', { token: tenant.admin, apiKey: key });

    // Assess
    expect(both.status).toBe(401);
  });
});
