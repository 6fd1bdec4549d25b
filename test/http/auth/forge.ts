/**
 * Hand-made tokens for the attack tests, built with node:crypto only: the verifier under test
 * (aws-jwt-verify) is never mocked, and none of these go through the issuer's own mint().
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

export interface Forge {
  /** The issuer's real private key, read from its persisted JWK file. */
  readonly key: KeyObject;
  readonly publicPem: string;
  rs(
    header: Record<string, unknown>,
    payload: Record<string, unknown>,
    key?: KeyObject,
    hash?: string,
  ): string;
  hs(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string | Buffer): string;
  none(header: Record<string, unknown>, payload: Record<string, unknown>): string;
}

export function forge(issuerDir: string): Forge {
  const key = createPrivateKey({
    key: JSON.parse(readFileSync(join(issuerDir, 'signing-key.jwk.json'), 'utf8')) as JsonWebKey,
    format: 'jwk',
  });
  const publicPem = createPublicKey(key).export({ format: 'pem', type: 'spki' }).toString();
  return {
    key,
    publicPem,
    rs(header, payload, k = key, hash = 'sha256') {
      const input = `${b64(header)}.${b64(payload)}`;
      return `${input}.${sign(hash, Buffer.from(input), k).toString('base64url')}`;
    },
    hs(header, payload, secret) {
      const input = `${b64(header)}.${b64(payload)}`;
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    },
    none(header, payload) {
      return `${b64(header)}.${b64(payload)}.`;
    },
  };
}

export function otherRsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}
