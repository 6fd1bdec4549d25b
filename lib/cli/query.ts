/**
 * `agent-factory query <name|sql>`: the named lake queries (or one SELECT) over
 * `<dataDir>/lake` with DuckDB, as a tenant's analyst sees them in Athena: only that tenant's
 * rows. Without --tenant, a platform admin must say --all-tenants explicitly, so an unscoped
 * query over every tenant's data is never the accident of a forgotten flag.
 * Exit codes as the other commands: 0 ok, 1 refused SQL or no lake, 2 usage or unknown names.
 */
import { join } from 'node:path';
import {
  LakeQueryEngine,
  type LakeQueryResult,
  type LakeScope,
} from '../adapters/local/lake-query-engine.js';
import { LakeMissingError, LakeQueryRefusedError, UnknownNamedQueryError } from '../lake/errors.js';
import { loadNamedQueries, type NamedQuery } from '../lake/named-queries.js';
import { json, type Out } from './commands.js';
import { table } from './io.js';
import { resolveTenantId } from './token.js';

export const QUERY_FORMATS = ['table', 'csv', 'json'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

export interface QueryOptions {
  readonly tenant?: string;
  readonly allTenants?: boolean;
  readonly format: string;
  readonly dataDir: string;
}

/** A bare snake_case word is a query name; anything else is SQL. */
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A named query (its tenant parameter is bound to the session's tenants), or the SQL as given. */
export function queryOf(nameOrSql: string): NamedQuery | { readonly sql: string } {
  const text = nameOrSql.trim();
  if (!NAME.test(text)) return { sql: text };
  const queries = loadNamedQueries();
  const hit = queries.find((q) => q.name === text);
  if (!hit)
    throw new UnknownNamedQueryError(
      text,
      queries.map((q) => q.name),
    );
  return hit;
}

export async function queryCommand(out: Out, nameOrSql: string, opts: QueryOptions): Promise<number> {
  if (!(QUERY_FORMATS as readonly string[]).includes(opts.format)) {
    out.stderr(`Unknown format '${opts.format}': use one of ${QUERY_FORMATS.join(', ')}`);
    return 2;
  }
  if (opts.tenant && opts.allTenants) {
    out.stderr('Give either --tenant <slug> or --all-tenants, not both');
    return 2;
  }
  if (!opts.tenant && !opts.allTenants) {
    out.stderr(
      "Name the tenant whose rows to query with --tenant <slug> (the demo tenant is 'demo'); " +
        'platform admins may query every tenant with --all-tenants',
    );
    return 2;
  }
  let query: NamedQuery | { readonly sql: string };
  try {
    query = queryOf(nameOrSql);
  } catch (err) {
    if (!(err instanceof UnknownNamedQueryError)) throw err;
    out.stderr(err.message);
    return 2;
  }
  let scope: LakeScope = { allTenants: true };
  if (opts.tenant) {
    const tenantId = await resolveTenantId(opts.dataDir, opts.tenant);
    if (!tenantId) {
      out.stderr(`No tenant '${opts.tenant}' in ${opts.dataDir}: check the slug (the demo tenant is 'demo')`);
      return 2;
    }
    scope = { tenantId };
  }
  let engine: LakeQueryEngine | undefined;
  try {
    engine = await LakeQueryEngine.open(join(opts.dataDir, 'lake'), scope);
    const result = 'name' in query ? await engine.named(query) : await engine.query(query.sql);
    out.stdout(render(result, opts.format as QueryFormat));
    return 0;
  } catch (err) {
    if (!(err instanceof LakeQueryRefusedError || err instanceof LakeMissingError)) {
      // DuckDB's own errors (unknown column, syntax) are the user's SQL to fix.
      if (err instanceof Error && /Error:/.test(err.message)) {
        out.stderr(err.message);
        return 1;
      }
      throw err;
    }
    out.stderr(err.message);
    return 1;
  } finally {
    engine?.close();
  }
}

export function render(result: LakeQueryResult, format: QueryFormat): string {
  switch (format) {
    case 'json':
      return json(result.rows);
    case 'csv':
      return [result.columns, ...result.rows.map((r) => result.columns.map((c) => r[c] ?? null))]
        .map((cells) => cells.map(csvCell).join(','))
        .join('\n');
    case 'table':
      return result.rows.length === 0
        ? `${result.columns.join('  ')}\n(no rows)`
        : table(
            result.rows.map((r) => result.columns.map((c) => r[c] ?? null)),
            result.columns,
            80,
          );
  }
}

/** RFC 4180: quote a field holding a comma, quote or line break; double the quotes. */
function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
