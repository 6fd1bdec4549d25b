import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  signWebhookPayload,
  verifyWebhookSignature,
} from '../../lib/domain/webhook-signature.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const T = NOW.getTime() / 1000;
const BODY = JSON.stringify({ id: 'e1', type: 'execution.completed', detail: { co2eKg: 12.5 } });
const SECRET = 'whsec_test-secret-one';

describe('signWebhookPayload', () => {
  it('is HMAC-SHA256 over "<t>.<body>" in the documented header format', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhookPayload(BODY, SECRET, T)).toBe(`t=${T},v1=${expected}`);
  });

  it('refuses a timestamp that is not whole unix seconds', () => {
    expect(() => signWebhookPayload(BODY, SECRET, 1.5)).toThrow(RangeError);
  });
});

describe('verifyWebhookSignature', () => {
  const header = signWebhookPayload(BODY, SECRET, T);

  it('accepts a genuine delivery, as string or raw bytes', () => {
    expect(verifyWebhookSignature(BODY, header, SECRET, { now: NOW })).toEqual({ ok: true, timestamp: T });
    expect(verifyWebhookSignature(Buffer.from(BODY), header, SECRET, { now: NOW }).ok).toBe(true);
  });

  it('detects a forged signature', () => {
    const forged = `t=${T},v1=${'ab'.repeat(32)}`;
    expect(verifyWebhookSignature(BODY, forged, SECRET, { now: NOW })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('detects the wrong secret', () => {
    expect(verifyWebhookSignature(BODY, header, 'whsec_other', { now: NOW })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('detects a tampered body (one character changed)', () => {
    const tampered = BODY.replace('12.5', '12.6');
    expect(verifyWebhookSignature(tampered, header, SECRET, { now: NOW })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('detects a re-signed timestamp without the secret (t changed, signature kept)', () => {
    const replayed = header.replace(`t=${T}`, `t=${T + 600}`);
    const later = new Date(NOW.getTime() + 600_000);
    expect(verifyWebhookSignature(BODY, replayed, SECRET, { now: later })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });

  it.each([
    ['301 s old', -301],
    ['301 s in the future', 301],
    ['a day old', -86_400],
  ])('detects a stale signature: %s', (_label, offsetSeconds) => {
    const signed = signWebhookPayload(BODY, SECRET, T + offsetSeconds);
    expect(verifyWebhookSignature(BODY, signed, SECRET, { now: NOW })).toMatchObject({
      ok: false,
      reason: 'stale',
    });
  });

  it.each([
    ['exactly 300 s old', -300],
    ['299 s in the future', 299],
  ])('accepts a signature inside the window: %s', (_label, offsetSeconds) => {
    const signed = signWebhookPayload(BODY, SECRET, T + offsetSeconds);
    expect(verifyWebhookSignature(BODY, signed, SECRET, { now: NOW })).toMatchObject({ ok: true });
  });

  it('honours a custom tolerance and a clock function', () => {
    const signed = signWebhookPayload(BODY, SECRET, T - 60);
    expect(
      verifyWebhookSignature(BODY, signed, SECRET, { now: () => NOW, toleranceSeconds: 30 }),
    ).toMatchObject({ ok: false, reason: 'stale' });
  });

  it.each([
    ['missing header', undefined, 'malformed'],
    ['empty header', '', 'malformed'],
    ['no timestamp', `v1=${'ab'.repeat(32)}`, 'malformed'],
    ['non-numeric timestamp', `t=abc,v1=${'ab'.repeat(32)}`, 'malformed'],
    ['two timestamps', `t=${T},t=${T},v1=${'ab'.repeat(32)}`, 'malformed'],
    ['garbage', 'hello', 'malformed'],
    ['no v1 signature', `t=${T},v0=${'ab'.repeat(32)}`, 'no_signature'],
    ['short v1 signature', `t=${T},v1=abcd`, 'no_signature'],
  ])('rejects a malformed header: %s', (_label, bad, reason) => {
    expect(verifyWebhookSignature(BODY, bad, SECRET, { now: NOW })).toMatchObject({ ok: false, reason });
  });

  it('accepts when any of several v1 signatures matches (receiver-side rotation overlap)', () => {
    const good = signWebhookPayload(BODY, SECRET, T).split('v1=')[1]!;
    const both = `t=${T},v1=${'cd'.repeat(32)},v1=${good}`;
    expect(verifyWebhookSignature(BODY, both, SECRET, { now: NOW }).ok).toBe(true);
  });
});

describe('generateWebhookSecret', () => {
  it('gives distinct prefixed secrets with 256 bits of randomness', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });
});
