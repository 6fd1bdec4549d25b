/**
 * The local platform's token issuer: an RS256 key pair made with node:crypto on first use,
 * kept as a JWK under `<dir>/` (0600) so tokens survive restarts, its public JWKS (served at
 * /.well-known/jwks.json), and `verifier()`: the same aws-jwt-verify path the Lambda
 * authorizer runs, fed this JWKS in-process instead of over HTTPS.
 */
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  type JsonWebKey,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Jwks } from 'aws-jwt-verify/jwk';
import type { MemberRole } from '../../domain/roles.js';
import { createJwtVerifier, staticJwksFetcher, type AccessTokenVerifier } from './jwt-verifier.js';

export const LOCAL_ISSUER = 'urn:glaf:local-issuer';
export const LOCAL_AUDIENCE = 'glaf-api';
/** Only a name for the JWKS cache: the in-process fetcher answers it. */
export const LOCAL_JWKS_URI = 'http://localhost/.well-known/jwks.json';
const KEY_FILE = 'signing-key.jwk.json';

export interface MintOptions {
  readonly tenantId: string | null;
  readonly roles: readonly MemberRole[];
  readonly platformAdmin?: boolean;
  readonly sub: string;
  /** @default 3600 */
  readonly ttlSeconds?: number;
  /** Override the key id in the header (tests of unknown keys). @default the key's own kid */
  readonly kid?: string;
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** RFC 7638 thumbprint: a kid derived from the key, stable across restarts. */
function thumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
  return createHash('sha256').update(canonical).digest('base64url');
}

async function loadOrCreateKey(dir: string): Promise<JsonWebKey> {
  const file = join(dir, KEY_FILE);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as JsonWebKey;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  try {
    // 'wx': if another process created it meanwhile, use theirs (both then sign with one key).
    await writeFile(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
    return jwk;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return JSON.parse(await readFile(file, 'utf8')) as JsonWebKey;
  }
}

export class LocalIssuer {
  readonly kid: string;
  private readonly privateKey;
  private readonly publicJwks: Jwks;

  private constructor(
    jwk: JsonWebKey,
    readonly issuer: string,
    readonly audience: string,
    private readonly clock: () => Date,
  ) {
    this.privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    this.kid = thumbprint(jwk);
    this.publicJwks = {
      keys: [{ kty: 'RSA', n: jwk.n!, e: jwk.e!, kid: this.kid, alg: 'RS256', use: 'sig' }],
    };
  }

  /** Opens the issuer kept in `dir`, creating its key pair on first use. */
  static async open(
    dir: string,
    options: { issuer?: string; audience?: string; clock?: () => Date } = {},
  ): Promise<LocalIssuer> {
    const jwk = await loadOrCreateKey(dir);
    return new LocalIssuer(
      jwk,
      options.issuer ?? LOCAL_ISSUER,
      options.audience ?? LOCAL_AUDIENCE,
      options.clock ?? (() => new Date()),
    );
  }

  /** The public keys only. */
  jwks(): Jwks {
    return this.publicJwks;
  }

  mint(options: MintOptions): Promise<string> {
    const iat = Math.floor(this.clock().getTime() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', kid: options.kid ?? this.kid };
    const payload = {
      iss: this.issuer,
      aud: this.audience,
      sub: options.sub,
      token_use: 'access',
      iat,
      nbf: iat,
      exp: iat + (options.ttlSeconds ?? 3600),
      jti: randomUUID(),
      ...(options.tenantId ? { tenant_id: options.tenantId } : {}),
      roles: [...options.roles],
      ...(options.platformAdmin ? { platform_admin: true } : {}),
    };
    const input = `${b64url(header)}.${b64url(payload)}`;
    const signature = sign('sha256', Buffer.from(input), this.privateKey).toString('base64url');
    return Promise.resolve(`${input}.${signature}`);
  }

  /** Verifies tokens of this issuer through aws-jwt-verify (JWKS handed over in-process). */
  verifier(): AccessTokenVerifier {
    return createJwtVerifier({
      issuer: this.issuer,
      audience: this.audience,
      jwksUri: LOCAL_JWKS_URI,
      fetcher: staticJwksFetcher(() => this.publicJwks),
    });
  }
}
