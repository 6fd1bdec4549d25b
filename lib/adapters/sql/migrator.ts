/**
 * Forward-only migrations: `NNNN_name.sql` files applied in order, each recorded with the
 * SHA-256 of its text in `schema_migrations`. The whole run holds a transaction-scoped
 * advisory lock, so two processes starting at once apply each file exactly once (the second
 * waits, then finds nothing to do). Editing an applied file is an error, never a re-run.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DbRoles, SqlClient } from '../../ports/sql.js';
import { ensureRolesSql } from './roles.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Arbitrary constant shared by every migrator of this schema. */
const LOCK_KEY = 726_451_903;

export interface Migration {
  readonly version: string;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const m = FILE_RE.exec(file);
      if (!m) throw new MigrationError(`Migration file '${file}' must be named NNNN_name.sql (lower case)`);
      const sql = readFileSync(`${dir}/${file}`, 'utf8');
      return {
        version: m[1]!,
        name: m[2]!,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

/** Role placeholders in migration files; the checksum covers the raw text. */
function render(sql: string, roles: DbRoles): string {
  return sql
    .replaceAll('{{app_role}}', roles.app)
    .replaceAll('{{admin_role}}', roles.admin)
    .replaceAll('{{owner_role}}', roles.owner);
}

export interface MigrateResult {
  readonly applied: string[];
  readonly alreadyApplied: string[];
}

export async function migrate(
  client: SqlClient,
  roles: DbRoles,
  migrations: readonly Migration[] = loadMigrations(),
): Promise<MigrateResult> {
  return client.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.exec(ensureRolesSql(roles));
    await tx.exec(`set local role ${roles.owner}`);
    await tx.exec(`create table if not exists schema_migrations (
      version text primary key, name text not null, checksum text not null,
      applied_at timestamptz not null default now())`);
    const { rows } = await tx.query<{ version: string; name: string; checksum: string }>(
      'select version, name, checksum from schema_migrations order by version',
    );
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of rows) {
      const file = known.get(row.version);
      if (!file) {
        throw new MigrationError(
          `Database has migration ${row.version}_${row.name} that this code does not know (newer deployment?)`,
        );
      }
      if (file.checksum !== row.checksum) {
        throw new MigrationError(
          `Migration ${row.version}_${row.name} was changed after it was applied ` +
            `(checksum ${row.checksum.slice(0, 12)} in the database, ${file.checksum.slice(0, 12)} on disk); ` +
            'migrations are forward-only: add a new file instead',
        );
      }
    }
    const done = new Set(rows.map((r) => r.version));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await tx.exec(render(m.sql, roles));
      await tx.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
        m.version,
        m.name,
        m.checksum,
      ]);
      applied.push(`${m.version}_${m.name}`);
    }
    return { applied, alreadyApplied: rows.map((r) => `${r.version}_${r.name}`) };
  });
}
