/** Bad input comes back as {path, message} issues that say how to fix it; nothing throws. */
import { describe, expect, it } from 'vitest';
import { NON_NEGATIVE_HINT } from '../../../lib/agents/numbers.js';
import { oneLine, runIssues, YEAR_2024 } from './fixtures.js';

const line = (over: Record<string, unknown>) => ({
  fuel: 'diesel',
  quantity: 10,
  unit: 'L',
  period: YEAR_2024,
  ...over,
});

describe('fuel-emissions bad input: numbers', () => {
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a numeric string', '10'],
    ['null', null],
  ])('rejects quantity %s', async (_label, quantity) => {
    const issues = await runIssues({ lines: [line({ quantity })] });
    expect(issues).toEqual([
      { path: 'lines.0.quantity', message: `expected a number; ${NON_NEGATIVE_HINT}` },
    ]);
  });

  it('rejects a negative quantity', async () => {
    const issues = await runIssues({ lines: [line({ quantity: -1 })] });
    expect(issues).toEqual([{ path: 'lines.0.quantity', message: `value ${NON_NEGATIVE_HINT}` }]);
    expect(issues[0]?.message).toContain('negative values are rejected');
  });

  it('points at the right line of several', async () => {
    const issues = await runIssues({ lines: [line({}), line({}), line({ quantity: Number.NaN })] });
    expect(issues.map((i) => i.path)).toEqual(['lines.2.quantity']);
  });
});

describe('fuel-emissions bad input: shape', () => {
  it('rejects a missing lines array', async () => {
    const issues = await runIssues({});
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('lines');
    expect(issues[0]?.message).toContain('expected array');
  });

  it('rejects an empty lines array', async () => {
    expect(await runIssues({ lines: [] })).toEqual([
      { path: 'lines', message: 'at least one line is required' },
    ]);
  });

  it('rejects non-object input', async () => {
    for (const raw of [null, 'lines', 42, []]) {
      const issues = await runIssues(raw);
      expect(issues[0]?.path).toBe('(root)');
    }
  });

  it('rejects missing fields of a line', async () => {
    const issues = await runIssues({ lines: [{ fuel: 'diesel' }] });
    expect(issues.map((i) => i.path).sort()).toEqual(['lines.0.period', 'lines.0.quantity', 'lines.0.unit']);
  });

  it('rejects extra fields at the top level and in a line (strict objects)', async () => {
    const top = await runIssues({ lines: [line({})], scope: 3 });
    expect(top).toEqual([{ path: '(root)', message: 'Unrecognized key: "scope"' }]);
    const inLine = await runIssues({ lines: [line({ colour: 'red' })] });
    expect(inLine).toEqual([{ path: 'lines.0', message: 'Unrecognized key: "colour"' }]);
    const inPeriod = await runIssues({ lines: [line({ period: { ...YEAR_2024, tz: 'UTC' } })] });
    expect(inPeriod).toEqual([{ path: 'lines.0.period', message: 'Unrecognized key: "tz"' }]);
  });

  it('rejects an unknown factor source, listing the allowed ones', async () => {
    const issues = await runIssues({ factor_source: 'IPCC', lines: [line({})] });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('factor_source');
    expect(issues[0]?.message).toContain('"DESNZ"|"EPA"');
  });

  it('rejects an unknown use and basis', async () => {
    const issues = await runIssues({ basis: 'lower', lines: [line({ use: 'aviation' })] });
    expect(issues.map((i) => i.path).sort()).toEqual(['basis', 'lines.0.use']);
  });

  it('rejects a lower-case region code', async () => {
    const issues = await runIssues({ lines: [line({ region: 'gb' })] });
    expect(issues).toEqual([
      { path: 'lines.0.region', message: 'expected an ISO 3166-1 alpha-2 code, e.g. GB or US' },
    ]);
  });
});

describe('fuel-emissions bad input: dates', () => {
  it('rejects a period that starts after it ends', async () => {
    const issues = await runIssues({ lines: [line({ period: { start: '2024-06-01', end: '2024-01-31' } })] });
    expect(issues).toEqual([
      { path: 'lines.0.period.end', message: 'period.start must not be after period.end' },
    ]);
  });

  it('rejects dates not in YYYY-MM-DD', async () => {
    const issues = await runIssues({ lines: [line({ period: { start: '2024-1-1', end: '31/12/2024' } })] });
    expect(issues).toEqual([
      { path: 'lines.0.period.start', message: 'expected a date as YYYY-MM-DD' },
      { path: 'lines.0.period.end', message: 'expected a date as YYYY-MM-DD' },
    ]);
  });

  it('rejects an impossible calendar date', async () => {
    const issues = await runIssues({ lines: [line({ period: { start: '2024-02-30', end: '2024-12-31' } })] });
    expect(issues).toEqual([{ path: 'lines.0.period.start', message: 'expected a date as YYYY-MM-DD' }]);
  });

  it('a period before any bundled factor set names the valid ranges', async () => {
    const issues = await runIssues({ lines: [line({ period: { start: '2022-01-01', end: '2022-12-31' } })] });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('lines.0.period');
    expect(issues[0]?.message).toContain('no factor valid on 2022-12-31');
    expect(issues[0]?.message).toContain('2023-01-01..2023-12-31, 2024-01-01..open');
  });
});

describe('fuel-emissions bad input: fuels, units, regions', () => {
  it('an unknown fuel lists the allowed fuels and aliases', async () => {
    const issues = await runIssues(oneLine({ fuel: 'unobtainium', quantity: 1, unit: 'L' }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('lines.0.fuel');
    const message = issues[0]?.message ?? '';
    expect(message).toContain("Unknown fuel 'unobtainium' for DESNZ stationary combustion. Allowed: ");
    for (const allowed of ['diesel', 'kerosene', 'natural-gas', 'burning-oil', 'lpg', 'coal-industrial'])
      expect(message.split('Allowed: ')[1]?.split(', ')).toContain(allowed);
  });

  it('an EPA stationary-only fuel used as mobile lists the EPA mobile fuels', async () => {
    const issues = await runIssues(
      oneLine({ fuel: 'wood', use: 'mobile', quantity: 1, unit: 'MMBtu' }, { factor_source: 'EPA' }),
    );
    expect(issues).toEqual([
      {
        path: 'lines.0.fuel',
        message:
          "Unknown fuel 'wood' for EPA mobile combustion. Allowed: diesel, gasoline, petrol, cng, " +
          'compressed-natural-gas-cng, diesel-fuel, motor-gasoline',
      },
    ]);
  });

  it('an unknown unit lists the unit codes', async () => {
    const issues = await runIssues({ lines: [line({ unit: 'furlongs' })] });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('lines.0.unit');
    expect(issues[0]?.message).toContain(
      "Unknown unit 'furlongs'. Allowed: kWh, MWh, GJ, therm, MMBtu, kBtu, L, m3",
    );
  });

  it('litres of a fuel DESNZ publishes only per tonne and per kWh is a unit issue naming those units', async () => {
    // DESNZ 2024 "Refinery miscellaneous" has rows for tonnes and kWh only: a volume cannot be converted.
    const issues = await runIssues(oneLine({ fuel: 'Refinery miscellaneous', quantity: 10, unit: 'litres' }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('lines.0.unit');
    expect(issues[0]?.message).toContain(
      'no factor per L or a unit of the same dimension; available units: t, kWh',
    );
  });

  it('kg of EPA natural gas (per MMBtu and per scf only) is a unit issue', async () => {
    const issues = await runIssues(
      oneLine({ fuel: 'natural gas', quantity: 10, unit: 'kg' }, { factor_source: 'EPA' }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('lines.0.unit');
    expect(issues[0]?.message).toContain('available units: MMBtu, scf');
  });

  it('kWh of EPA mobile gasoline (per gallon only) is a unit issue', async () => {
    const issues = await runIssues(
      oneLine({ fuel: 'gasoline', use: 'mobile', quantity: 10, unit: 'kWh' }, { factor_source: 'EPA' }),
    );
    expect(issues[0]?.path).toBe('lines.0.unit');
    expect(issues[0]?.message).toContain('available units: gal');
  });

  it('an area unit for a fuel is a unit issue', async () => {
    const issues = await runIssues({ lines: [line({ unit: 'm2' })] });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('lines.0.unit');
    expect(issues[0]?.message).toContain('no factor per m2');
  });

  it('DESNZ with region US hints to use EPA', async () => {
    const issues = await runIssues({ lines: [line({ region: 'US' })] });
    expect(issues).toEqual([
      {
        path: 'lines.0.region',
        message:
          'DESNZ factors do not cover region \'US\'; DESNZ covers GB: use factor_source "EPA" for US activity.',
      },
    ]);
  });

  it('EPA with region GB says EPA covers US', async () => {
    const issues = await runIssues(
      oneLine({ fuel: 'natural gas', quantity: 1, unit: 'MMBtu', region: 'GB' }, { factor_source: 'EPA' }),
    );
    expect(issues).toEqual([
      { path: 'lines.0.region', message: "EPA factors do not cover region 'GB'; EPA covers US." },
    ]);
  });

  it('reports every bad line at once and no partial result', async () => {
    const issues = await runIssues({
      lines: [line({}), line({ fuel: 'xx' }), line({ unit: 'parsec' }), line({ region: 'FR' })],
    });
    expect(issues.map((i) => i.path)).toEqual(['lines.1.fuel', 'lines.2.unit', 'lines.3.region']);
  });
});
