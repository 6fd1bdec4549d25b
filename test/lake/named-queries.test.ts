/**
 * Every named query over a fixture lake made by the real local pipeline, checked against
 * the agents' own results; plus schema parity of the Parquet files with LAKE_TABLES and the
 * audit rows. The queries run through the tenant-scoped engine as tenant A.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckdbTypeOf } from '../../lib/adapters/local/duckdb-lake-types.js';
import { LakeQueryEngine, type LakeQueryResult } from '../../lib/adapters/local/lake-query-engine.js';
import { loadNamedQueries } from '../../lib/lake/named-queries.js';
import { LAKE_TABLES } from '../../lib/lake/tables.js';
import {
  agentTotalKg,
  cbamGroups,
  cbamOutputs,
  durationMs,
  emissionItems,
  eudrOutputs,
  groupSum,
  inputBytes,
} from './expected.js';
import { buildLakeFixture, type LakeFixture } from './fixture.js';

let fx: LakeFixture;
let engine: LakeQueryEngine;
const results = new Map<string, LakeQueryResult>();

beforeAll(async () => {
  fx = await buildLakeFixture();
  engine = await LakeQueryEngine.open(fx.lakeDir, { tenantId: fx.a.id });
  for (const q of loadNamedQueries()) results.set(q.name, await engine.named(q));
}, 120_000);

afterAll(async () => {
  engine?.close();
  await fx?.close();
});

const rowsOf = (name: string) => {
  const r = results.get(name);
  if (!r) throw new Error(`named query ${name} did not run`);
  return r.rows;
};

describe('the fixture', () => {
  it('ran every kind of agent, one repeat from the cache and one failure', () => {
    const a = fx.a.executions;
    expect(a.map((e) => `${e.agentId}:${e.status}`)).toEqual([
      'fuel-emissions:COMPLETED',
      'fuel-emissions:COMPLETED',
      'cbam:COMPLETED',
      'building-energy:COMPLETED',
      'eudr:COMPLETED',
      'uk-electricity-location-based:COMPLETED',
      'fuel-emissions:FAILED',
    ]);
    expect(a.map((e) => e.servedFromCache === true)).toEqual([
      false,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('named queries', () => {
  it('has the seven required queries, each with a description', () => {
    const names = loadNamedQueries().map((q) => q.name);
    expect(names).toEqual([
      'cache_hit_ratio',
      'cbam_quarterly_report',
      'emissions_by_scope_month',
      'eudr_risk_summary',
      'execution_slo',
      'tenant_usage',
      'top_emitters',
    ]);
    for (const q of loadNamedQueries()) expect(q.description.length).toBeGreaterThan(20);
  });

  it('emissions_by_scope_month: every (scope, month) sum equals the agents line items', () => {
    const expected = groupSum(emissionItems(fx.a.executions), (i) => `${String(i.scope)}|${i.month}`);
    const rows = rowsOf('emissions_by_scope_month');
    expect(rows.map((r) => `${String(r['scope'])}|${String(r['month'])}`).sort()).toEqual(
      [...expected.keys()].sort(),
    );
    for (const r of rows) {
      const g = expected.get(`${String(r['scope'])}|${String(r['month'])}`)!;
      expect(r['line_items']).toBe(g.count);
      expect(r['co2e_kg']).toBeCloseTo(g.co2e, 6);
    }
    // And in total, the agents' own totals (fuel x2, building, electricity).
    const total = rows.reduce((s, r) => s + Number(r['co2e_kg']), 0);
    expect(total).toBeCloseTo(agentTotalKg(fx.a.executions), 6);
  });

  it('top_emitters: sites and activities ranked by their summed CO2e', () => {
    const groups = [
      ...groupSum(
        emissionItems(fx.a.executions),
        (i) => `${i.site}|${i.activity}|${String(i.scope)}`,
      ).values(),
    ]
      .map((g) => ({
        site: g.first.site,
        activity: g.first.activity,
        scope: g.first.scope,
        count: g.count,
        co2e: g.co2e,
      }))
      .sort((x, y) => y.co2e - x.co2e || (x.site < y.site ? -1 : x.site > y.site ? 1 : 0))
      .slice(0, 20);
    const rows = rowsOf('top_emitters');
    expect(rows.map((r) => [r['site'], r['activity'], r['scope'], r['line_items']])).toEqual(
      groups.map((g) => [g.site, g.activity, g.scope, g.count]),
    );
    rows.forEach((r, i) => expect(r['co2e_kg']).toBeCloseTo(groups[i]!.co2e, 6));
    // The cached repeat counts: each fuel site appears twice.
    expect(rows.find((r) => r['site'] === 'boiler-house-gas-2024')?.['line_items']).toBe(2);
  });

  it('cbam_quarterly_report: mass, embedded emissions and certificates per CN code and origin', () => {
    const expected = cbamGroups(fx.a.executions);
    const rows = rowsOf('cbam_quarterly_report');
    expect(rows.map((r) => [r['quarter'], r['cn_code'], r['country_of_origin'], r['import_lines']])).toEqual(
      expected.map((g) => [g.quarter, g.cn_code, g.country_of_origin, g.import_lines]),
    );
    rows.forEach((r, i) => {
      expect(r['quantity_t']).toBeCloseTo(expected[i]!.quantity_t, 9);
      expect(r['total_tco2e']).toBeCloseTo(expected[i]!.total_tco2e, 9);
      expect(r['certificates_tco2e']).toBeCloseTo(expected[i]!.certificates_tco2e, 9);
    });
    // Against the agent's report totals.
    const [out] = cbamOutputs(fx.a.executions);
    expect(rows.reduce((s, r) => s + Number(r['total_tco2e']), 0)).toBeCloseTo(out!.totals.total_tco2e, 9);
    expect(rows.reduce((s, r) => s + Number(r['quantity_t']), 0)).toBeCloseTo(out!.totals.quantity_t, 9);
  });

  it('eudr_risk_summary: the check by commodity, country and risk level', () => {
    const [out] = eudrOutputs(fx.a.executions);
    expect(rowsOf('eudr_risk_summary')).toEqual([
      {
        commodity: out!.commodity,
        country_of_production: out!.country_of_production,
        risk_level: out!.risk_level,
        checks: 1,
        negligible_risk: out!.outcome === 'negligible_risk' ? 1 : 0,
        non_compliant: out!.outcome === 'non_compliant' ? 1 : 0,
        out_of_scope: out!.outcome === 'out_of_scope' ? 1 : 0,
        failed_check_items: out!.failed_checks.length,
        plots: out!.totals.plots,
        net_mass_kg: out!.statement.product.net_mass_kg,
      },
    ]);
  });

  it('execution_slo: outcomes, failure rate and latency per agent', () => {
    const rows = rowsOf('execution_slo');
    const agents = [...new Set(fx.a.executions.map((e) => e.agentId))].sort();
    expect(rows.map((r) => r['agent_id'])).toEqual(agents);
    for (const r of rows) {
      const mine = fx.a.executions.filter((e) => e.agentId === r['agent_id']);
      const failed = mine.filter((e) => e.status === 'FAILED').length;
      const durations = mine.map(durationMs);
      expect(r['executions']).toBe(mine.length);
      expect(r['completed']).toBe(mine.filter((e) => e.status === 'COMPLETED').length);
      expect(r['failed']).toBe(failed);
      expect(r['failure_rate']).toBeCloseTo(failed / mine.length, 12);
      expect(r['avg_duration_ms']).toBeCloseTo(durations.reduce((s, d) => s + d, 0) / durations.length, 9);
      expect(r['max_duration_ms']).toBe(Math.max(...durations));
      expect(Number(r['p50_duration_ms'])).toBeGreaterThanOrEqual(Math.min(...durations));
      expect(Number(r['p95_duration_ms'])).toBeLessThanOrEqual(Math.max(...durations));
    }
    expect(rows.find((r) => r['agent_id'] === 'fuel-emissions')?.['failure_rate']).toBeCloseTo(1 / 3, 12);
  });

  it('cache_hit_ratio: the repeated fuel input counts as a hit', () => {
    const rows = rowsOf('cache_hit_ratio');
    for (const r of rows) {
      const done = fx.a.executions.filter((e) => e.agentId === r['agent_id'] && e.status === 'COMPLETED');
      const hits = done.filter((e) => e.servedFromCache === true).length;
      expect([r['completed'], r['cache_hits']]).toEqual([done.length, hits]);
      expect(r['hit_ratio']).toBeCloseTo(hits / done.length, 12);
    }
    expect(rows.find((r) => r['agent_id'] === 'fuel-emissions')?.['hit_ratio']).toBe(0.5);
  });

  it('tenant_usage: only tenant A, with its executions, bytes, run time and line items', () => {
    const a = fx.a.executions;
    const month = a[0]!.updatedAt.slice(0, 7);
    expect(rowsOf('tenant_usage')).toEqual([
      {
        tenant_id: fx.a.id,
        month,
        executions: a.length,
        completed: a.filter((e) => e.status === 'COMPLETED').length,
        duration_ms: a.reduce((s, e) => s + durationMs(e), 0),
        input_bytes: a.reduce((s, e) => s + inputBytes(e), 0),
        output_bytes: a.reduce(
          (s, e) => s + (e.output === undefined ? 0 : Buffer.byteLength(JSON.stringify(e.output))),
          0,
        ),
        line_items: emissionItems(a).length,
      },
    ]);
  });
});

describe('the lake files', () => {
  it("have exactly LAKE_TABLES' columns and types (schema parity), partition keys only in the path", async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      for (const table of LAKE_TABLES) {
        const dir = join(fx.lakeDir, table.prefix, `tenant_id=${fx.a.id}`);
        const file = readdirSync(dir, { recursive: true })
          .map(String)
          .find((f) => f.endsWith('.parquet'));
        expect(file?.endsWith('.parquet') ? table.name : `no Parquet file for ${table.name}`).toBe(
          table.name,
        );
        const described = await c.runAndReadAll(
          `DESCRIBE SELECT * FROM read_parquet('${join(dir, file!)}', hive_partitioning = false)`,
        );
        const got = described.getRows().map((r) => `${r[0] as string} ${r[1] as string}`);
        expect({ table: table.name, columns: got }).toEqual({
          table: table.name,
          columns: table.columns.map((col) => `${col.name} ${duckdbTypeOf(col.type)}`),
        });
      }
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });

  it("hold the tenant's whole audit chain: onboarding's own entries (tenant.created) and the audit service's", async () => {
    const audit = await fx.t.call('GET', '/v1/audit', { token: fx.a.admin });
    expect(audit.status).toBe(200);
    const items = (audit.body as { items: { seq: number; action: string; hash: string }[] }).items;
    // tenant.created is written by onboarding inside the tenant's own transaction (not through
    // AuditService); the lake feed reads the log past its cursor, so it lands all the same.
    expect(items[0]?.action).toBe('tenant.created');
    expect(items.map((i) => i.action)).toContain('api_key.created');
    const r = await engine.query('SELECT seq, action, hash FROM audit_events ORDER BY seq');
    expect(r.rows).toEqual(items.map((i) => ({ seq: i.seq, action: i.action, hash: i.hash })));
  });
});
