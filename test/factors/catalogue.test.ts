import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../lib/domain/errors.js';
import {
  AmbiguousFactorError,
  FactorCatalogue,
  FactorNotFoundError,
  refOf,
} from '../../lib/factors/catalogue.js';
import type { EmissionFactor, FactorQuery } from '../../lib/factors/types.js';

const catalogue = FactorCatalogue.builtin();

/** The error a lookup throws (fails the test if it returns). */
function lookupError(q: FactorQuery, cat = catalogue): Error {
  const r = cat.tryLookup(q);
  if (r.ok) throw new Error(`expected an error, got ${r.factor.id}`);
  return r.error;
}

function make(over: Partial<EmissionFactor> & Pick<EmissionFactor, 'id'>): EmissionFactor {
  return {
    source: 'TEST',
    dataset: 'test',
    datasetVersion: '1',
    activity: 'fuel/test-gas',
    name: 'Test gas',
    region: 'XX',
    unit: 'kWh',
    valueUnit: 'kgCO2e',
    value: 1,
    validFrom: '2020-01-01',
    validTo: null,
    citation: 'test fixture',
    ...over,
  };
}

const q = (over: Partial<FactorQuery>): FactorQuery => ({
  activity: 'fuel/natural-gas',
  region: 'GB',
  unit: 'kWh',
  asOf: '2024-06-30',
  ...over,
});

describe('FactorCatalogue', () => {
  describe('lookup: exact unit', () => {
    it('returns the gross-CV factor for kWh when no basis is given (DESNZ 2024 natural gas 0.18290)', () => {
      const f = catalogue.lookup(q({}));
      expect(f.id).toBe('desnz/2024/fuel/natural-gas/gb/kwh-gross');
      expect(f.value).toBe(0.1829);
      expect(f.basis).toBe('gross');
    });

    it('honours an explicit net basis (0.20264)', () => {
      expect(catalogue.lookup(q({ basis: 'net' })).value).toBe(0.20264);
    });

    it('finds litre factors for UK diesel (2.51279 kg CO2e/L in 2024)', () => {
      const f = catalogue.lookup(q({ activity: 'fuel/diesel-average-biofuel-blend', unit: 'litres' }));
      expect([f.unit, f.value]).toEqual(['L', 2.51279]);
    });

    it('finds an eGRID subregion and the US average', () => {
      expect(catalogue.lookup(q({ activity: 'electricity/grid', region: 'US-EGRID-ERCT' })).sourceRowId).toBe(
        'ERCT',
      );
      expect(catalogue.lookup(q({ activity: 'electricity/grid', region: 'US' })).sourceRowId).toBe('US');
    });
  });

  describe('lookup: same dimension', () => {
    it("finds the kWh (gross) factor for 'therm'", () => {
      expect(catalogue.lookup(q({ unit: 'therm' })).id).toBe('desnz/2024/fuel/natural-gas/gb/kwh-gross');
    });

    it("finds the net kWh factor for 'GJ' with basis net", () => {
      expect(catalogue.lookup(q({ unit: 'GJ', basis: 'net' })).id).toBe(
        'desnz/2024/fuel/natural-gas/gb/kwh-net',
      );
    });

    it("finds the m3 factor for 'scf' and the litre factor for 'US gallon'", () => {
      expect(catalogue.lookup(q({ unit: 'scf' })).id).toBe('desnz/2024/fuel/natural-gas/gb/m3');
      expect(catalogue.lookup(q({ activity: 'fuel/gas-oil', unit: 'US gallon' })).unit).toBe('L');
    });

    it('finds the EPA MMBtu factor for US natural gas billed in therms', () => {
      expect(catalogue.lookup(q({ region: 'US', unit: 'therm' })).id).toBe(
        'epa-hub/2025/fuel/natural-gas/us/mmbtu-gross',
      );
    });
  });

  describe('lookup: as-of date', () => {
    it('picks the 2023 factor for 2023 activity and the 2024 factor for 2024', () => {
      expect(catalogue.lookup(q({ asOf: '2023-01-01' })).value).toBe(0.18293);
      expect(catalogue.lookup(q({ asOf: '2023-12-31' })).datasetVersion).toBe('2023');
      expect(catalogue.lookup(q({ asOf: '2024-01-01' })).value).toBe(0.1829);
    });

    it('keeps using 2024 for later years (open-ended: no newer set bundled)', () => {
      expect(catalogue.lookup(q({ asOf: '2026-03-15' })).datasetVersion).toBe('2024');
    });

    it('picks the 2023 UK grid factor (0.20707) vs 2024 (0.20705)', () => {
      const grid = (asOf: string) => catalogue.lookup(q({ activity: 'electricity/grid', asOf })).value;
      expect([grid('2023-07-01'), grid('2024-07-01')]).toEqual([0.20707, 0.20705]);
    });

    it('reports a date before any dataset as not found, listing the valid ranges', () => {
      const err = lookupError(q({ asOf: '2022-12-31' }));
      expect(err).toBeInstanceOf(FactorNotFoundError);
      const nf = err as FactorNotFoundError;
      expect(nf.reason).toBe('date');
      expect(nf.message).toContain('2023-01-01..2023-12-31');
      expect(nf.message).toContain('2024-01-01..open');
      expect(nf.closeMatches).toContain(
        'desnz/2023/fuel/natural-gas/gb/kwh-gross (DESNZ 2023, per kWh gross CV, valid 2023-01-01..2023-12-31)',
      );
    });

    it('reports a fuel absent from the 2023 set as not found for 2023', () => {
      const err = lookupError(q({ activity: 'fuel/butane', asOf: '2023-05-01' })) as FactorNotFoundError;
      expect(err.reason).toBe('date');
    });

    it('rejects a malformed date', () => {
      expect(() => catalogue.lookup(q({ asOf: '30/06/2024' }))).toThrow(ValidationError);
    });
  });

  describe('lookup: filters', () => {
    it('filters by source and version', () => {
      expect(catalogue.lookup(q({ region: 'US', unit: 'scf', source: 'EPA-HUB' })).unit).toBe('scf');
      const err = lookupError(q({ region: 'US', source: 'DESNZ' })) as FactorNotFoundError;
      expect(err.reason).toBe('filter');
      expect(err.message).toContain('EPA-HUB 2025');
    });

    it('a version filter with a date outside it is a date miss', () => {
      const err = lookupError(q({ datasetVersion: '2023' })) as FactorNotFoundError;
      expect(err.reason).toBe('date');
    });
  });

  describe('lookup: ambiguous', () => {
    const a = make({ id: 'a', source: 'A' });
    const b = make({ id: 'b', source: 'B' });
    const gj = make({ id: 'c', source: 'A', unit: 'GJ' });
    const cat = new FactorCatalogue([a, b, gj], []);
    const tq: FactorQuery = { activity: 'fuel/test-gas', region: 'XX', unit: 'kWh', asOf: '2024-01-01' };

    it('lists every candidate when two sources match equally', () => {
      const err = lookupError(tq, cat);
      expect(err).toBeInstanceOf(AmbiguousFactorError);
      expect((err as AmbiguousFactorError).candidates).toEqual(['a', 'b']);
      expect((err as AmbiguousFactorError).failure).toBe('ambiguous');
    });

    it('is resolved by a source filter', () => {
      expect(cat.lookup({ ...tq, source: 'B' }).id).toBe('b');
    });

    it('prefers an exact unit over a same-dimension one', () => {
      expect(cat.lookup({ ...tq, unit: 'GJ' }).id).toBe('c');
      expect(cat.lookup({ ...tq, unit: 'GJ', source: 'A' }).id).toBe('c');
    });

    it('is ambiguous when two units of the dimension fit and none is exact', () => {
      const err = lookupError({ ...tq, unit: 'MWh', source: 'A' }, cat) as AmbiguousFactorError;
      expect(err.candidates).toEqual(['a', 'c']);
    });

    it('is ambiguous when validity ranges overlap', () => {
      const overlap = new FactorCatalogue(
        [
          make({ id: 'old', validTo: '2024-12-31' }),
          make({ id: 'new', validFrom: '2024-06-01', datasetVersion: '2' }),
        ],
        [],
      );
      expect(overlap.lookup({ ...tq, asOf: '2024-05-31' }).id).toBe('old');
      expect(
        (lookupError({ ...tq, asOf: '2024-07-01' }, overlap) as AmbiguousFactorError).candidates,
      ).toEqual(['old', 'new']);
    });
  });

  describe('lookup: none', () => {
    it('suggests similar activity keys by edit distance', () => {
      const err = lookupError(q({ activity: 'fuel/natral-gas' }));
      expect(err).toBeInstanceOf(FactorNotFoundError);
      expect(err).toBeInstanceOf(NotFoundError);
      const nf = err as FactorNotFoundError;
      expect([nf.reason, nf.failure, nf.code]).toEqual(['activity', 'none', 'factor_not_found']);
      expect(nf.closeMatches[0]).toBe('fuel/natural-gas');
    });

    it('suggests activity keys containing the word', () => {
      const nf = lookupError(q({ activity: 'diesel' })) as FactorNotFoundError;
      expect(nf.closeMatches).toEqual(
        expect.arrayContaining(['fuel/diesel-average-biofuel-blend', 'fuel/diesel-100-mineral-diesel']),
      );
    });

    it('lists the allowed regions for an unknown region', () => {
      const nf = lookupError(q({ region: 'FR' })) as FactorNotFoundError;
      expect(nf.reason).toBe('region');
      expect(nf.message).toContain('Allowed regions for fuel/natural-gas: GB, US');
      expect(nf.closeMatches).toEqual(['fuel/natural-gas @ GB', 'fuel/natural-gas @ US']);
    });

    it('lists the available units when no unit of the dimension exists', () => {
      const nf = lookupError(q({ unit: 'km' })) as FactorNotFoundError;
      expect(nf.reason).toBe('unit');
      expect(nf.message).toMatch(/available units: .*kWh/);
    });

    it('says when the unit itself is unknown', () => {
      const nf = lookupError(q({ unit: 'barrel' })) as FactorNotFoundError;
      expect(nf.message).toContain("'barrel' is not a known unit");
    });

    it('serialises the close matches for API clients', () => {
      const json = lookupError(q({ region: 'FR' })) as FactorNotFoundError;
      expect(json.toJSON()).toMatchObject({ code: 'factor_not_found', reason: 'region', kind: 'factor' });
    });
  });

  describe('diff', () => {
    const d = catalogue.diff('DESNZ', '2023', '2024');
    const change = (key: string) => d.changed.find((c) => c.key === key)?.percentChange;

    it('reports percent changes matched by activity + region + unit + basis', () => {
      // (0.18290 - 0.18293) / 0.18293 * 100 = -0.016399...  -> -0.0164
      expect(change('fuel/natural-gas|GB|kWh|gross')).toBe(-0.0164);
      // (2.51279 - 2.51206) / 2.51206 * 100 = 0.029060...  -> 0.0291
      expect(change('fuel/diesel-average-biofuel-blend|GB|L|')).toBe(0.0291);
      // (2.04542 - 2.03839) / 2.03839 * 100 = 0.344880...  -> 0.3449
      expect(change('fuel/natural-gas|GB|m3|')).toBe(0.3449);
      // (0.20705 - 0.20707) / 0.20707 * 100 = -0.009658...  -> -0.0097
      expect(change('electricity/grid|GB|kWh|')).toBe(-0.0097);
    });

    it('counts added, removed and unchanged factors', () => {
      // 12 rows in 2023, all present in 2024; 3 identical (propane t, distillate L, district heat).
      expect([d.added.length, d.removed.length, d.changed.length, d.unchanged]).toEqual([145, 0, 9, 3]);
      expect(d.added.every((f) => f.datasetVersion === '2024')).toBe(true);
    });

    it('reverses sign and swaps added/removed the other way round', () => {
      const back = catalogue.diff('DESNZ', '2024', '2023');
      expect([back.added.length, back.removed.length]).toEqual([0, 145]);
      // (0.18293 - 0.18290) / 0.18290 * 100 = 0.016402...  -> 0.0164
      expect(back.changed.find((c) => c.key === 'fuel/natural-gas|GB|kWh|gross')?.percentChange).toBe(0.0164);
    });

    it('gives null percent change from zero', () => {
      const cat = new FactorCatalogue(
        [make({ id: 'z1', value: 0 }), make({ id: 'z2', value: 5, datasetVersion: '2' })],
        [],
      );
      expect(cat.diff('TEST', '1', '2').changed[0]?.percentChange).toBeNull();
    });

    it('names the allowed versions and sources when one is unknown', () => {
      expect(() => catalogue.diff('DESNZ', '2022', '2024')).toThrow(/Allowed: 2023, 2024/);
      expect(() => catalogue.diff('DEFRA', '2023', '2024')).toThrow(/Allowed: .*DESNZ/);
    });
  });

  describe('construction', () => {
    it('rejects duplicate ids', () => {
      expect(() => new FactorCatalogue([make({ id: 'x' }), make({ id: 'x' })], [])).toThrow(
        /Duplicate factor id 'x'/,
      );
    });

    it('rejects non-finite values', () => {
      expect(() => new FactorCatalogue([make({ id: 'x', value: Number.NaN })], [])).toThrow(/non-finite/);
    });
  });

  describe('queries', () => {
    it('gets by id and builds a reference', () => {
      const f = catalogue.get('desnz/2024/electricity/grid/gb/kwh');
      expect(f?.value).toBe(0.20705);
      expect(refOf(f!)).toEqual({
        id: 'desnz/2024/electricity/grid/gb/kwh',
        dataset: 'desnz-ghg-conversion-factors',
        datasetVersion: '2024',
      });
    });

    it('searches by every word', () => {
      const hits = catalogue.search('natural gas 2023');
      expect(hits.map((f) => f.id)).toEqual([
        'desnz/2023/fuel/natural-gas/gb/kwh-gross',
        'desnz/2023/fuel/natural-gas/gb/kwh-net',
        'desnz/2023/fuel/natural-gas/gb/m3',
        // "2023" also matches ENERGY STAR's version 2023-08
        'energy-star/2023-08/building/source-site-ratio/natural-gas/us/kbtu',
        'energy-star/2023-08/building/source-site-ratio/natural-gas/ca/kbtu',
      ]);
      expect(catalogue.search('gas', 2)).toHaveLength(2);
    });

    it('lists activities by prefix and regions per activity', () => {
      expect(catalogue.activities('wtt/')).toContain('wtt/fuel/natural-gas');
      expect(catalogue.activities('wtt/').every((a) => a.startsWith('wtt/'))).toBe(true);
      const regions = catalogue.regions('electricity/grid');
      expect(regions).toHaveLength(29); // GB + US + 27 eGRID subregions
      expect(regions).toContain('US-EGRID-NYUP');
      expect(catalogue.regions('no/such')).toEqual([]);
    });

    it('is a singleton', () => {
      expect(FactorCatalogue.builtin()).toBe(catalogue);
    });
  });
});
