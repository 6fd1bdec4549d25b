/** The Reg. 2025/1093 country benchmark as catalogue factors. */
import { describe, expect, it } from 'vitest';
import reference from '../../../lib/factors/data/eudr_regulation_reference.json' with { type: 'json' };
import { FactorCatalogue } from '../../../lib/factors/catalogue.js';
import { eudrDataset } from '../../../lib/factors/datasets/eudr.js';

const bench = reference.country_benchmarking_2025_1093;
const byRegion = new Map(eudrDataset.factors.map((f) => [f.region, f]));
const levelOf = (code: string) => byRegion.get(code)?.attributes?.['level'];
/** Codes whose level is not `level` (empty when all match), so a failure names the countries. */
const notAt = (codes: readonly string[], level: string) => codes.filter((c) => levelOf(c) !== level);
const EU27 = 'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' ');

describe('eudrDataset', () => {
  it('has one factor per ISO 3166-1 alpha-2 code, with unique ids', () => {
    expect(eudrDataset.factors).toHaveLength(249);
    expect(new Set(eudrDataset.factors.map((f) => f.id)).size).toBe(249);
    expect(eudrDataset.datasets[0]).toMatchObject({
      source: 'EU',
      dataset: 'eudr-country-benchmark',
      version: '2025-1093',
      validFrom: '2025-05-26',
      validTo: null,
      factorCount: 249,
    });
  });

  it('high risk is exactly the four countries of the Annex: BY, KP, MM, RU', () => {
    const high = eudrDataset.factors.filter((f) => f.attributes?.['level'] === 'high').map((f) => f.region);
    expect(high.sort()).toEqual(['BY', 'KP', 'MM', 'RU']);
    expect(eudrDataset.factors.filter((f) => f.value === 3)).toHaveLength(4);
  });

  it('every listed low-risk country (141) is low, value 1', () => {
    expect(bench.low_risk_iso2).toHaveLength(141);
    expect(notAt(bench.low_risk_iso2, 'low')).toEqual([]);
    expect(bench.low_risk_iso2.filter((c) => byRegion.get(c)?.value !== 1)).toEqual([]);
  });

  it('all EU27 member states are low risk', () => {
    expect(EU27).toHaveLength(27);
    expect(notAt(EU27, 'low')).toEqual([]);
  });

  it('EU outermost regions with their own code share their member state level, flagged as derived', () => {
    const gf = byRegion.get('GF');
    expect(gf?.attributes).toMatchObject({ level: 'low', derivedFrom: 'FR' });
    expect(gf?.pendingVerification).toBe(true);
  });

  it('the producers the old implementation called high risk are standard (BR, ID, CD) or low (GH)', () => {
    expect(byRegion.get('BR')?.attributes?.['level']).toBe('standard');
    expect(byRegion.get('ID')?.attributes?.['level']).toBe('standard');
    expect(byRegion.get('CD')?.attributes?.['level']).toBe('standard');
    expect(byRegion.get('GH')?.attributes?.['level']).toBe('low');
    expect(notAt(bench.examples_standard_risk, 'standard')).toEqual([]);
  });

  it('marks UG pending verification with the disagreement', () => {
    const ug = byRegion.get('UG');
    expect(ug?.pendingVerification).toBe(true);
    expect(ug?.attributes?.['note']).toContain('verify against the official annex');
  });

  it('is looked up through the built-in catalogue', () => {
    const f = FactorCatalogue.builtin().lookup({
      activity: 'eudr/country-risk',
      region: 'BR',
      unit: 'country',
      asOf: '2026-12-30',
    });
    expect(f).toMatchObject({
      id: 'eu/2025-1093/eudr/country-risk/br/country',
      valueUnit: 'risk-level',
      value: 2,
    });
  });
});
