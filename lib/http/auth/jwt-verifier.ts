/**
 * Access-token verification over aws-jwt-verify, for the Lambda authorizer and the local
 * platform alike (the local issuer's tokens take this same path). aws-jwt-verify checks the
 * signature against the JWKS, `alg` against the key, `iss`, `aud`, `exp` when present and
 * `nbf`; the custom check adds what it leaves out (FIELD-NOTES): RS256 only, `exp` required,
 * `token_use` must be `access` (an ID token is not a credential for the API), and our claims.
 */
import { JwtVerifier } from 'aws-jwt-verify';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache, type Jwks } from 'aws-jwt-verify/jwk';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import * as z from 'zod';
import { MEMBER_ROLES, type MemberRole } from '../../domain/roles.js';

/** What the API needs of a verified token. */
export interface VerifiedToken {
  readonly sub: string;
  readonly tenantId: string | null;
  readonly roles: readonly MemberRole[];
  readonly platformAdmin: boolean;
}

export interface AccessTokenVerifier {
  /** Rejects (any error) when the token is not a valid access token of the configured issuer. */
  verify(token: string): Promise<VerifiedToken>;
}

export interface JwtVerifierConfig {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly jwksUri: string;
  /** Fetches the JWKS some other way than HTTPS GET (the local issuer serves it in-process). */
  readonly fetcher?: Fetcher;
  /** Accepted clock skew for exp / nbf. @default 0 */
  readonly graceSeconds?: number;
}

/** A claim problem the library does not check; the message is for logs, never for clients. */
export class TokenClaimsError extends Error {
  override readonly name = 'TokenClaimsError';
}

const ClaimsSchema = z
  .object({
    sub: z.string().min(1).max(256),
    tenant_id: z.uuid().nullish(),
    roles: z.array(z.enum(MEMBER_ROLES)).max(MEMBER_ROLES.length).default([]),
    platform_admin: z.boolean().default(false),
  })
  .refine((c) => c.platform_admin || (c.tenant_id ?? null) !== null, {
    message: 'tenant_id is required unless platform_admin is true',
    path: ['tenant_id'],
  });

function checkToken({ header, payload }: { header: JwtHeader; payload: JwtPayload }): void {
  if (header.alg !== 'RS256') throw new TokenClaimsError(`alg ${String(header.alg)} is not RS256`);
  if (typeof payload.exp !== 'number') throw new TokenClaimsError('exp is required');
  if (payload.token_use !== 'access') throw new TokenClaimsError('token_use must be "access"');
  const parsed = ClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new TokenClaimsError(`invalid claims: ${where}`);
  }
}

export function createJwtVerifier(config: JwtVerifierConfig): AccessTokenVerifier {
  const jwksCache = new SimpleJwksCache(config.fetcher ? { fetcher: config.fetcher } : {});
  const verifier = JwtVerifier.create(
    {
      issuer: config.issuer,
      audience: typeof config.audience === 'string' ? config.audience : [...config.audience],
      jwksUri: config.jwksUri,
      graceSeconds: config.graceSeconds ?? 0,
      customJwtCheck: checkToken,
    },
    { jwksCache },
  );
  return {
    async verify(token) {
      const payload = await verifier.verify(token);
      // checkToken has passed, so this parse succeeds; it also gives us typed claims.
      const claims = ClaimsSchema.parse(payload);
      return {
        sub: claims.sub,
        tenantId: claims.tenant_id?.toLowerCase() ?? null,
        roles: [...new Set(claims.roles)],
        platformAdmin: claims.platform_admin,
      };
    },
  };
}

/** A fetcher that answers every JWKS request with the given keys, without a network. */
export function staticJwksFetcher(jwks: () => Jwks): Fetcher {
  return {
    fetch: () => Promise.resolve(new TextEncoder().encode(JSON.stringify(jwks())).buffer),
  };
}

const EnvSchema = z.object({
  AUTH_ISSUER: z.url(),
  AUTH_AUDIENCE: z
    .string()
    .min(1)
    .transform((s) =>
      s
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  AUTH_JWKS_URI: z.url({ protocol: /^https$/ }),
});

/** AUTH_ISSUER, AUTH_AUDIENCE (comma-separated), AUTH_JWKS_URI (https). */
export function jwtConfigFromEnv(env: NodeJS.ProcessEnv = process.env): JwtVerifierConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))].join(', ');
    throw new Error(
      `Authorizer configuration invalid: set ${names} (issuer URL, audience list, https JWKS URI)`,
    );
  }
  const e = parsed.data;
  return { issuer: e.AUTH_ISSUER, audience: e.AUTH_AUDIENCE, jwksUri: e.AUTH_JWKS_URI };
}
