/** Bad input comes back as {path, message} issues that say how to fix it; nothing throws. */
import { describe, expect, it } from 'vitest';
import { NON_NEGATIVE_HINT } from '../../../lib/agents/numbers.js';
import { building, runIssues } from './fixtures.js';

const EGRID_SUBREGIONS =
  'AKGD, AKMS, AZNM, CAMX, ERCT, FRCC, HIMS, HIOA, MROE, MROW, NEWE, NWPP, NYCW, NYLI, NYUP, PRMS, RFCE, RFCM, ' +
  'RFCW, RMPA, SPNO, SPSO, SRMV, SRMW, SRSO, SRTV, SRVC';

describe('building-energy bad input: numbers', () => {
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a numeric string', '100'],
  ])('rejects energy quantity %s', async (_label, quantity) => {
    const issues = await runIssues(building({ energy: [{ carrier: 'electricity', quantity, unit: 'kWh' }] }));
    expect(issues).toEqual([
      { path: 'energy.0.quantity', message: `expected a number; ${NON_NEGATIVE_HINT}` },
    ]);
  });

  it('rejects a negative energy quantity', async () => {
    const issues = await runIssues(
      building({ energy: [{ carrier: 'electricity', quantity: -1, unit: 'kWh' }] }),
    );
    expect(issues).toEqual([{ path: 'energy.0.quantity', message: `value ${NON_NEGATIVE_HINT}` }]);
  });

  it.each([
    ['zero', 0, 'must be greater than 0'],
    ['negative', -5, 'must be greater than 0'],
    ['NaN', Number.NaN, 'expected a finite number > 0'],
    ['Infinity', Number.POSITIVE_INFINITY, 'expected a finite number > 0'],
    ['a string', '1000', 'expected a finite number > 0'],
  ])('rejects a %s floor area', async (_label, value, message) => {
    const issues = await runIssues(building({ floor_area: { value, unit: 'ft2' } }));
    expect(issues).toEqual([{ path: 'floor_area.value', message }]);
  });

  it('rejects a year that is not an integer number', async () => {
    expect((await runIssues(building({ year: '2024' })))[0]?.path).toBe('year');
    expect((await runIssues(building({ year: 2024.5 })))[0]?.path).toBe('year');
  });
});

describe('building-energy bad input: shape', () => {
  it('rejects missing fields', async () => {
    const issues = await runIssues({ property_type: 'K-12 School' });
    expect(issues.map((i) => i.path).sort()).toEqual(['energy', 'floor_area', 'location', 'year']);
  });

  it('rejects extra fields (strict objects)', async () => {
    expect(await runIssues(building({ owner: 'x' }))).toEqual([
      { path: '(root)', message: 'Unrecognized key: "owner"' },
    ]);
    expect(await runIssues(building({ location: { country: 'US', city: 'Austin' } }))).toEqual([
      { path: 'location', message: 'Unrecognized key: "city"' },
    ]);
    expect(
      await runIssues(building({ energy: [{ carrier: 'electricity', quantity: 1, unit: 'kWh', cost: 3 }] })),
    ).toEqual([{ path: 'energy.0', message: 'Unrecognized key: "cost"' }]);
  });

  it('rejects an empty energy array', async () => {
    expect(await runIssues(building({ energy: [] }))).toEqual([
      { path: 'energy', message: 'at least one energy line is required' },
    ]);
  });

  it('rejects an unknown carrier, listing the carriers', async () => {
    const issues = await runIssues(building({ energy: [{ carrier: 'coal', quantity: 1, unit: 'kWh' }] }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('energy.0.carrier');
    expect(issues[0]?.message).toContain(
      '"electricity"|"onsite_renewable_electricity"|"natural_gas"|"district_heating"|"district_cooling"',
    );
  });

  it('rejects a floor area unit other than m2 or ft2', async () => {
    const issues = await runIssues(building({ floor_area: { value: 1, unit: 'acre' } }));
    expect(issues).toEqual([
      { path: 'floor_area.unit', message: 'Invalid option: expected one of "m2"|"ft2"' },
    ]);
  });
});

describe('building-energy bad input: values the schema cannot check', () => {
  it('an unknown property type lists the allowed ones', async () => {
    const issues = await runIssues(building({ property_type: 'Spaceport' }));
    expect(issues).toEqual([
      {
        path: 'property_type',
        message:
          "Unknown property type 'Spaceport'. Allowed: bank-branch, college-university, convenience-store, " +
          'convention-center-meeting-hall, entertainment, financial-office, k-12-school, pre-school-daycare, ' +
          'recreation-athletic-centers, vocational-school-adult-education, worship-facility',
      },
    ]);
  });

  it.each([['L'], ['kg'], ['m2'], ['furlongs']])(
    'a non-energy unit (%s) lists the energy units',
    async (unit) => {
      const issues = await runIssues(
        building({
          energy: [
            { carrier: 'electricity', quantity: 1, unit: 'kWh' },
            { carrier: 'natural_gas', quantity: 1, unit },
          ],
        }),
      );
      expect(issues).toEqual([
        {
          path: 'energy.1.unit',
          message: `'${unit}' is not an energy unit. Allowed: kWh, MWh, GJ, therm, MMBtu, kBtu`,
        },
      ]);
    },
  );

  it('an unknown eGRID subregion lists the 27 subregions', async () => {
    const issues = await runIssues(building({ location: { country: 'US', egrid_subregion: 'ZZZZ' } }));
    expect(issues).toEqual([
      {
        path: 'location.egrid_subregion',
        message: `Unknown eGRID subregion 'ZZZZ'. Allowed: ${EGRID_SUBREGIONS}`,
      },
    ]);
  });

  it('a malformed eGRID subregion is a schema issue', async () => {
    const issues = await runIssues(building({ location: { country: 'US', egrid_subregion: 'camx' } }));
    expect(issues).toEqual([
      { path: 'location.egrid_subregion', message: 'expected a 4-letter eGRID subregion acronym, e.g. CAMX' },
    ]);
  });

  it('an eGRID subregion with country GB is rejected', async () => {
    const issues = await runIssues(building({ location: { country: 'GB', egrid_subregion: 'CAMX' } }));
    expect(issues).toEqual([
      { path: 'location.egrid_subregion', message: 'eGRID subregions apply only to country US' },
    ]);
  });

  it('an unsupported country lists US and GB', async () => {
    const issues = await runIssues(building({ location: { country: 'FR' } }));
    expect(issues).toEqual([
      { path: 'location.country', message: "Unsupported country 'FR'. Allowed: US, GB" },
    ]);
  });

  it('a lower-case country code is a schema issue', async () => {
    const issues = await runIssues(building({ location: { country: 'us' } }));
    expect(issues[0]?.path).toBe('location.country');
    expect(issues[0]?.message).toContain('upper case');
  });

  it('several problems are reported together', async () => {
    const issues = await runIssues(
      building({
        property_type: 'Spaceport',
        location: { country: 'GB', egrid_subregion: 'CAMX' },
        energy: [{ carrier: 'electricity', quantity: 1, unit: 'L' }],
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(['location.egrid_subregion', 'property_type', 'energy.0.unit']);
  });

  it('a year before eGRID2023 is a year issue, not an unknown subregion', async () => {
    const issues = await runIssues(
      building({ year: 2022, location: { country: 'US', egrid_subregion: 'CAMX' } }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('year');
    expect(issues[0]?.message).toContain('No electricity emission factor bundled for 2022');
    expect(issues[0]?.message).toContain('valid ranges: 2023-01-01..open');
  });

  it('a GB year before DESNZ 2023 is a year issue', async () => {
    const issues = await runIssues(building({ year: 2022, location: { country: 'GB' } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('year');
    expect(issues[0]?.message).toContain('2023-01-01..2023-12-31, 2024-01-01..open');
  });

  it('US gas in a year before the EPA Hub 2025 validity is a year issue with a path', async () => {
    const issues = await runIssues(
      building({ year: 2023, energy: [{ carrier: 'natural_gas', quantity: 1, unit: 'MMBtu' }] }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('year');
    expect(issues[0]?.message).toContain('No natural_gas emission factor bundled for 2023');
  });
});
