/**
 * The named analytics queries: one `.sql` file each under `queries/`, whose first line is a
 * `-- description` comment. Read at call time so the CDK stack (Athena named queries, at
 * synth) and the local DuckDB runner publish exactly the same text. The SQL stays in the
 * subset Athena (Trino) and DuckDB share and names tables bare: the caller supplies the
 * database (Athena workgroup / the local runner's tenant views).
 *
 * The tenant parameter. The lake tables project `tenant_id` as `injected` (Athena refuses a
 * query without a static `tenant_id` equality or IN predicate), so every named query says
 * whose rows it reads with the marker `tenant_id IN (?)`, and no other `?`. As published, a
 * query runs for one tenant: Athena binds its one ExecutionParameter (a quoted uuid literal;
 * parameters are bound before planning, so the predicate is static for the projection). A
 * caller covering several tenants (the control plane's `tenant_usage` for cost allocation)
 * names them: `bindTenants` repeats the placeholder, one per tenant, in every marker, and the
 * Athena runner and the local DuckDB runner bind the same list. There is no "all tenants"
 * form: every run names the tenants it covers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TENANT_ID_RE } from '../config/app-config.js';

export interface NamedQuery {
  /** File name without `.sql`, snake_case. */
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

export const NAMED_QUERIES_DIR = fileURLToPath(new URL('./queries/', import.meta.url));

/** The tenant predicate every named query carries (see the module comment). */
export const TENANT_MARKER = 'tenant_id IN (?)';

export function loadNamedQueries(dir: string = NAMED_QUERIES_DIR): readonly NamedQuery[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8').trim();
      const first = sql.split('\n', 1)[0] ?? '';
      if (!first.startsWith('-- '))
        throw new Error(`named query ${file} must start with a '-- description' comment line`);
      assertTenantMarker(file, sql);
      return { name: basename(file, '.sql'), description: first.slice(3).trim(), sql };
    });
}

function assertTenantMarker(file: string, sql: string): void {
  const markers = sql.split(TENANT_MARKER).length - 1;
  const placeholders = sql.split('?').length - 1;
  if (markers === 0)
    throw new Error(
      `named query ${file} must filter its tenants with '${TENANT_MARKER}' (Athena refuses a lake query without a tenant_id predicate)`,
    );
  if (placeholders !== markers)
    throw new Error(`named query ${file}: the only '?' allowed is the one in '${TENANT_MARKER}'`);
}

export interface BoundQuery {
  readonly sql: string;
  /** Positional parameters, in placeholder order: tenant ids (plain; Athena quotes them). */
  readonly params: readonly string[];
}

/**
 * The query text and parameters for `tenantIds`: each marker becomes `tenant_id IN (?, ?, ...)`
 * with one placeholder per tenant. Only lower-case UUIDs are accepted, so a parameter can never
 * carry SQL even where a runner quotes it as a literal (Athena's ExecutionParameters).
 */
export function bindTenants(
  query: Pick<NamedQuery, 'name' | 'sql'>,
  tenantIds: readonly string[],
): BoundQuery {
  if (tenantIds.length === 0)
    throw new Error(`named query ${query.name}: name at least one tenant it covers`);
  const ids = [...new Set(tenantIds)];
  for (const id of ids)
    if (!TENANT_ID_RE.test(id)) throw new Error(`not a tenant id (lower-case uuid): ${JSON.stringify(id)}`);
  const parts = query.sql.split(TENANT_MARKER);
  const list = `tenant_id IN (${ids.map(() => '?').join(', ')})`;
  return {
    sql: parts.join(list),
    params: Array.from({ length: parts.length - 1 }, () => ids).flat(),
  };
}
