/**
 * API keys for service accounts: `glaf_<prefix8>_<secret>`, the secret 256 random bits in
 * base64url. Only SHA-256(secret) is stored; the whole key is returned once, at creation.
 * Each key is bound to one tenant and one role, may expire, and can be revoked.
 *
 * Authentication must find a key before the tenant is known. It calls the SECURITY DEFINER
 * function `api_key_lookup(prefix)` (migration 0002) as the app role, inside the nil tenant
 * (no tenant rows visible); `tenantStatus` reads the tenant's own row under RLS. So the
 * authorizer never needs the admin role's BYPASSRLS.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { MEMBER_ROLES, type MemberRole } from '../domain/roles.js';
import { parseUuid, type TenantStatus } from '../domain/tenant.js';
import { parseOrThrow } from '../domain/validation.js';
import type { SqlQueryable, TenantScope } from '../ports/sql.js';

const KEY_RE = /^glaf_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;
/** A tenant no row can belong to: the lookup transaction sees no tenant data. */
const NIL_TENANT = '00000000-0000-0000-0000-000000000000';
const COLUMNS = 'id, tenant_id, name, prefix, role, created_at, expires_at, revoked_at, last_used_at';

export const CreateApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: z.enum(MEMBER_ROLES),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export interface ApiKey {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  /** Not secret: identifies the key in lists and logs. */
  readonly prefix: string;
  readonly role: MemberRole;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

export interface CreatedApiKey {
  readonly apiKey: ApiKey;
  /** The full key. Shown once: it cannot be recovered from what is stored. */
  readonly key: string;
}

export type ApiKeyRejection =
  'malformed' | 'unknown' | 'wrong_secret' | 'revoked' | 'expired' | 'tenant_inactive';
export type ApiKeyAuthentication =
  | { readonly ok: true; readonly keyId: string; readonly tenantId: string; readonly role: MemberRole }
  | { readonly ok: false; readonly reason: ApiKeyRejection };

interface KeyRow {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  role: MemberRole;
  created_at: unknown;
  expires_at: unknown;
  revoked_at: unknown;
  last_used_at: unknown;
}
interface LookupRow {
  id: string;
  tenant_id: string;
  key_hash: string;
  role: MemberRole;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
  tenant_status: TenantStatus;
}

const sha256 = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();
/** Both drivers return Date; a string (another driver) is normalised the same way. */
function iso(v: unknown): string | null {
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'string' ? new Date(v).toISOString() : null;
}

function toApiKey(r: KeyRow): ApiKey {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    prefix: r.prefix,
    role: r.role,
    createdAt: iso(r.created_at)!,
    expiresAt: iso(r.expires_at),
    revokedAt: iso(r.revoked_at),
    lastUsedAt: iso(r.last_used_at),
  };
}

export class ApiKeyNotFoundError extends NotFoundError {
  override readonly code = 'api_key_not_found';
  constructor(keyId: string) {
    super('api key', keyId, 'list the keys of your tenant with GET /v1/api-keys');
  }
}

export class ApiKeyService {
  constructor(
    private readonly scope: TenantScope,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(tenantId: string, raw: unknown): Promise<CreatedApiKey> {
    const input = parseOrThrow(CreateApiKeySchema, raw, 'API key');
    const now = this.clock();
    if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= now.getTime()) {
      const message = `expiresAt must be in the future (now is ${now.toISOString()})`;
      throw new ValidationError([{ path: 'expiresAt', message }], message);
    }
    const prefix = randomBytes(4).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    // A clash of the 32-bit prefix (unique index) fails the insert; the caller may retry.
    const { rows } = await this.scope.withTenant(tenantId, (tx) =>
      tx.query<KeyRow>(
        `insert into api_keys (tenant_id, name, prefix, key_hash, role, created_at, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
        [
          tenantId,
          input.name,
          prefix,
          sha256(secret).toString('hex'),
          input.role,
          now,
          input.expiresAt ?? null,
        ],
      ),
    );
    return { apiKey: toApiKey(rows[0]!), key: `glaf_${prefix}_${secret}` };
  }

  async list(tenantId: string): Promise<ApiKey[]> {
    const { rows } = await this.scope.withTenant(tenantId, (tx) =>
      tx.query<KeyRow>(`select ${COLUMNS} from api_keys order by created_at, id`),
    );
    return rows.map(toApiKey);
  }

  /** Idempotent: revoking a revoked key returns it unchanged. Another tenant's key is not found. */
  async revoke(tenantId: string, keyId: string): Promise<ApiKey> {
    const id = parseUuid(keyId, 'keyId');
    return this.scope.withTenant(tenantId, async (tx: SqlQueryable) => {
      const { rows } = await tx.query<KeyRow>(
        `update api_keys set revoked_at = coalesce(revoked_at, $2) where id = $1 returning ${COLUMNS}`,
        [id, this.clock()],
      );
      if (!rows[0]) throw new ApiKeyNotFoundError(id);
      return toApiKey(rows[0]);
    });
  }

  /**
   * The tenant's status as the app role sees it (its own row only, through RLS), or null when
   * there is no such tenant: the authorizer's check for JWTs, without the admin role.
   */
  async tenantStatus(tenantId: string): Promise<TenantStatus | null> {
    const { rows } = await this.scope.withTenant(tenantId, (tx) =>
      tx.query<{ status: TenantStatus }>('select status from tenants where id = $1', [tenantId]),
    );
    return rows[0]?.status ?? null;
  }

  /** Never throws for a bad key: the reason is for logs, the caller answers 401 either way. */
  async authenticate(raw: string): Promise<ApiKeyAuthentication> {
    const m = KEY_RE.exec(raw);
    if (!m) return { ok: false, reason: 'malformed' };
    const [, prefix, secret] = m as unknown as [string, string, string];
    const { rows } = await this.scope.withTenant(NIL_TENANT, (tx) =>
      tx.query<LookupRow>('select * from api_key_lookup($1)', [prefix]),
    );
    const row = rows[0];
    const stored = Buffer.from(row?.key_hash ?? '0'.repeat(64), 'hex');
    // Constant time: how much of the hash matched must not show in the response time.
    const match = timingSafeEqual(sha256(secret), stored);
    if (!row) return { ok: false, reason: 'unknown' };
    if (!match) return { ok: false, reason: 'wrong_secret' };
    const now = this.clock();
    if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
    if (row.expires_at !== null && new Date(row.expires_at).getTime() <= now.getTime()) {
      return { ok: false, reason: 'expired' };
    }
    if (row.tenant_status !== 'active') return { ok: false, reason: 'tenant_inactive' };
    await this.scope.withTenant(row.tenant_id, (tx) =>
      tx.query('update api_keys set last_used_at = $2 where id = $1', [row.id, now]),
    );
    return { ok: true, keyId: row.id, tenantId: row.tenant_id, role: row.role };
  }
}
