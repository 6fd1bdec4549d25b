/**
 * `agent-factory token`: mints a token with the local issuer's key (kept under
 * `<dataDir>/issuer/`). A tenant may be named by slug: while a platform runs on the data
 * directory (it holds the embedded database), the slug is looked up through its API;
 * otherwise in the database itself.
 */
import * as z from 'zod';
import { openLocalIssuer, type LocalIssuer } from '../adapters/local/platform.js';
import { readServerInfo } from '../adapters/local/server-info.js';
import { openDatabase } from '../adapters/sql/database.js';
import { SqlTenantStore } from '../adapters/sql/tenant-store.sql.js';
import { MEMBER_ROLES, type MemberRole } from '../domain/roles.js';
import type { Out } from './commands.js';

export interface TokenOptions {
  /** Slug or uuid; absent only with platformAdmin. */
  readonly tenant?: string;
  readonly role: string;
  readonly platformAdmin?: boolean;
  readonly dataDir: string;
  readonly ttlSeconds: number;
  readonly sub?: string;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TenantListSchema = z.object({
  items: z.array(z.object({ tenant_id: z.string(), slug: z.string() }).loose()),
  next_cursor: z.string().nullable(),
});

export async function tokenCommand(out: Out, opts: TokenOptions): Promise<number> {
  if (!(MEMBER_ROLES as readonly string[]).includes(opts.role)) {
    out.stderr(`Unknown role '${opts.role}': use one of ${MEMBER_ROLES.join(', ')}`);
    return 2;
  }
  if (!opts.tenant && !opts.platformAdmin) {
    out.stderr('Name a tenant with --tenant <slug>, or pass --platform-admin for a token without one');
    return 2;
  }
  const issuer = await openLocalIssuer(opts.dataDir);
  let tenantId: string | null = null;
  if (opts.tenant) {
    tenantId = UUID_RE.test(opts.tenant) ? opts.tenant.toLowerCase() : await resolveSlug(issuer, opts);
    if (!tenantId) {
      out.stderr(`No tenant '${opts.tenant}' in ${opts.dataDir}: check the slug (the demo tenant is 'demo')`);
      return 2;
    }
  }
  const token = await issuer.mint({
    tenantId,
    roles: [opts.role as MemberRole],
    platformAdmin: opts.platformAdmin ?? false,
    sub: opts.sub ?? `cli:${opts.role}`,
    ttlSeconds: opts.ttlSeconds,
  });
  out.stdout(token);
  return 0;
}

/** A tenant named by uuid or slug (looked up like `token --tenant`) -> its id, or null. */
export async function resolveTenantId(dataDir: string, tenant: string): Promise<string | null> {
  if (UUID_RE.test(tenant)) return tenant.toLowerCase();
  const issuer = await openLocalIssuer(dataDir);
  return resolveSlug(issuer, { tenant, role: 'viewer', dataDir, ttlSeconds: 60 });
}

async function resolveSlug(issuer: LocalIssuer, opts: TokenOptions): Promise<string | null> {
  const running = await readServerInfo(opts.dataDir);
  if (running) return slugOverHttp(issuer, running.url, opts.tenant!);
  const db = await openDatabase({
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    dataDir: `${opts.dataDir}/pg`,
  });
  try {
    return (await new SqlTenantStore(db.scope).getBySlug(opts.tenant!))?.id ?? null;
  } finally {
    await db.close();
  }
}

async function slugOverHttp(issuer: LocalIssuer, url: string, slug: string): Promise<string | null> {
  const admin = await issuer.mint({
    tenantId: null,
    roles: [],
    platformAdmin: true,
    sub: 'cli:token',
    ttlSeconds: 60,
  });
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${url}/v1/tenants?${q.toString()}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    if (!res.ok) throw new Error(`The running platform at ${url} answered ${res.status} to a tenant lookup`);
    const page = TenantListSchema.parse(await res.json());
    const hit = page.items.find((t) => t.slug === slug);
    if (hit) return hit.tenant_id;
    cursor = page.next_cursor;
  } while (cursor);
  return null;
}
