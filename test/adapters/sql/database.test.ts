import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseOptionsFromEnv, openDatabase } from '../../../lib/adapters/sql/database.js';
import { loadMigrations } from '../../../lib/adapters/sql/migrator.js';

describe('openDatabase', () => {
  it('keeps PGlite data on disk across restarts and does not re-apply migrations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glaf-pg-'));
    try {
      const first = await openDatabase({ dataDir: dir });
      const id = await first.scope.withAdmin(async (tx) => {
        const { rows } = await tx.query<{ id: string }>(
          "insert into tenants (slug, name, tier, home_region) values ('disk', 'Disk', 'pool', 'eu-west-1') returning id",
        );
        return rows[0]!.id;
      });
      await first.close();

      const second = await openDatabase({ dataDir: dir });
      const slugs = await second.scope.withTenant(
        id,
        async (tx) => (await tx.query('select slug from tenants')).rows,
      );
      const applied = await second.client.query('select version from schema_migrations');
      await second.close();
      expect(slugs).toEqual([{ slug: 'disk' }]);
      expect(applied.rowCount).toBe(loadMigrations().length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads its options from the environment', () => {
    expect(databaseOptionsFromEnv({ DATABASE_URL: 'postgres://x@h/db', GLAF_DB_ROLE_PREFIX: 'p' })).toEqual({
      databaseUrl: 'postgres://x@h/db',
      rolePrefix: 'p',
    });
    expect(databaseOptionsFromEnv({})).toEqual({});
  });
});
