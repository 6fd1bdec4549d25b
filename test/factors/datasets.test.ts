/** The bundled datasets: counts, completeness, published values and conversions. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import { desnzDataset } from '../../lib/factors/datasets/desnz.js';
import { egridDataset } from '../../lib/factors/datasets/egrid.js';
import { energyStarDataset } from '../../lib/factors/datasets/energy-star.js';
import { epaHubDataset } from '../../lib/factors/datasets/epa-hub.js';
import { isKnownUnit } from '../../lib/factors/units.js';

const catalogue = FactorCatalogue.builtin();
const all = catalogue.all();
const mine = [
  ...desnzDataset.factors,
  ...epaHubDataset.factors,
  ...egridDataset.factors,
  ...energyStarDataset.factors,
];
const at = (id: string) => {
  const f = catalogue.get(id);
  if (f === undefined) throw new Error(`no factor ${id}`);
  return f;
};

describe('bundled datasets', () => {
  describe('counts', () => {
    it('loads all 117 DESNZ 2024 Scope 1 fuel rows', () => {
      expect(
        all.filter(
          (f) => f.source === 'DESNZ' && f.datasetVersion === '2024' && f.activity.startsWith('fuel/'),
        ),
      ).toHaveLength(117);
    });

    it('loads 28 eGRID rows: 27 subregions and the US average', () => {
      const rows = all.filter((f) => f.source === 'EGRID');
      expect(rows).toHaveLength(28);
      expect(rows.filter((f) => f.region.startsWith('US-EGRID-'))).toHaveLength(27);
      expect(rows.filter((f) => f.region === 'US')).toHaveLength(1);
    });

    it('states each dataset factor count truthfully', () => {
      const counted = catalogue
        .datasets()
        .map((d) => [
          `${d.source} ${d.version}`,
          all.filter(
            (f) => f.source === d.source && f.dataset === d.dataset && f.datasetVersion === d.version,
          ).length,
        ]);
      expect(counted).toEqual(catalogue.datasets().map((d) => [`${d.source} ${d.version}`, d.factorCount]));
    });
  });

  describe('completeness', () => {
    it('gives every factor an id, source, dataset, version, citation, finite value and ISO dates', () => {
      const bad = all.filter(
        (f) =>
          !(f.id && f.source && f.dataset && f.datasetVersion && f.activity && f.region) ||
          f.citation.length < 20 ||
          !Number.isFinite(f.value) ||
          !/^\d{4}-\d{2}-\d{2}$/.test(f.validFrom) ||
          (f.validTo !== null && !(f.validTo >= f.validFrom)),
      );
      expect(bad.map((f) => f.id)).toEqual([]);
      expect(all.length).toBeGreaterThan(500);
    });

    it('has no duplicated ids', () => {
      expect(new Set(all.map((f) => f.id)).size).toBe(all.length);
    });

    it('uses registry unit codes and slug-like activity keys in its own datasets', () => {
      const bad = mine.filter(
        (f) =>
          !isKnownUnit(f.unit) ||
          !/^[a-z0-9-]+(\/[a-z0-9-]+)+$/.test(f.activity) ||
          f.id !== f.id.toLowerCase(),
      );
      expect(bad.map((f) => f.id)).toEqual([]);
      expect(mine.length).toBeGreaterThan(200);
    });

    it('marks every DESNZ 2023 factor as pending verification', () => {
      const y2023 = all.filter((f) => f.source === 'DESNZ' && f.datasetVersion === '2023');
      expect(y2023).toHaveLength(12);
      expect(y2023.every((f) => f.pendingVerification === true && f.confidence !== 'high')).toBe(true);
    });

    it('reads no shared data at run time', () => {
      const dir = join(import.meta.dirname, '../../lib/factors');
      const sources = [dir, join(dir, 'datasets')].flatMap((d) =>
        readdirSync(d)
          .filter((n) => n.endsWith('.ts'))
          .map((n) => readFileSync(join(d, n), 'utf8')),
      );
      expect(sources.some((s) => /\.\.\/shared|work\/shared/.test(s))).toBe(false);
    });
  });

  describe('known errors are absent', () => {
    it('UK grid 2024 is 0.20705, not 0.193', () => {
      expect(at('desnz/2024/electricity/grid/gb/kwh').value).toBe(0.20705);
      expect(
        all.some((f) => f.activity === 'electricity/grid' && f.region === 'GB' && f.value === 0.193),
      ).toBe(false);
    });

    it('natural gas per m3 2024 is 2.04542, not 2.02', () => {
      expect(at('desnz/2024/fuel/natural-gas/gb/m3').value).toBe(2.04542);
      expect(all.some((f) => f.activity === 'fuel/natural-gas' && f.unit === 'm3' && f.value === 2.02)).toBe(
        false,
      );
    });
  });

  describe('DESNZ', () => {
    it('carries the published per-gas split where one exists (reconciling to the total)', () => {
      const f = at('desnz/2024/fuel/diesel-100-mineral-diesel/gb/l');
      expect(f.gases).toEqual({ co2: 2.62818, ch4: 0.00029, n2o: 0.03308 });
      // 2.62818 + 0.00029 + 0.03308 = 2.66155
      expect(f.gases!.co2! + f.gases!.ch4! + f.gases!.n2o!).toBeCloseTo(2.66155, 10);
      expect(mine.filter((x) => x.gases && x.source === 'DESNZ')).toHaveLength(13);
    });

    it('keeps heat, T&D and WTT under their own activity keys', () => {
      expect(at('desnz/2024/heat-steam/district/gb/kwh').value).toBe(0.17965);
      expect(at('desnz/2024/electricity/td-losses/gb/kwh').value).toBe(0.0183);
      expect(at('desnz/2024/heat-steam/district-distribution-losses/gb/kwh').value).toBe(0.00946);
      expect(at('desnz/2024/wtt/fuel/natural-gas/gb/kwh-gross').value).toBe(0.03021);
    });

    it('2023 values as transcribed (natural gas kWh gross 0.18293, diesel L 2.51206)', () => {
      expect(at('desnz/2023/fuel/natural-gas/gb/kwh-gross').value).toBe(0.18293);
      expect(at('desnz/2023/fuel/diesel-average-biofuel-blend/gb/l').value).toBe(2.51206);
      expect(at('desnz/2023/fuel/natural-gas/gb/kwh-gross').validTo).toBe('2023-12-31');
      expect(at('desnz/2024/fuel/natural-gas/gb/kwh-gross').validTo).toBeNull();
    });
  });

  describe('eGRID', () => {
    it('converts lb/MWh to kg/kWh (CAMX 429.983 * 0.45359237 / 1000 = 0.195037008...)', () => {
      expect(at('egrid/2023-rev2/electricity/grid/us-egrid-camx/kwh').value).toBeCloseTo(0.19503700803, 11);
    });

    it('US average 770.884 lb/MWh * 0.45359237 / 1000 = 0.349667...', () => {
      expect(at('egrid/2023-rev2/electricity/grid/us/kwh').value).toBeCloseTo(0.349667, 6);
    });

    it('splits gases with AR5 GWPs (AKGD CH4 0.086 * 28 * 0.45359237 / 1000 = 0.00109225...)', () => {
      const f = at('egrid/2023-rev2/electricity/grid/us-egrid-akgd/kwh');
      expect(f.gases?.ch4).toBeCloseTo(0.086 * 28 * 0.00045359237, 12);
      expect(f.gases?.n2o).toBeCloseTo(0.012 * 265 * 0.00045359237, 12);
    });

    it('gas splits reconcile with the published total within EPA rounding (0.129 lb/MWh)', () => {
      const rows = all.filter((x) => x.source === 'EGRID');
      const worst = Math.max(
        ...rows.map((f) => Math.abs(f.gases!.co2! + f.gases!.ch4! + f.gases!.n2o! - f.value)),
      );
      expect(worst).toBeLessThan(0.13 * 0.00045359237);
      expect(worst).toBeGreaterThan(0); // the split is computed, not copied from the total
    });

    it('keeps grid loss and fuel mix as attributes', () => {
      const f = at('egrid/2023-rev2/electricity/grid/us-egrid-akgd/kwh');
      expect(f.attributes).toMatchObject({ gridGrossLossFraction: 0.041, 'fuelMixPct.gas': 60.4 });
    });
  });

  describe('EPA Hub', () => {
    it('natural gas per MMBtu: 53.06 + 1/1000*28 + 0.1/1000*265 = 53.1145 kg CO2e (HHV)', () => {
      const f = at('epa-hub/2025/fuel/natural-gas/us/mmbtu-gross');
      expect(f.value).toBe(53.1145);
      expect(f.gases).toEqual({ co2: 53.06, ch4: 0.028, n2o: 0.0265 });
      expect(f.basis).toBe('gross');
    });

    it('steam and heat: 66.33 + 1.25/1000*28 + 0.125/1000*265 = 66.398125', () => {
      expect(at('epa-hub/2025/heat-steam/district/us/mmbtu-gross').value).toBe(66.398125);
    });

    it('mobile diesel is CO2 only: 10.21 kg CO2 per US gallon', () => {
      const f = at('epa-hub/2025/mobile-fuel/diesel-fuel/us/gal');
      expect([f.value, f.valueUnit]).toEqual([10.21, 'kgCO2']);
    });

    it('wood excludes biogenic CO2: 7.2/1000*28 + 3.6/1000*265 = 1.1556 per MMBtu', () => {
      const f = at('epa-hub/2025/fuel/wood-and-wood-residuals/us/mmbtu-gross');
      expect(f.value).toBe(1.1556);
      expect(f.attributes?.biogenicCo2Kg).toBe(93.8);
    });

    it('marks fixture-sourced rows pending verification and cell-read rows high', () => {
      expect(at('epa-hub/2025/fuel/natural-gas/us/scf').pendingVerification).toBe(true);
      expect(at('epa-hub/2025/fuel/natural-gas/us/mmbtu-gross').confidence).toBe('high');
    });
  });

  describe('ENERGY STAR', () => {
    it('median site and source EUI in kBtu/ft2/yr (K-12 School 48.5 / 104.4)', () => {
      const site = at('energy-star/2023-08/building/median-eui/site/k-12-school/us/ft2');
      expect([site.value, site.valueUnit]).toEqual([48.5, 'kBtu/ft2/yr (site energy)']);
      expect(at('energy-star/2023-08/building/median-eui/source/k-12-school/us/ft2').value).toBe(104.4);
    });

    it('skips the truncated Convenience Store site EUI but keeps its source EUI', () => {
      expect(
        catalogue.get('energy-star/2023-08/building/median-eui/site/convenience-store/us/ft2'),
      ).toBeUndefined();
      expect(at('energy-star/2023-08/building/median-eui/source/convenience-store/us/ft2').value).toBe(592.6);
    });

    it('source-site ratios for the US and Canada (grid electricity 2.8 / 1.83)', () => {
      expect(at('energy-star/2023-08/building/source-site-ratio/electricity-grid/us/kbtu').value).toBe(2.8);
      expect(at('energy-star/2023-08/building/source-site-ratio/electricity-grid/ca/kbtu').value).toBe(1.83);
    });
  });
});
