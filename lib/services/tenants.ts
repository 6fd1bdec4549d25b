/**
 * Tenant use cases (control plane): onboarding, organisations, quotas, config, suspend /
 * resume, offboarding. Validates at the boundary with zod and delegates storage to the
 * TenantStore port, whose adapter runs each use case in one transaction.
 */
import * as z from 'zod';
import { parseOrThrow } from '../domain/validation.js';
import { ValidationError } from '../domain/errors.js';
import { QuotasPatchSchema, defaultQuotas } from '../domain/quotas.js';
import type { Quotas } from '../domain/quotas.js';
import {
  MAX_CONFIG_BYTES,
  SlugSchema,
  TENANT_TIERS,
  TenantConfigSchema,
  TenantNotFoundError,
  parseUuid,
} from '../domain/tenant.js';
import type { Organization, Tenant } from '../domain/tenant.js';
import type { OffboardResult, OnboardResult, TenantExportSink, TenantStore } from '../ports/tenant-store.js';
import { TtlMemo } from './ttl-memo.js';

export const OnboardInputSchema = z
  .object({
    slug: SlugSchema,
    name: z.string().trim().min(1).max(200),
    tier: z.enum(TENANT_TIERS).default('pool'),
    homeRegion: z.string().regex(/^[a-z]{2}-[a-z]+-\d$/, 'an AWS region such as eu-west-1'),
    config: z.unknown().optional(),
    admin: z.object({ email: z.email(), displayName: z.string().max(200).default('') }).strict(),
  })
  .strict();

/** Audit entries are kept this long after offboarding (7 years, a common record-keeping rule). */
export const AUDIT_RETENTION_YEARS = 7;

/** Size first (a clear message instead of a flood of issues), then the schema. */
export function parseTenantConfig(raw: unknown): z.infer<typeof TenantConfigSchema> {
  const bytes = Buffer.byteLength(JSON.stringify(raw ?? {}), 'utf8');
  if (bytes > MAX_CONFIG_BYTES) {
    throw new ValidationError(
      [{ path: 'config', message: `config is ${bytes} bytes; the limit is ${MAX_CONFIG_BYTES} bytes` }],
      'Tenant config too large',
    );
  }
  return parseOrThrow(TenantConfigSchema, raw ?? {}, 'tenant config');
}

/** How long `cachedQuotas` reuses a tenant's quotas (quota changes are rare; submits are not). */
export const QUOTA_CACHE_TTL_MS = 2_000;

export interface TenantServiceOptions {
  /** 0 = `cachedQuotas` reads the store every time. @default QUOTA_CACHE_TTL_MS */
  readonly quotaTtlMs?: number;
  /** Tests: the clock of that TTL (the business clock may be frozen). */
  readonly cacheClock?: () => Date;
}

export class TenantService {
  private readonly quotaMemo: TtlMemo<Quotas>;

  constructor(
    private readonly store: TenantStore,
    private readonly clock: () => Date = () => new Date(),
    options: TenantServiceOptions = {},
  ) {
    this.quotaMemo = new TtlMemo({
      ttlMs: options.quotaTtlMs ?? QUOTA_CACHE_TTL_MS,
      ...(options.cacheClock ? { clock: options.cacheClock } : {}),
    });
  }

  async onboard(raw: unknown, actor = 'system:control-plane'): Promise<OnboardResult> {
    const input = parseOrThrow(OnboardInputSchema, raw, 'onboarding request');
    const config = parseTenantConfig(input.config);
    return this.store.create({
      slug: input.slug,
      name: input.name,
      tier: input.tier,
      homeRegion: input.homeRegion,
      config,
      quotas: defaultQuotas(input.tier),
      admin: { email: input.admin.email, displayName: input.admin.displayName },
      actor,
    });
  }

  async get(tenantId: string): Promise<Tenant> {
    const id = parseUuid(tenantId);
    const tenant = await this.store.get(id);
    if (!tenant) throw new TenantNotFoundError(id);
    return tenant;
  }

  /** Control plane listing, by slug; `afterSlug` is the last slug of the previous page. */
  async list(page: { afterSlug?: string; limit: number }): Promise<Tenant[]> {
    const limit = parseOrThrow(z.number().int().min(1).max(1000), page.limit, 'tenant list limit');
    return this.store.list({ ...(page.afterSlug ? { afterSlug: page.afterSlug } : {}), limit });
  }

  async updateConfig(tenantId: string, raw: unknown, actor: string): Promise<Tenant> {
    const tenant = await this.active(tenantId);
    return this.store.updateConfig(tenant.id, parseTenantConfig(raw), actor);
  }

  async getQuotas(tenantId: string): Promise<Quotas> {
    return this.store.getQuotas((await this.get(tenantId)).id);
  }

  /**
   * Quotas for enforcement on hot paths (every execution submit): reused for up to the quota
   * TTL. Changes made through this service are seen at once; another process's after the TTL.
   */
  async cachedQuotas(tenantId: string): Promise<Quotas> {
    return this.quotaMemo.get(tenantId, () => this.getQuotas(tenantId));
  }

  async updateQuotas(tenantId: string, raw: unknown, actor: string): Promise<Quotas> {
    const patch = parseOrThrow(QuotasPatchSchema, raw, 'quota update');
    if (Object.keys(patch).length === 0) {
      const message = `name at least one of ${Object.keys(defaultQuotas('pool')).join(', ')}`;
      throw new ValidationError([{ path: '(root)', message }], `Invalid quota update: ${message}`);
    }
    const tenant = await this.get(tenantId);
    return this.forgetQuotasAfter(this.store.updateQuotas(tenant.id, patch, actor));
  }

  async suspend(tenantId: string, actor: string): Promise<Tenant> {
    return this.store.setStatus(parseUuid(tenantId), ['active'], 'suspended', actor);
  }

  async resume(tenantId: string, actor: string): Promise<Tenant> {
    return this.store.setStatus(parseUuid(tenantId), ['suspended'], 'active', actor);
  }

  async addOrganization(
    tenantId: string,
    name: string,
    parentId: string | null,
    actor: string,
  ): Promise<Organization> {
    const tenant = await this.active(tenantId);
    const n = parseOrThrow(z.string().trim().min(1).max(200), name, 'organization name');
    return this.store.addOrganization(
      tenant.id,
      n,
      parentId === null ? null : parseUuid(parentId, 'parentId'),
      actor,
    );
  }

  async moveOrganization(
    tenantId: string,
    orgId: string,
    parentId: string | null,
    actor: string,
  ): Promise<Organization> {
    const tenant = await this.active(tenantId);
    return this.store.moveOrganization(
      tenant.id,
      parseUuid(orgId, 'organizationId'),
      parentId === null ? null : parseUuid(parentId, 'parentId'),
      actor,
    );
  }

  async listOrganizations(tenantId: string): Promise<Organization[]> {
    return this.store.listOrganizations((await this.get(tenantId)).id);
  }

  async offboard(tenantId: string, sink: TenantExportSink, actor: string): Promise<OffboardResult> {
    const id = parseUuid(tenantId);
    const until = this.clock();
    until.setUTCFullYear(until.getUTCFullYear() + AUDIT_RETENTION_YEARS);
    return this.forgetQuotasAfter(this.store.offboard(id, sink, actor, until));
  }

  /** The memo is keyed by the id as callers spell it, so a change forgets every tenant's entry. */
  private async forgetQuotasAfter<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.quotaMemo.clear();
    }
  }

  /** Tenant-facing changes need an active tenant (suspended / offboarded are read-only). */
  private async active(tenantId: string): Promise<Tenant> {
    const tenant = await this.get(tenantId);
    if (tenant.status !== 'active') {
      const message = `tenant '${tenant.slug}' is ${tenant.status}; only active tenants can be changed`;
      throw new ValidationError([{ path: 'tenantId', message }], message);
    }
    return tenant;
  }
}
