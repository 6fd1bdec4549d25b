/**
 * Webhook signatures. Every delivery carries
 *   GLAF-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
 * Signing the timestamp with the body is what makes the replay window enforceable: a
 * captured request cannot be re-sent later with a fresh `t` without the secret.
 *
 * `verifyWebhookSignature` is the receiver helper: pass the raw body bytes exactly as
 * received (not re-serialised JSON), the header and your secret.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'GLAF-Signature';
export const SIGNATURE_SCHEME = 'v1';
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** Prefix that makes a leaked secret recognisable to secret scanners. */
const SECRET_PREFIX = 'whsec_';

export type SignatureFailure = 'malformed' | 'no_signature' | 'stale' | 'mismatch';

export type VerifyResult =
  | { readonly ok: true; readonly timestamp: number }
  | { readonly ok: false; readonly reason: SignatureFailure; readonly message: string };

export interface VerifyOptions {
  /** How far `t` may be from now, either way. @default 300 */
  readonly toleranceSeconds?: number;
  /** The receiver's clock. @default () => new Date() */
  readonly now?: Date | (() => Date);
}

/** A fresh signing secret: 32 random bytes, base64url, with a recognisable prefix. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

function hmacHex(secret: string, timestamp: number, body: string | Uint8Array): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return mac.digest('hex');
}

/** The header value for `body` signed at `timestamp` (unix seconds). */
export function signWebhookPayload(body: string | Uint8Array, secret: string, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`timestamp must be whole unix seconds, got ${timestamp}`);
  }
  return `t=${timestamp},${SIGNATURE_SCHEME}=${hmacHex(secret, timestamp, body)}`;
}

interface ParsedHeader {
  readonly timestamp: number;
  readonly signatures: readonly string[];
}

/** `t=...,v1=...[,v1=...]`; unknown schemes are ignored so new ones can be added later. */
function parseHeader(header: string): ParsedHeader | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return undefined;
      timestamp = Number(value);
    } else if (key === SIGNATURE_SCHEME) {
      if (/^[0-9a-f]{64}$/.test(value)) signatures.push(value);
    }
  }
  return timestamp === undefined ? undefined : { timestamp, signatures };
}

const fail = (reason: SignatureFailure, message: string): VerifyResult => ({ ok: false, reason, message });

/**
 * Checks a delivery: the header is well formed, `t` is within the tolerance of `now`,
 * and one v1 signature matches (compared in constant time).
 */
export function verifyWebhookSignature(
  body: string | Uint8Array,
  header: string | undefined | null,
  secret: string,
  options: VerifyOptions = {},
): VerifyResult {
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!header) return fail('malformed', `missing ${SIGNATURE_HEADER} header`);
  const parsed = parseHeader(header);
  if (!parsed) return fail('malformed', `${SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<hex>`);
  if (parsed.signatures.length === 0)
    return fail('no_signature', `no ${SIGNATURE_SCHEME} signature in header`);
  const now = typeof options.now === 'function' ? options.now() : (options.now ?? new Date());
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - parsed.timestamp);
  if (skew > tolerance) {
    return fail('stale', `timestamp is ${skew} s away from now (tolerance ${tolerance} s): possible replay`);
  }
  const expected = Buffer.from(hmacHex(secret, parsed.timestamp, body), 'hex');
  const match = parsed.signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  return match
    ? { ok: true, timestamp: parsed.timestamp }
    : fail('mismatch', 'signature does not match the body and secret');
}
