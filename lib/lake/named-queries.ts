/**
 * The named analytics queries: one `.sql` file each under `queries/`, whose first line is a
 * `-- description` comment. Read at call time so the CDK stack (Athena named queries, at
 * synth) and the local DuckDB runner publish exactly the same text. The SQL stays in the
 * subset Athena (Trino) and DuckDB share and names tables bare: the caller supplies the
 * database (Athena workgroup / the local runner's tenant views).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NamedQuery {
  /** File name without `.sql`, snake_case. */
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

export const NAMED_QUERIES_DIR = fileURLToPath(new URL('./queries/', import.meta.url));

export function loadNamedQueries(dir: string = NAMED_QUERIES_DIR): readonly NamedQuery[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8').trim();
      const first = sql.split('\n', 1)[0] ?? '';
      if (!first.startsWith('-- '))
        throw new Error(`named query ${file} must start with a '-- description' comment line`);
      return { name: basename(file, '.sql'), description: first.slice(3).trim(), sql };
    });
}
