/**
 * bench:db — the cost of row-level security on a real PostgreSQL server.
 *
 * Seeds 1,000 tenants x 1,000 rows (audit_log and tenant-custom emission_factors, 1M rows
 * each) in a throw-away database, then runs each tenant query two ways, interleaved:
 *   RLS     the app role inside withTenant(): policy predicate added by PostgreSQL
 *   no RLS  the BYPASSRLS admin role with an explicit WHERE tenant_id
 * Both ways use the same transaction shape (BEGIN, one set_config round trip, the query,
 * COMMIT), so the difference is the policy. Prints median latencies and the ratio.
 *
 * Needs TEST_DATABASE_URL or DATABASE_URL (a role that may CREATE DATABASE / CREATE ROLE).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../lib/adapters/sql/migrator.js';
import { createPgClient } from '../../lib/adapters/sql/pg-client.js';
import { rolesFor } from '../../lib/adapters/sql/roles.js';
import { createTenantScope } from '../../lib/adapters/sql/tenant-scope.js';
import type { SqlQueryable } from '../../lib/ports/sql.js';

const TENANTS = 1_000;
const ROWS_PER_TENANT = 1_000;
const WARMUP = 200;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2_000);

const baseUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!baseUrl) {
  console.error(
    'bench:db needs TEST_DATABASE_URL or DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)',
  );
  process.exit(2);
}

interface BenchQuery {
  readonly name: string;
  /** Run as the app role under withTenant: the policy adds its tenant predicate. */
  readonly rls: string;
  /** Run as the BYPASSRLS admin role: the tenant filter is explicit. $1 is the tenant id. */
  readonly plain: string;
  readonly params: (tenant: string) => unknown[];
  /** The RLS statement's parameters when it differs from `plain` (policy-only filtering). */
  readonly rlsParams?: (params: unknown[]) => unknown[];
}

const AUDIT_PAGE =
  'select seq, action, occurred_at from audit_log where tenant_id = $1 order by seq desc limit 50';
const AUDIT_AGG = 'select count(*)::int as n, max(occurred_at) as last from audit_log where tenant_id = $1';
const FACTOR_ON_DAY = `select factor_id, value from emission_factors
  where (tenant_id is null or tenant_id = $1) and activity = $2 and region = 'GB' and unit = 'kWh'
    and valid_from <= $3::date and (valid_to is null or valid_to >= $3::date) and deprecated_at is null
  order by (tenant_id is null), valid_from desc limit 5`;

/** The services' queries carry an explicit tenant filter and RLS re-checks it (same text both ways). */
const QUERIES: readonly BenchQuery[] = [
  { name: 'audit page (50 newest)', rls: AUDIT_PAGE, plain: AUDIT_PAGE, params: (t) => [t] },
  {
    name: 'audit page, RLS-only filter',
    rls: 'select seq, action, occurred_at from audit_log order by seq desc limit 50',
    plain: AUDIT_PAGE,
    params: (t) => [t],
    rlsParams: () => [],
  },
  { name: 'audit aggregate (1,000 rows)', rls: AUDIT_AGG, plain: AUDIT_AGG, params: (t) => [t] },
  {
    name: 'factor valid on a day',
    rls: FACTOR_ON_DAY,
    plain: FACTOR_ON_DAY,
    params: (t) => [t, `fuel/f${Math.floor(Math.random() * 100)}`, '2024-03-31'],
  },
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

async function main(): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const dbName = `glaf_bench_${suffix}`;
  const roles = rolesFor(`glafb${suffix}`);
  const url = new URL(baseUrl!);
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  url.pathname = `/${dbName}`;
  const client = createPgClient({ connectionString: url.toString(), max: 1 });
  try {
    const started = Date.now();
    await migrate(client, roles);
    await seed(client);
    console.log(
      `seeded ${TENANTS} tenants x ${ROWS_PER_TENANT} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    const scope = createTenantScope(client, roles);
    const tenants = (await client.query<{ id: string }>('select id from tenants')).rows.map((r) => r.id);
    const pick = (): string => tenants[Math.floor(Math.random() * tenants.length)]!;

    const t = pick();
    // EXPLAIN takes no bind parameters: the tenant id is inlined (it came from the database).
    const plan = await scope.withTenant(t, (tx) =>
      tx.query<{ 'QUERY PLAN': string }>(`explain ${AUDIT_PAGE.replace('$1', () => `'${t}'::uuid`)}`),
    );
    console.log(
      `plan of "${QUERIES[0]!.name}" under RLS:\n  ${plan.rows.map((r) => r['QUERY PLAN']).join('\n  ')}`,
    );

    const rows: string[][] = [];
    for (const q of QUERIES) {
      const timed = async (tx: SqlQueryable, sql: string, params: unknown[]): Promise<number> => {
        const t0 = process.hrtime.bigint();
        await tx.query(sql, params);
        return Number(process.hrtime.bigint() - t0) / 1e6;
      };
      const withRls = { tx: [] as number[], q: [] as number[] };
      const without = { tx: [] as number[], q: [] as number[] };
      for (let i = 0; i < WARMUP + SAMPLES; i++) {
        const tenant = pick();
        const params = q.params(tenant);
        // Alternate which goes first so drift (cache, autovacuum) hits both equally.
        const order = i % 2 === 0 ? ['rls', 'plain'] : ['plain', 'rls'];
        for (const way of order) {
          const t0 = process.hrtime.bigint();
          const queryMs =
            way === 'rls'
              ? await scope.withTenant(tenant, (tx) =>
                  timed(tx, q.rls, q.rlsParams ? q.rlsParams(params) : params),
                )
              : await scope.withAdmin((tx) => timed(tx, q.plain, params));
          const txMs = Number(process.hrtime.bigint() - t0) / 1e6;
          if (i < WARMUP) continue;
          const bucket = way === 'rls' ? withRls : without;
          bucket.tx.push(txMs);
          bucket.q.push(queryMs);
        }
      }
      rows.push([
        q.name,
        median(without.q).toFixed(3),
        median(withRls.q).toFixed(3),
        `${((median(withRls.q) / median(without.q) - 1) * 100).toFixed(1)} %`,
        median(without.tx).toFixed(3),
        median(withRls.tx).toFixed(3),
        `${((median(withRls.tx) / median(without.tx) - 1) * 100).toFixed(1)} %`,
        `${p95(without.q).toFixed(3)} / ${p95(withRls.q).toFixed(3)}`,
      ]);
    }
    printTable(
      [
        'query',
        'no RLS ms',
        'RLS ms',
        'RLS cost',
        'no RLS tx ms',
        'RLS tx ms',
        'tx cost',
        'p95 query ms (no RLS / RLS)',
      ],
      rows,
    );
    console.log(
      `medians over ${SAMPLES} samples each (after ${WARMUP} warm-up), random tenant per sample; ` +
        '"query" = the statement alone, "tx" = BEGIN + set_config + statement + COMMIT. Aim: RLS cost < 15 %.',
    );
  } finally {
    await client.close();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    for (const r of [roles.app, roles.admin, roles.owner]) await admin.query(`drop role if exists ${r}`);
    await admin.end();
  }
}

async function seed(client: ReturnType<typeof createPgClient>): Promise<void> {
  // As the connecting (superuser) role: seeding is setup, not the thing measured.
  await client.exec(`
    insert into tenants (slug, name, tier, home_region)
      select 'bench-' || g, 'Bench ' || g, 'pool', 'eu-west-1' from generate_series(1, ${TENANTS}) g;
    insert into audit_log (tenant_id, seq, occurred_at, actor, action, target, data, prev_hash, hash)
      select t.id, g, now() - g * interval '1 minute', 'user:bench', 'bench.event', '', '{}'::jsonb,
             md5(t.id::text || g) || md5(g || t.id::text), md5(t.id::text || (g + 1)) || md5((g + 1) || t.id::text)
      from tenants t cross join generate_series(1, ${ROWS_PER_TENANT}) g;
    insert into emission_factors (tenant_id, factor_id, source, dataset, dataset_version, activity, name, region, unit,
                                  value_unit, value, valid_from, valid_to, citation)
      select t.id, 'custom/' || g, 'CUSTOM', 'bench', (2015 + g / 100)::text, 'fuel/f' || (g % 100), 'Fuel', 'GB', 'kWh',
             'kgCO2e', random(), make_date(2015 + g / 100, 1, 1), make_date(2015 + g / 100, 12, 31), 'bench'
      from tenants t cross join generate_series(1, ${ROWS_PER_TENANT}) g;
    insert into emission_factors (tenant_id, factor_id, source, dataset, dataset_version, activity, name, region, unit,
                                  value_unit, value, valid_from, valid_to, citation)
      select null, 'pub/' || y || '/' || a, 'PUB', 'bench', y::text, 'fuel/f' || a, 'Fuel', 'GB', 'kWh', 'kgCO2e', random(),
             make_date(y, 1, 1), make_date(y, 12, 31), 'bench'
      from generate_series(2015, 2025) y cross join generate_series(0, 99) a;
    analyze;`);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

await main();
