/**
 * Tenant model: ids, slugs, tiers, status and the tenant config schema. No I/O.
 */
import * as z from 'zod';
import { NotFoundError, ValidationError } from './errors.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id that is not a UUID: refused before it reaches SQL (a cast error would leak details). */
export class MalformedIdError extends ValidationError {
  constructor(field: string, value: unknown) {
    const shown = typeof value === 'string' ? `'${value.slice(0, 60)}'` : typeof value;
    const message = `${shown} is not a UUID (expected e.g. 0b6f1c1e-8a1d-4c3e-9a57-1f0e2d3c4b5a)`;
    super([{ path: field, message }], `Malformed ${field}: ${message}`);
  }
}

export class TenantNotFoundError extends NotFoundError {
  override readonly code = 'tenant_not_found';
  constructor(key: string) {
    super('tenant', key, 'check the id or slug; offboarded tenants are not served');
  }
}

/** Returns the id lower-cased, or throws MalformedIdError. */
export function parseUuid(value: unknown, field = 'tenantId'): string {
  if (typeof value !== 'string' || !UUID_RE.test(value)) throw new MalformedIdError(field, value);
  return value.toLowerCase();
}

export const TENANT_TIERS = ['pool', 'silo'] as const;
export type TenantTier = (typeof TENANT_TIERS)[number];
export const TENANT_STATUSES = ['active', 'suspended', 'offboarded'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export const SlugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'slug: 2-63 characters, lower-case letters, digits and "-"');

/** Largest accepted config document (bytes of its JSON); the database checks 64 KiB too. */
export const MAX_CONFIG_BYTES = 16_384;

/**
 * Tenant configuration. Strict: an unknown key is an error, not silently stored.
 */
export const TenantConfigSchema = z
  .object({
    defaultRegion: z.string().min(2).max(40).optional(),
    reportingCurrency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'ISO 4217 code such as EUR')
      .optional(),
    factorSources: z.array(z.string().min(1).max(40)).max(50).optional(),
    dataResidency: z.enum(['eu', 'us', 'any']).optional(),
    features: z.record(z.string().max(60), z.boolean()).optional(),
    labels: z.record(z.string().max(60), z.string().max(200)).optional(),
  })
  .strict();
export type TenantConfig = z.infer<typeof TenantConfigSchema>;

export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly tier: TenantTier;
  readonly status: TenantStatus;
  readonly homeRegion: string;
  readonly config: TenantConfig;
  readonly createdAt: string;
}

export interface Organization {
  readonly id: string;
  readonly tenantId: string;
  readonly parentId: string | null;
  readonly name: string;
}
