/** The bundled CBAM defaults: only published values, traceable, and consistent with the mark-up rule. */
import { describe, expect, it } from 'vitest';
import { classifyCn } from '../../../lib/agents/cbam/annex-i.js';
import { markUpRate } from '../../../lib/agents/cbam/regulation.js';
import { FactorCatalogue } from '../../../lib/factors/catalogue.js';
import { cbamDataset } from '../../../lib/factors/datasets/cbam.js';
import data from '../../../lib/factors/data/cbam_default_values.json' with { type: 'json' };

const { factors, datasets } = cbamDataset;

describe('cbam dataset', () => {
  it('loads into a catalogue (unique ids, finite values) with both versions described', () => {
    const catalogue = new FactorCatalogue(factors, datasets);
    expect(catalogue.datasets().map((d) => d.version)).toEqual(['transitional-2023', 'definitive-2026']);
    for (const d of datasets) {
      expect(d.factorCount).toBe(factors.filter((f) => f.datasetVersion === d.version).length);
    }
  });

  it('has one factor per published number of the transitional table', () => {
    // 21 rows; count the numeric direct/indirect/total cells in the JSON itself.
    const rows = data.transitional_period_defaults.rows;
    expect(rows).toHaveLength(21);
    const cells = rows.flatMap((r) => [r.direct, r.indirect, r.total]).filter((v) => typeof v === 'number');
    expect(factors.filter((f) => f.datasetVersion === 'transitional-2023')).toHaveLength(cells.length);
  });

  it('models every factor as a pending-verification CBAM default per tonne', () => {
    for (const f of factors) {
      expect(f.source).toBe('CBAM');
      expect(f.dataset).toBe('cbam-default-values');
      expect(f.unit).toBe('t');
      expect(f.valueUnit).toBe('tCO2e/t');
      expect(f.pendingVerification).toBe(true);
      expect(f.activity).toMatch(/^cbam\/\d{4,8}\/(direct|indirect|total)$/);
      expect(f.id).toBe(`${f.source}/${f.datasetVersion}/${f.activity}/${f.region}/${f.unit}`.toLowerCase());
      expect(f.region).toMatch(/^(GLOBAL|OTHER|[A-Z]{2})$/);
    }
  });

  it('only covers CBAM goods: every published CN code is inside Annex I, none is scrap', () => {
    for (const f of factors) {
      const cn = f.activity.split('/')[1]!;
      expect(cn.startsWith('7204')).toBe(false);
      expect(classifyCn(cn.padEnd(8, '0')).inScope).toBe(true);
    }
  });

  it('keeps the transitional values as published (spot checks)', () => {
    const value = (id: string) => factors.find((f) => f.id === id)?.value;
    expect(value('cbam/transitional-2023/cbam/25231000/total/global/t')).toBe(0.87);
    expect(value('cbam/transitional-2023/cbam/2814/direct/global/t')).toBe(2.68);
    expect(value('cbam/transitional-2023/cbam/72026000/total/global/t')).toBe(6.26);
    expect(value('cbam/transitional-2023/cbam/72026000/direct/global/t')).toBeUndefined();
    expect(value('cbam/definitive-2026/cbam/7601/total/other/t')).toBe(2.203);
  });

  it('reproduces the published mark-up columns from the total within rounding (0.01)', () => {
    let checked = 0;
    for (const f of factors.filter(
      (x) => x.datasetVersion === 'definitive-2026' && x.activity.endsWith('/total'),
    )) {
      const sector = classifyCn(f.activity.split('/')[1]!.padEnd(8, '0'));
      if (!sector.inScope) throw new Error(f.id);
      for (const year of [2026, 2027, 2028]) {
        const published = f.attributes?.[`publishedWithMarkUp${year}`];
        if (typeof published !== 'number') continue;
        // e.g. 7208 China: 3.19 x 1.20 = 3.828 vs published 3.82 (computed from the unrounded 3.187)
        expect(
          Math.abs(f.value * (1 + markUpRate(sector.entry.sector, year)) - published),
        ).toBeLessThanOrEqual(0.01);
        checked++;
      }
    }
    expect(checked).toBe(22); // 6 rows of 7208 x 3 years + 4 rows of urea x 2026
  });
});
