/**
 * Tenant isolation of the local lake runner (the Lake Formation row filter's stand-in), its
 * refusals of hostile SQL, and `agent-factory query` (formats, bad input, exit codes), over a
 * fixture lake made by the real pipeline. Every refusal has a positive control: the same
 * kind of query on the caller's own data works.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeQueryEngine } from '../../lib/adapters/local/lake-query-engine.js';
import type { Out } from '../../lib/cli/commands.js';
import { queryCommand } from '../../lib/cli/query.js';
import { LakeQueryRefusedError } from '../../lib/lake/errors.js';
import { loadNamedQueries } from '../../lib/lake/named-queries.js';
import { buildLakeFixture, type LakeFixture } from './fixture.js';

let fx: LakeFixture;
let asA: LakeQueryEngine;
let asB: LakeQueryEngine;

beforeAll(async () => {
  fx = await buildLakeFixture();
  asA = await LakeQueryEngine.open(fx.lakeDir, { tenantId: fx.a.id });
  asB = await LakeQueryEngine.open(fx.lakeDir, { tenantId: fx.b.id });
}, 120_000);

afterAll(async () => {
  asA?.close();
  asB?.close();
  await fx?.close();
});

const fileOf = (tenantId: string, table = 'executions'): string => {
  const dir = join(fx.lakeDir, table, `tenant_id=${tenantId}`);
  const f = readdirSync(dir, { recursive: true })
    .map(String)
    .find((x) => x.endsWith('.parquet'));
  if (!f) throw new Error(`no ${table} file for ${tenantId}`);
  return join(dir, f);
};

describe('tenant scope', () => {
  it('each tenant sees only its own rows', async () => {
    const a = await asA.query('SELECT DISTINCT tenant_id FROM executions');
    const b = await asB.query('SELECT DISTINCT tenant_id FROM executions');
    expect(a.rows).toEqual([{ tenant_id: fx.a.id }]);
    expect(b.rows).toEqual([{ tenant_id: fx.b.id }]);
    const bCount = await asB.query('SELECT count(*) AS n FROM executions');
    expect(bCount.rows).toEqual([{ n: fx.b.executions.length }]);
  });

  it("a filter on the other tenant's id finds nothing (the rows are not there to filter)", async () => {
    const own = await asA.query(`SELECT count(*) AS n FROM emission_results WHERE tenant_id = '${fx.a.id}'`);
    const other = await asA.query(
      `SELECT count(*) AS n FROM emission_results WHERE tenant_id = '${fx.b.id}'`,
    );
    expect(Number(own.rows[0]!['n'])).toBeGreaterThan(0);
    expect(other.rows).toEqual([{ n: 0 }]);
  });

  it('--all-tenants (platform admin) sees both tenants', async () => {
    const all = await LakeQueryEngine.open(fx.lakeDir, { allTenants: true });
    try {
      const r = await all.query(
        'SELECT tenant_id, count(*) AS n FROM executions GROUP BY tenant_id ORDER BY n DESC',
      );
      expect(r.rows).toEqual([
        { tenant_id: fx.a.id, n: fx.a.executions.length },
        { tenant_id: fx.b.id, n: fx.b.executions.length },
      ]);
    } finally {
      all.close();
    }
  });
});

describe('hostile SQL as tenant A', () => {
  it("read_parquet of tenant B's file is refused; of A's own file it works", async () => {
    const own = await asA.query(`SELECT count(*) AS n FROM read_parquet('${fileOf(fx.a.id)}')`);
    expect(Number(own.rows[0]!['n'])).toBeGreaterThan(0);
    await expect(asA.query(`SELECT * FROM read_parquet('${fileOf(fx.b.id)}')`)).rejects.toThrow(
      LakeQueryRefusedError,
    );
  });

  it("a path that climbs out of A's partition into B's is refused", async () => {
    const climb =
      join(fx.lakeDir, 'executions', `tenant_id=${fx.a.id}`) + `/../tenant_id=${fx.b.id}/*/*.parquet`;
    await expect(asA.query(`SELECT * FROM read_parquet('${climb}')`)).rejects.toThrow(LakeQueryRefusedError);
  });

  it('globbing the lake, reading system files and nested query() are refused', async () => {
    for (const sql of [
      `SELECT * FROM glob('${fx.lakeDir}/**')`,
      "SELECT * FROM read_text('/etc/hostname')",
      `SELECT * FROM query('SELECT * FROM read_parquet(''${fileOf(fx.b.id)}'')')`,
    ]) {
      await expect(asA.query(sql)).rejects.toThrow(LakeQueryRefusedError);
    }
  });

  it('ATTACH, COPY, INSERT, CREATE, SET, PRAGMA, INSTALL/LOAD and several statements are refused', async () => {
    const out = join(tmpdir(), `glaf-lake-copy-${process.pid}.csv`);
    for (const sql of [
      `ATTACH '${join(fx.t.dataDir, 'other.duckdb')}' AS other`,
      `COPY (SELECT * FROM executions) TO '${out}'`,
      'INSERT INTO executions SELECT * FROM executions',
      'CREATE TABLE stolen AS SELECT * FROM executions',
      'SET enable_external_access = true',
      'PRAGMA enable_profiling',
      'INSTALL httpfs',
      'LOAD httpfs',
      'SELECT 1; SELECT 2',
    ]) {
      await expect(asA.query(sql)).rejects.toThrow(LakeQueryRefusedError);
    }
    expect(existsSync(out)).toBe(false);
    // Positive control: a plain read-only query in the same session still runs.
    expect((await asA.query('SELECT count(*) AS n FROM executions')).rows).toEqual([
      { n: fx.a.executions.length },
    ]);
  });
});

function capture(): Out & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

describe('agent-factory query', () => {
  const opts = (extra: Record<string, unknown> = {}) => ({
    tenant: 'lake-a',
    format: 'json',
    dataDir: fx.t.dataDir,
    ...extra,
  });

  it('runs a named query for a tenant named by slug (json)', async () => {
    const o = capture();
    expect(await queryCommand(o, 'tenant_usage', opts())).toBe(0);
    const rows = JSON.parse(o.out.join('\n')) as { tenant_id: string; executions: number }[];
    expect(rows.map((r) => [r.tenant_id, r.executions])).toEqual([[fx.a.id, fx.a.executions.length]]);
  });

  it('prints csv with a header row and quoted fields', async () => {
    const o = capture();
    const code = await queryCommand(o, "SELECT 'a,b' AS x, 2 AS y, NULL AS z", opts({ format: 'csv' }));
    expect(code).toBe(0);
    expect(o.out.join('\n')).toBe('x,y,z\n"a,b",2,');
  });

  it('prints an aligned table', async () => {
    const o = capture();
    expect(await queryCommand(o, 'cache_hit_ratio', opts({ format: 'table' }))).toBe(0);
    const lines = o.out.join('\n').split('\n');
    expect(lines[0]).toMatch(/^agent_id\s+completed\s+cache_hits\s+hit_ratio$/);
    expect(lines.find((l) => l.startsWith('fuel-emissions'))).toMatch(/^fuel-emissions\s+2\s+1\s+0\.5$/);
  });

  it('an unknown query name lists the named queries (exit 2)', async () => {
    const o = capture();
    expect(await queryCommand(o, 'emissions_by_galaxy', opts())).toBe(2);
    expect(o.err.join('\n')).toContain(
      `Unknown query 'emissions_by_galaxy'. Named queries: ${loadNamedQueries()
        .map((q) => q.name)
        .join(', ')}`,
    );
  });

  it('SQL that writes or reads outside the lake is refused (exit 1)', async () => {
    const o = capture();
    expect(await queryCommand(o, 'DELETE FROM executions', opts())).toBe(1);
    expect(await queryCommand(o, "SELECT * FROM read_csv('/etc/passwd')", opts())).toBe(1);
    expect(o.err[0]).toMatch(/^Refused: only a read-only SELECT/);
    expect(o.err[1]).toMatch(/^Refused: the query reads outside the lake tables/);
  });

  it('a missing lake says how to produce data (exit 1)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'glaf-nolake-'));
    try {
      const o = capture();
      expect(await queryCommand(o, 'tenant_usage', opts({ tenant: fx.a.id, dataDir: empty }))).toBe(1);
      expect(o.err.join('\n')).toMatch(/No lake at .*Run executions to fill it: `npm start`/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('needs --tenant or an explicit --all-tenants, a known tenant and a known format (exit 2)', async () => {
    const o = capture();
    expect(await queryCommand(o, 'tenant_usage', { format: 'json', dataDir: fx.t.dataDir })).toBe(2);
    expect(await queryCommand(o, 'tenant_usage', opts({ tenant: 'no-such-tenant' }))).toBe(2);
    expect(await queryCommand(o, 'tenant_usage', opts({ format: 'xml' }))).toBe(2);
    expect(o.err[0]).toMatch(/--tenant <slug>.*--all-tenants/);
    expect(o.err[1]).toMatch(/No tenant 'no-such-tenant'/);
    expect(o.err[2]).toMatch(/Unknown format 'xml'/);
    const all = capture();
    expect(
      await queryCommand(all, 'tenant_usage', { allTenants: true, format: 'json', dataDir: fx.t.dataDir }),
    ).toBe(0);
    expect((JSON.parse(all.out.join('')) as unknown[]).length).toBe(2);
  });
});
