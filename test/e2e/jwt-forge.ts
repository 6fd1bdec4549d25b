/**
 * Builds the forged and mis-claimed tokens of the attack suite with node:crypto only, so the
 * suite does not trust the code it attacks. Claims are copied from a real token minted by the
 * local issuer, then changed one at a time; correctly signed variants use the issuer's own
 * private key (read from `<dataDir>/issuer/`), so only the changed claim can be the reason
 * for a 401.
 */
import { createHmac, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type Json = Record<string, unknown>;

const b64 = (v: Buffer | string): string => Buffer.from(v).toString('base64url');
const enc = (v: Json): string => b64(JSON.stringify(v));

export function decodeJwt(token: string): { header: Json; payload: Json } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as Json,
    payload: JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as Json,
  };
}

export function signRs256(header: Json, payload: Json, key: KeyObject): string {
  const input = `${enc(header)}.${enc(payload)}`;
  return `${input}.${b64(sign('sha256', Buffer.from(input), key))}`;
}

export function signHs256(header: Json, payload: Json, secret: Buffer | string): string {
  const input = `${enc(header)}.${enc(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function unsigned(header: Json, payload: Json): string {
  return `${enc(header)}.${enc(payload)}.`;
}

/** Same header and signature, different payload. */
export function tamper(token: string, payload: Json): string {
  const [h, , s] = token.split('.');
  return `${h}.${enc(payload)}.${s}`;
}

/** The issuer's RSA private key, found among the JWK / JWKS files of `<dataDir>/issuer/`. */
export async function issuerPrivateKey(dataDir: string): Promise<KeyObject> {
  const dir = join(dataDir, 'issuer');
  for (const name of await readdir(dir)) {
    let doc: unknown;
    try {
      doc = JSON.parse(await readFile(join(dir, name), 'utf8')) as unknown;
    } catch {
      continue;
    }
    const candidates = Array.isArray((doc as { keys?: unknown }).keys)
      ? ((doc as { keys: unknown[] }).keys as Json[])
      : [doc as Json];
    const jwk = candidates.find((k) => k['kty'] === 'RSA' && typeof k['d'] === 'string');
    if (jwk) return createPrivateKey({ key: jwk, format: 'jwk' });
  }
  throw new Error(`No RSA private JWK under ${dir}`);
}

/** The public key as PEM text: what an HS256 key-confusion attack uses as its HMAC secret. */
export function publicPem(key: KeyObject): string {
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
}
