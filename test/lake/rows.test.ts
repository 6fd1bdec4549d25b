/** Row builders (pure) and the local Parquet sink's guards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParquetLakeSink } from '../../lib/adapters/local/parquet-lake-sink.js';
import { buildingEnergyAgent } from '../../lib/agents/building-energy/index.js';
import { declarativeAgents } from '../../lib/agents/declarative/index.js';
import { runAgent } from '../../lib/agents/runner.js';
import type { Agent } from '../../lib/agents/types.js';
import type { Execution } from '../../lib/domain/execution.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import { rowsOfAudit, rowsOfExecution } from '../../lib/lake/rows.js';
import { LAKE_TABLES } from '../../lib/lake/tables.js';
import { mergePartitions } from '../../lib/services/lake-writer.js';

const TENANT = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const base: Execution = {
  tenantId: TENANT,
  executionId: 'e-1',
  agentId: 'fuel-emissions',
  agentVersion: '1.0.0',
  status: 'PENDING',
  input: { lines: [] },
  priority: 2,
  attempts: 0,
  requestHash: 'h',
  createdAt: '2026-02-01T23:59:59.500Z',
  updatedAt: '2026-02-02T00:00:00.000Z',
  expiresAt: 0,
};

async function completed(agent: Agent, input: unknown): Promise<Execution> {
  const r = await runAgent(agent, input, { factors: FactorCatalogue.builtin() });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return {
    ...base,
    agentId: agent.id,
    agentVersion: agent.version,
    status: 'COMPLETED',
    input,
    output: r.output,
  };
}

describe('rowsOfExecution', () => {
  it('writes nothing for an execution that has not ended', () => {
    expect(rowsOfExecution(base)).toEqual([]);
    expect(rowsOfExecution({ ...base, status: 'RUNNING', attempts: 1 })).toEqual([]);
  });

  it('a FAILED execution is one executions row with its error code and no line items', () => {
    const out = rowsOfExecution({
      ...base,
      status: 'FAILED',
      attempts: 1,
      error: { code: 'validation_failed', message: 'x' },
    });
    expect(out).toEqual([
      {
        table: 'executions',
        tenantId: TENANT,
        dt: '2026-02-02',
        rows: [
          expect.objectContaining({
            status: 'FAILED',
            error_code: 'validation_failed',
            line_items: 0,
            co2e_kg: null,
            duration_ms: 500,
            provenance_hash: null,
          }),
        ],
      },
    ]);
  });

  it('every row has exactly the columns of its table', async () => {
    const e = await completed(buildingEnergyAgent, {
      floor_area: { value: 1000, unit: 'm2' },
      property_type: 'financial-office',
      location: { country: 'US' },
      year: 2024,
      energy: [
        { carrier: 'electricity', quantity: 1000, unit: 'kWh' },
        { carrier: 'natural_gas', quantity: 10, unit: 'MMBtu' },
      ],
    });
    for (const b of rowsOfExecution(e)) {
      const table = LAKE_TABLES.find((t) => t.name === b.table)!;
      for (const row of b.rows)
        expect(Object.keys(row).sort()).toEqual(table.columns.map((c) => c.name).sort());
    }
  });

  it('building energy: one row per energy line, scope and factor as the agent reported them', async () => {
    const e = await completed(buildingEnergyAgent, {
      floor_area: { value: 1000, unit: 'm2' },
      property_type: 'financial-office',
      location: { country: 'US' },
      year: 2024,
      energy: [
        { carrier: 'electricity', quantity: 1000, unit: 'kWh' },
        { carrier: 'natural_gas', quantity: 10, unit: 'MMBtu' },
      ],
    });
    const out = e.output as {
      emissions: { lines: { scope: number; factor_id: string | null; co2e_kg: number }[] };
    };
    const rows = rowsOfExecution(e).find((b) => b.table === 'emission_results')!.rows;
    expect(
      rows.map((r) => [
        r['activity'],
        r['scope'],
        r['factor_id'],
        r['co2e_kg'],
        r['quantity'],
        r['unit'],
        r['activity_date'],
      ]),
    ).toEqual([
      [
        'electricity',
        out.emissions.lines[0]!.scope,
        out.emissions.lines[0]!.factor_id,
        out.emissions.lines[0]!.co2e_kg,
        1000,
        'kWh',
        '2024-12-31',
      ],
      [
        'natural_gas',
        out.emissions.lines[1]!.scope,
        out.emissions.lines[1]!.factor_id,
        out.emissions.lines[1]!.co2e_kg,
        10,
        'MMBtu',
        '2024-12-31',
      ],
    ]);
    expect(rows.every((r) => typeof r['dataset_version'] === 'string')).toBe(true);
  });

  it('declarative agents: one row per scope total in kg CO2e, dated by asOf', async () => {
    const elec = declarativeAgents().find((a) => a.id === 'uk-electricity-location-based')!;
    const e = await completed(elec, { asOf: '2024-06-30', lines: [{ quantity: 10, unit: 'kWh' }] });
    const totals = (e.output as { totals: Record<string, { value: number }> }).totals;
    const rows = rowsOfExecution(e).find((b) => b.table === 'emission_results')!.rows;
    expect(
      rows.map((r) => [r['category'], r['scope'], r['co2e_kg'], r['activity_date'], r['factor_id']]),
    ).toEqual([
      ['scope2_location_based', 2, totals['scope2_location_based']!.value, '2024-06-30', null],
      ['scope3_cat3_td_losses', 3, totals['scope3_cat3_td_losses']!.value, '2024-06-30', null],
    ]);
  });

  it('an output that does not match the agent schema writes the executions row only', () => {
    const out = rowsOfExecution({
      ...base,
      status: 'COMPLETED',
      attempts: 1,
      agentId: 'cbam',
      output: { lines: 'nope' },
    });
    expect(out.map((b) => b.table)).toEqual(['executions']);
  });
});

describe('rowsOfAudit and mergePartitions', () => {
  it('an audit entry is one row with canonical JSON data, partitioned by its day', () => {
    const b = rowsOfAudit({
      tenantId: TENANT,
      seq: 3,
      occurredAt: '2026-05-06T07:08:09.010Z',
      actor: 'u',
      action: 'a.b',
      target: 't',
      data: { z: 1, a: 2 },
      prevHash: 'p',
      hash: 'h',
    });
    expect(b).toEqual({
      table: 'audit_events',
      tenantId: TENANT,
      dt: '2026-05-06',
      rows: [
        {
          seq: 3,
          occurred_at: '2026-05-06T07:08:09.010Z',
          actor: 'u',
          action: 'a.b',
          target: 't',
          data_json: '{"a":2,"z":1}',
          prev_hash: 'p',
          hash: 'h',
        },
      ],
    });
  });

  it('merges batches of the same table, tenant and day, keeping row order', () => {
    const m = mergePartitions([
      { table: 'executions', tenantId: 'a', dt: '2026-01-01', rows: [{ n: 1 }] },
      { table: 'executions', tenantId: 'b', dt: '2026-01-01', rows: [{ n: 2 }] },
      { table: 'executions', tenantId: 'a', dt: '2026-01-01', rows: [{ n: 3 }] },
      { table: 'executions', tenantId: 'a', dt: '2026-01-02', rows: [] },
    ]);
    expect(m.map((b) => [b.tenantId, b.rows.map((r) => r['n'])])).toEqual([
      ['a', [1, 3]],
      ['b', [2]],
    ]);
  });
});

describe('ParquetLakeSink guards', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glaf-sink-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a tenant id that would leave its partition, and a value of the wrong type', async () => {
    const sink = await ParquetLakeSink.open(dir);
    try {
      await expect(
        sink.write([
          { table: 'executions', tenantId: '../other', dt: '2026-01-01', rows: [{ execution_id: 'x' }] },
        ]),
      ).rejects.toThrow(/not a tenant id/);
      await expect(
        sink.write([
          { table: 'executions', tenantId: TENANT, dt: '2026-01-01', rows: [{ priority: 'high' }] },
        ]),
      ).rejects.toThrow(/priority \(int\) cannot hold "high"/);
      // Positive control: a well-formed batch is written.
      await expect(
        sink.write([
          {
            table: 'executions',
            tenantId: TENANT,
            dt: '2026-01-01',
            rows: [{ execution_id: 'x', priority: 1 }],
          },
        ]),
      ).resolves.toBeUndefined();
    } finally {
      await sink.close();
    }
  });
});
