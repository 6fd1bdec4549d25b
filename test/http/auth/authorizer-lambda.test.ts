/**
 * The authorizer Lambda is a thin shell over lib/http/auth/authorize.ts (tested with every
 * attack in authorize.test.ts); here: its configuration errors say what to set, and a failed
 * composition is not cached (the next invocation composes again).
 */
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handler } from '../../../lambdas/authorizer/handler.js';

const event = {
  type: 'REQUEST',
  headers: {},
  methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:a/prod/GET/x',
};
const saved = { ...process.env };

describe('authorizer Lambda handler', () => {
  afterEach(() => {
    for (const k of ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URI', 'DATABASE_URL']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('names the missing variables, then composes once they are set (no cached failure)', async () => {
    for (const k of ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URI', 'DATABASE_URL']) delete process.env[k];
    const e = event as unknown as APIGatewayRequestAuthorizerEvent;
    await expect(handler(e)).rejects.toThrow(/set AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URI/);

    process.env.AUTH_ISSUER = 'https://issuer.example';
    process.env.AUTH_AUDIENCE = 'glaf-api';
    process.env.AUTH_JWKS_URI = 'https://issuer.example/.well-known/jwks.json';
    await expect(handler(e)).rejects.toThrow(/DATABASE_URL is not set/);

    // Composed now (the pool connects lazily): a request without credentials is a plain 401.
    process.env.DATABASE_URL = 'postgres://nobody@127.0.0.1:1/none';
    await expect(handler(e)).rejects.toThrow(/^Unauthorized$/);
  });
});
