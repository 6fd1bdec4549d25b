/**
 * Provenance: the hash is SHA-256 of the RFC 8785 canonical JSON of
 * {agent_id, agent_version, input (parsed, with defaults), factors (id, dataset, dataset_version)},
 * so the same agent version, input and factor versions always reproduce it, and nothing
 * run-specific (time, order of keys) goes in.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildingEnergyAgent } from '../../lib/agents/building-energy/index.js';
import { fuelEmissionsAgent } from '../../lib/agents/fuel-emissions/index.js';
import { runAgent } from '../../lib/agents/runner.js';
import type { Agent, AgentResult } from '../../lib/agents/types.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import type { EmissionFactor } from '../../lib/factors/types.js';

const PERIOD = { start: '2024-01-01', end: '2024-12-31' };
const GAS_2024 = 'desnz/2024/fuel/natural-gas/gb/kwh-gross';

const fuelInput = () => ({
  lines: [
    { fuel: 'Natural gas', quantity: 1000, unit: 'kWh', period: { ...PERIOD } },
    { fuel: 'diesel', quantity: 250, unit: 'litres', use: 'mobile', period: { ...PERIOD } },
  ],
});

const buildingInput = () => ({
  floor_area: { value: 10_000, unit: 'ft2' },
  property_type: 'K-12 School',
  location: { country: 'US', egrid_subregion: 'CAMX' },
  year: 2024,
  energy: [
    { carrier: 'electricity', quantity: 100_000, unit: 'kWh' },
    { carrier: 'natural_gas', quantity: 1000, unit: 'therm' },
  ],
});

async function ok<I, O>(agent: Agent<I, O>, input: unknown, factors = FactorCatalogue.builtin()) {
  const r: AgentResult<O> = await runAgent(agent, input, { factors });
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.issues)}`);
  return r.output;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A copy of the built-in catalogue with one factor replaced. */
function catalogueWith(id: string, change: (f: EmissionFactor) => EmissionFactor): FactorCatalogue {
  const builtin = FactorCatalogue.builtin();
  expect(builtin.get(id)).toBeDefined();
  return new FactorCatalogue(
    builtin.all().map((f) => (f.id === id ? change(f) : f)),
    builtin.datasets(),
  );
}

afterEach(() => {
  vi.useRealTimers();
});

describe('provenance: reproducible', () => {
  it('same input gives the same hash and an identical output on every run', async () => {
    const a = await ok(fuelEmissionsAgent, fuelInput());
    const b = await ok(fuelEmissionsAgent, fuelInput());
    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.provenance.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.provenance.algorithm).toBe('sha256/rfc8785');
  });

  it('a fresh catalogue built from the same factors gives the same output and hash', async () => {
    const builtin = FactorCatalogue.builtin();
    const fresh = new FactorCatalogue([...builtin.all()], [...builtin.datasets()]);
    expect(fresh).not.toBe(builtin);
    expect(await ok(fuelEmissionsAgent, fuelInput(), fresh)).toEqual(
      await ok(fuelEmissionsAgent, fuelInput()),
    );
    expect(await ok(buildingEnergyAgent, buildingInput(), fresh)).toEqual(
      await ok(buildingEnergyAgent, buildingInput()),
    );
  });

  it('the order of keys in the input does not change the hash (RFC 8785)', async () => {
    const reordered = {
      lines: [
        {
          period: { end: PERIOD.end, start: PERIOD.start },
          unit: 'kWh',
          quantity: 1000,
          fuel: 'Natural gas',
        },
        {
          use: 'mobile',
          period: { end: PERIOD.end, start: PERIOD.start },
          unit: 'litres',
          quantity: 250,
          fuel: 'diesel',
        },
      ],
    };
    const a = await ok(fuelEmissionsAgent, fuelInput());
    const b = await ok(fuelEmissionsAgent, reordered);
    expect(b.provenance.hash).toBe(a.provenance.hash);

    const building = buildingInput();
    const buildingReordered = {
      energy: building.energy.map((e) => ({ unit: e.unit, quantity: e.quantity, carrier: e.carrier })),
      year: 2024,
      location: { egrid_subregion: 'CAMX', country: 'US' },
      property_type: 'K-12 School',
      floor_area: { unit: 'ft2', value: 10_000 },
    };
    expect((await ok(buildingEnergyAgent, buildingReordered)).provenance.hash).toBe(
      (await ok(buildingEnergyAgent, building)).provenance.hash,
    );
  });

  it('defaults written out explicitly hash the same as defaults left out (the parsed input is hashed)', async () => {
    const explicit = {
      factor_source: 'DESNZ',
      basis: 'gross',
      lines: fuelInput().lines.map((l) => ({ use: 'stationary', ...l })),
    };
    const a = await ok(fuelEmissionsAgent, fuelInput());
    expect((await ok(fuelEmissionsAgent, explicit)).provenance.hash).toBe(a.provenance.hash);
  });

  it('the hash does not depend on the clock', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2001-02-03T04:05:06Z'));
    const early = await ok(fuelEmissionsAgent, fuelInput());
    vi.setSystemTime(new Date('2039-12-31T23:59:59Z'));
    const late = await ok(fuelEmissionsAgent, fuelInput());
    expect(late).toEqual(early);
  });
});

describe('provenance: sensitive to what matters', () => {
  it('a changed quantity changes the hash', async () => {
    const changed = fuelInput();
    changed.lines[0]!.quantity = 1001;
    const a = await ok(fuelEmissionsAgent, fuelInput());
    const b = await ok(fuelEmissionsAgent, changed);
    expect(b.provenance.hash).not.toBe(a.provenance.hash);
  });

  it('a changed building input changes the hash', async () => {
    const changed = { ...buildingInput(), year: 2025 };
    const a = await ok(buildingEnergyAgent, buildingInput());
    const b = await ok(buildingEnergyAgent, changed);
    expect(b.provenance.hash).not.toBe(a.provenance.hash);
  });

  it('a changed factor dataset version changes the hash for the same input', async () => {
    const revised = catalogueWith(GAS_2024, (f) => ({
      ...f,
      id: 'desnz/2024-rev1/fuel/natural-gas/gb/kwh-gross',
      datasetVersion: '2024-rev1',
    }));
    const a = await ok(fuelEmissionsAgent, fuelInput());
    const b = await ok(fuelEmissionsAgent, fuelInput(), revised);
    // same published value, so the same emissions ...
    expect(b.totals).toEqual(a.totals);
    // ... but a different factor version cited, so a different hash
    expect(b.provenance.factors[0]).toEqual({
      id: 'desnz/2024-rev1/fuel/natural-gas/gb/kwh-gross',
      dataset: 'desnz-ghg-conversion-factors',
      dataset_version: '2024-rev1',
    });
    expect(b.provenance.hash).not.toBe(a.provenance.hash);
  });

  it('a different factor year chosen by the period end changes the cited factors', async () => {
    const input2023 = {
      lines: [
        {
          fuel: 'Natural gas',
          quantity: 1000,
          unit: 'kWh',
          period: { start: '2023-01-01', end: '2023-12-31' },
        },
      ],
    };
    const out = await ok(fuelEmissionsAgent, input2023);
    expect(out.provenance.factors).toEqual([
      {
        id: 'desnz/2023/fuel/natural-gas/gb/kwh-gross',
        dataset: 'desnz-ghg-conversion-factors',
        dataset_version: '2023',
      },
    ]);
  });
});

describe('provenance: independently recomputed', () => {
  it('fuel-emissions hash = sha256(canonical JSON of agent, parsed input with defaults, factor refs)', async () => {
    const out = await ok(fuelEmissionsAgent, fuelInput());
    // the parsed input, written out by hand: defaults filled in (factor_source, basis, use)
    const parsed = {
      factor_source: 'DESNZ',
      basis: 'gross',
      lines: [
        { fuel: 'Natural gas', quantity: 1000, unit: 'kWh', use: 'stationary', period: PERIOD },
        { fuel: 'diesel', quantity: 250, unit: 'litres', use: 'mobile', period: PERIOD },
      ],
    };
    const factors = [
      { id: GAS_2024, dataset: 'desnz-ghg-conversion-factors', dataset_version: '2024' },
      {
        id: 'desnz/2024/fuel/diesel-average-biofuel-blend/gb/l',
        dataset: 'desnz-ghg-conversion-factors',
        dataset_version: '2024',
      },
    ];
    const canonical = canonicalize({
      agent_id: 'fuel-emissions',
      agent_version: '1.0.0',
      input: parsed,
      factors,
    });
    expect(canonical).toBeTypeOf('string');
    expect(out.provenance).toEqual({
      agent_id: 'fuel-emissions',
      agent_version: '1.0.0',
      factors,
      hash: sha256(canonical!),
      algorithm: 'sha256/rfc8785',
    });
  });

  it('building-energy hash = sha256(canonical JSON of agent, parsed input, factor refs in order of use)', async () => {
    const out = await ok(buildingEnergyAgent, buildingInput());
    const es = (id: string) => ({
      id: `energy-star/2023-08/building/${id}`,
      dataset: 'energy-star-portfolio-manager',
      dataset_version: '2023-08',
    });
    const factors = [
      es('source-site-ratio/electricity-grid/us/kbtu'),
      es('source-site-ratio/natural-gas/us/kbtu'),
      es('median-eui/source/k-12-school/us/ft2'),
      es('median-eui/site/k-12-school/us/ft2'),
      {
        id: 'egrid/2023-rev2/electricity/grid/us-egrid-camx/kwh',
        dataset: 'egrid',
        dataset_version: '2023-rev2',
      },
      {
        id: 'epa-hub/2025/fuel/natural-gas/us/mmbtu-gross',
        dataset: 'epa-ghg-emission-factors-hub',
        dataset_version: '2025',
      },
    ];
    const canonical = canonicalize({
      agent_id: 'building-energy',
      agent_version: '1.0.0',
      input: buildingInput(),
      factors,
    });
    expect(out.provenance.factors).toEqual(factors);
    expect(out.provenance.hash).toBe(sha256(canonical!));
  });
});

describe('provenance: no run-specific data', () => {
  it('holds exactly agent, version, factor refs, hash and algorithm; no timestamps', async () => {
    for (const out of [
      await ok(fuelEmissionsAgent, fuelInput()),
      await ok(buildingEnergyAgent, buildingInput()),
    ]) {
      expect(Object.keys(out.provenance).sort()).toEqual([
        'agent_id',
        'agent_version',
        'algorithm',
        'factors',
        'hash',
      ]);
      for (const f of out.provenance.factors)
        expect(Object.keys(f).sort()).toEqual(['dataset', 'dataset_version', 'id']);
      const text = JSON.stringify(out.provenance);
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/); // ISO date-time
      expect(text).not.toMatch(/\b1\d{12}\b/); // epoch milliseconds
      expect(text.toLowerCase()).not.toMatch(/time|date|run_?id|created/);
    }
  });
});
