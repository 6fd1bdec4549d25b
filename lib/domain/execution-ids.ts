/**
 * Identifier rules for the execution store. Ids become parts of DynamoDB keys
 * (`TENANT#<id>`, `EXEC#<id>`), so anything that could forge another key ('#', spaces,
 * other tenants' prefixes) is refused here, before any request is made.
 */
import { randomBytes } from 'node:crypto';
import { ValidationError } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
/** Slug-like agent ids ("fuel-emissions", "cbam.steel"). */
const AGENT_ID = /^[a-z][a-z0-9._-]{1,63}$/;
/** Idempotency keys: printable, no '#', as clients send them in a header. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;
const WEBHOOK_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

function invalid(path: string, value: unknown, expected: string): never {
  const shown = typeof value === 'string' ? `'${value.slice(0, 80)}'` : typeof value;
  throw new ValidationError([{ path, message: `Invalid ${path} ${shown}: expected ${expected}` }]);
}

/** Tenant ids are lowercase UUIDs (the `tenants.id` column). */
export function assertTenantId(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !UUID.test(value)) invalid('tenantId', value, 'a lowercase UUID');
}

/** Execution ids are UUIDs (v7 by default, time-ordered) or ULIDs. */
export function assertExecutionId(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !(UUID.test(value) || ULID.test(value))) {
    invalid('executionId', value, 'a lowercase UUID or a ULID');
  }
}

export function assertAgentId(value: unknown, path = 'agentId'): asserts value is string {
  if (typeof value !== 'string' || !AGENT_ID.test(value)) {
    invalid(path, value, 'lowercase letters, digits, ".", "_" or "-", starting with a letter (2-64 chars)');
  }
}

export function assertIdempotencyKey(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) {
    invalid('idempotencyKey', value, '1-128 characters from A-Z a-z 0-9 . _ : -');
  }
}

export function assertWebhookId(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !WEBHOOK_ID.test(value)) {
    invalid('webhookId', value, '1-64 characters from A-Z a-z 0-9 _ -');
  }
}

/** Usage months are `YYYY-MM` (UTC). */
export function assertMonth(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !MONTH.test(value)) invalid('month', value, 'YYYY-MM, e.g. 2025-03');
}

export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/**
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds then random bits, so ids sort by creation
 * time and the base-table query `begins_with(SK, 'EXEC#')` lists newest last.
 */
export function newExecutionId(now: Date = new Date()): string {
  const bytes = randomBytes(16);
  let ms = now.getTime();
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
