import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jwtConfigFromEnv } from '../../../lib/http/auth/jwt-verifier.js';
import { LocalIssuer } from '../../../lib/http/auth/local-issuer.js';

const TENANT = '0b6f1c1e-8a1d-4c3e-9a57-1f0e2d3c4b5a';
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'glaf-issuer-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('LocalIssuer', () => {
  it('persists its key (0600) and keeps kid and tokens valid across a restart', async () => {
    const dir = join(tempDir(), 'issuer');
    const first = await LocalIssuer.open(dir);
    const token = await first.mint({ tenantId: TENANT, roles: ['admin'], sub: 'alice', ttlSeconds: 300 });
    expect(statSync(join(dir, 'signing-key.jwk.json')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    const reopened = await LocalIssuer.open(dir);
    expect(reopened.kid).toBe(first.kid);
    await expect(reopened.verifier().verify(token)).resolves.toEqual({
      sub: 'alice',
      tenantId: TENANT,
      roles: ['admin'],
      platformAdmin: false,
    });
  });

  it('publishes only public key material in its JWKS', async () => {
    const issuer = await LocalIssuer.open(tempDir());
    const [key, ...more] = issuer.jwks().keys;
    expect(more).toEqual([]);
    expect(Object.keys(key!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: issuer.kid });
  });

  it('mints access tokens with exp, token_use and the claims the API reads', async () => {
    const issuer = await LocalIssuer.open(tempDir(), { clock: () => new Date('2026-06-01T00:00:00Z') });
    const token = await issuer.mint({
      tenantId: null,
      roles: [],
      platformAdmin: true,
      sub: 'ops',
      ttlSeconds: 60,
    });
    const [h, p] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as object);
    expect(h).toEqual({ alg: 'RS256', typ: 'JWT', kid: issuer.kid });
    const iat = Date.parse('2026-06-01T00:00:00Z') / 1000;
    expect(p).toMatchObject({
      iss: issuer.issuer,
      aud: issuer.audience,
      sub: 'ops',
      token_use: 'access',
      iat,
      exp: iat + 60,
    });
    expect(p).toMatchObject({ platform_admin: true, roles: [] });
    expect(p).not.toHaveProperty('tenant_id');
  });

  it("does not accept another issuer's tokens (same claims, different key)", async () => {
    const a = await LocalIssuer.open(tempDir());
    const b = await LocalIssuer.open(tempDir());
    const fromB = await b.mint({ tenantId: TENANT, roles: ['viewer'], sub: 'x' });
    await expect(a.verifier().verify(fromB)).rejects.toThrow(/not found in the JWKS/);
    await expect(b.verifier().verify(fromB)).resolves.toMatchObject({ sub: 'x' });
  });
});

describe('jwtConfigFromEnv', () => {
  it('reads issuer, audience list and an https JWKS URI', () => {
    expect(
      jwtConfigFromEnv({
        AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
        AUTH_AUDIENCE: 'api, console',
        AUTH_JWKS_URI: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json',
      }),
    ).toMatchObject({ audience: ['api', 'console'] });
  });

  it('names every missing or invalid variable, and refuses a plain-http JWKS URI', () => {
    expect(() => jwtConfigFromEnv({})).toThrow(/AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URI/);
    expect(() =>
      jwtConfigFromEnv({
        AUTH_ISSUER: 'https://i.example',
        AUTH_AUDIENCE: 'a',
        AUTH_JWKS_URI: 'http://i.example/jwks',
      }),
    ).toThrow(/set AUTH_JWKS_URI/);
  });
});
