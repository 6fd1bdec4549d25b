/**
 * Credentials of the tenant-scoped role (ABAC), one set per tenant: STS AssumeRole with the
 * session tag `tenant_id` = the tenant, so every policy of the role bound to
 * `${aws:PrincipalTag/tenant_id}` (DynamoDB LeadingKeys, S3 prefix, KMS encryption context)
 * confines the session to that tenant's data.
 *
 * Cached per tenant until `refreshBeforeMs` before they expire, in a bounded LRU (a warm API
 * function serves many tenants; the least recently used fall out). Concurrent requests of
 * one tenant share one AssumeRole call; a failed call is not cached. A refresh that fails
 * while the held credentials are still valid serves those (an STS hiccup in the refresh
 * window fails no request) and is tried again by the next request.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { LRUCache } from 'lru-cache';
import { assertTenantId } from '../../domain/execution-ids.js';

export const TENANT_SESSION_TAG = 'tenant_id';

/** Held credentials this close to expiry are not served after a failed refresh (a request takes time). */
const MIN_REMAINING_MS = 30_000;

export interface TenantCredentialsValue {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

export interface StsTenantCredentialsOptions {
  readonly sts: STSClient;
  /** The tenant role (TENANT_ROLE_ARN). */
  readonly roleArn: string;
  /** @default 3600 (the role's default maximum session) */
  readonly durationSeconds?: number;
  /** Load new credentials this long before the old ones expire. @default 5 minutes */
  readonly refreshBeforeMs?: number;
  /** Tenants kept at once. @default 1000 */
  readonly maxTenants?: number;
  readonly clock?: () => Date;
}

interface Entry {
  readonly credentials: TenantCredentialsValue;
  /** Epoch ms after which the entry is reloaded. */
  readonly refreshAt: number;
}

export class StsTenantCredentials {
  private readonly cache: LRUCache<string, Entry>;
  private readonly clock: () => Date;
  private readonly refreshBeforeMs: number;

  constructor(private readonly options: StsTenantCredentialsOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
    // lru-cache's fetch shares one in-flight load per key and drops a rejected one.
    this.cache = new LRUCache<string, Entry>({
      max: options.maxTenants ?? 1000,
      fetchMethod: (tenantId) => this.assume(tenantId),
      // A failed refresh leaves the old entry in place; `get` decides whether it may still serve.
      noDeleteOnFetchRejection: true,
    });
  }

  /** The tenant's credentials; throws ValidationError for anything but a lowercase UUID. */
  async get(tenantId: string): Promise<TenantCredentialsValue> {
    // The role's trust policy wants a UUID-shaped tag; refuse anything else before STS does.
    assertTenantId(tenantId);
    const entry = await this.cache.fetch(tenantId);
    if (!entry) throw new Error(`No credentials for tenant ${tenantId}`);
    if (entry.refreshAt > this.clock().getTime()) return entry.credentials;
    try {
      const fresh = await this.cache.fetch(tenantId, { forceRefresh: true });
      if (!fresh) throw new Error(`No credentials for tenant ${tenantId}`);
      return fresh.credentials;
    } catch (error) {
      // Still valid for a while: serve them, the next request asks STS again.
      if (entry.credentials.expiration.getTime() > this.clock().getTime() + MIN_REMAINING_MS) {
        return entry.credentials;
      }
      throw error;
    }
  }

  /** Tenants whose credentials are held now (for tests and metrics). */
  get size(): number {
    return this.cache.size;
  }

  private async assume(tenantId: string): Promise<Entry> {
    const out = await this.options.sts.send(
      new AssumeRoleCommand({
        RoleArn: this.options.roleArn,
        RoleSessionName: `t-${tenantId}`,
        DurationSeconds: this.options.durationSeconds ?? 3600,
        Tags: [{ Key: TENANT_SESSION_TAG, Value: tenantId }],
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new Error('STS AssumeRole answered without complete credentials');
    }
    const credentials = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
    return { credentials, refreshAt: c.Expiration.getTime() - this.refreshBeforeMs };
  }
}
