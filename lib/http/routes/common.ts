/**
 * What the route modules share: the list envelope, `limit`, cursors over small in-memory
 * lists, and the caller's tenant and audit actor. Tenant routes take the tenant ONLY from the
 * authenticated principal, never from the URL or body.
 */
import * as z from 'zod';

import { ValidationError } from '../../domain/errors.js';
import type { RequestContext } from '../types.js';

export const limitSchema = z.coerce.number().int().min(1).max(100).default(20);
export const cursorSchema = z.string().min(1).max(2000);

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

export interface PageBody<T> {
  readonly items: readonly T[];
  readonly next_cursor: string | null;
}

/** The tenant the request acts in. The pipeline only lets tenant routes through with one. */
export function tenantOf(ctx: RequestContext): string {
  const tenantId = ctx.principal?.tenantId;
  if (!tenantId) throw new Error('tenant route reached without a tenant principal');
  return tenantId;
}

/** Who did it, for audit entries: `user:<sub>`, `api_key:<id>`, `service:<name>`. */
export function actorOf(ctx: RequestContext): string {
  const p = ctx.principal;
  return p ? `${p.type}:${p.subject}`.slice(0, 200) : 'anonymous';
}

const encode = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');

function decode(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key.length === 0 || encode(key) !== cursor) {
    throw new ValidationError(
      [{ path: 'query.cursor', message: 'not a cursor this list returned; start again without one' }],
      'Invalid cursor',
    );
  }
  return key;
}

/**
 * Keyset pagination over a list already in memory (agents, versions, factor matches): items
 * sorted by a unique key; the cursor is the last key shown, opaque to clients.
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  limit: number,
  cursor: string | undefined,
): { items: T[]; next_cursor: string | null } {
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const after = cursor === undefined ? undefined : decode(cursor);
  const rest = after === undefined ? sorted : sorted.filter((i) => keyOf(i) > after);
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  return { items: page, next_cursor: rest.length > limit && last ? encode(keyOf(last)) : null };
}

/** Cursor of keyset pagination done by a store (one more row than asked tells there is more). */
export function nextCursorOf<T>(rows: readonly T[], limit: number, keyOf: (row: T) => string): string | null {
  const last = rows.slice(0, limit).at(-1);
  return rows.length > limit && last ? encode(keyOf(last)) : null;
}

export function cursorKey(cursor: string | undefined): string | undefined {
  return cursor === undefined ? undefined : decode(cursor);
}

/** Records a tenant-scoped write in the tenant's audit trail, with the caller as actor. */
export async function audit(
  ctx: RequestContext,
  action: string,
  target: string,
  data: Record<string, unknown>,
): Promise<void> {
  await ctx.services.audit.record(tenantOf(ctx), { actor: actorOf(ctx), action, target, data });
}
