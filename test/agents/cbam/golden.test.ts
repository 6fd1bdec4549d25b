/**
 * Golden cases: every expected number is computed by hand from the values in
 * lib/factors/data/cbam_default_values.json (arithmetic beside each case).
 */
import { describe, expect, it } from 'vitest';
import { ok, single } from './fixtures.js';

describe('cbam golden: transitional period (2023-Q4 .. 2025-Q4), obligation 0', () => {
  it('G1 cement clinker 2523 10 00, 100 t: published direct/indirect/total', async () => {
    const out = await ok(
      single('2024-Q1', { cn_code: '2523 10 00', country_of_origin: 'TR', quantity_t: 100 }),
    );
    const l = out.lines[0]!;
    // direct 0.83 x 100 = 83; indirect 0.04 x 100 = 4; total 0.87 x 100 = 87
    expect(l.direct).toMatchObject({ specific_tco2e_per_t: 0.83, embedded_tco2e: 83, source: 'default' });
    expect(l.indirect).toMatchObject({ specific_tco2e_per_t: 0.04, embedded_tco2e: 4, source: 'default' });
    expect(l.total).toMatchObject({ specific_tco2e_per_t: 0.87, embedded_tco2e: 87, source: 'default' });
    expect(l.direct.factor_id).toBe('cbam/transitional-2023/cbam/25231000/direct/global/t');
    expect(l.default_region).toBe('GLOBAL');
    expect(l.chargeable).toBeNull();
    expect(out.period).toEqual({
      quarter: '2024-Q1',
      start: '2024-01-01',
      end: '2024-03-31',
      phase: 'transitional',
      as_of: '2024-01-01',
    });
    expect(out.certificate_obligation).toMatchObject({ applies: false, certificates_tco2e: 0, cost_eur: 0 });
    expect(out.de_minimis).toBeNull();
  });

  it('G2 pig iron 7201 10 11, 50 t: heading-level row 7201', async () => {
    const out = await ok(single('2025-Q3', { cn_code: '72011011', country_of_origin: 'UA', quantity_t: 50 }));
    const l = out.lines[0]!;
    // direct 1.90 x 50 = 95; indirect 0.17 x 50 = 8.5; total 2.07 x 50 = 103.5
    expect(l.default_cn).toBe('7201');
    expect(l.direct.embedded_tco2e).toBe(95);
    expect(l.indirect.embedded_tco2e).toBe(8.5);
    expect(l.total.embedded_tco2e).toBe(103.5);
    expect(out.totals).toEqual({ quantity_t: 50, direct_tco2e: 95, indirect_tco2e: 8.5, total_tco2e: 103.5 });
  });

  it('G3 ferro-manganese 7202 11 20, 10 t: the published total wins over the rounded sum', async () => {
    const out = await ok(
      single('2025-Q2', { cn_code: '7202 11 20', country_of_origin: 'ZA', quantity_t: 10 }),
    );
    const l = out.lines[0]!;
    // direct 1.44 x 10 = 14.4; indirect 2.08 x 10 = 20.8; total 3.51 x 10 = 35.1 (not 3.52 = 1.44 + 2.08)
    expect(l.default_cn).toBe('72021');
    expect(l.direct.embedded_tco2e).toBe(14.4);
    expect(l.indirect.embedded_tco2e).toBe(20.8);
    expect(l.total).toMatchObject({ specific_tco2e_per_t: 3.51, embedded_tco2e: 35.1, source: 'default' });
  });

  it('G4 ferro-nickel 7202 60 00, 20 t: total-only row, components not published', async () => {
    const out = await ok(single('2024-Q4', { cn_code: '72026000', country_of_origin: 'ID', quantity_t: 20 }));
    const l = out.lines[0]!;
    // total 6.26 x 20 = 125.2; direct and indirect not published separately
    expect(l.total).toMatchObject({ specific_tco2e_per_t: 6.26, embedded_tco2e: 125.2, source: 'default' });
    expect(l.direct).toEqual({
      specific_tco2e_per_t: null,
      embedded_tco2e: null,
      source: null,
      factor_id: null,
    });
    expect(out.totals).toEqual({ quantity_t: 20, direct_tco2e: 0, indirect_tco2e: 0, total_tco2e: 125.2 });
    expect(out.notes.some((n) => n.includes('a total only'))).toBe(true);
  });

  it('G5 hydrogen 2804 10 00, 2 t', async () => {
    const out = await ok(single('2025-Q1', { cn_code: '28041000', country_of_origin: 'US', quantity_t: 2 }));
    const l = out.lines[0]!;
    // direct 10.40 x 2 = 20.8; indirect 0.0 x 2 = 0; total 10.40 x 2 = 20.8
    expect(l.direct.embedded_tco2e).toBe(20.8);
    expect(l.indirect).toMatchObject({ embedded_tco2e: 0, source: 'default' });
    expect(l.total.embedded_tco2e).toBe(20.8);
  });

  it('G6 aluminium tubes 7608 10 00, 5 t', async () => {
    const out = await ok(single('2024-Q3', { cn_code: '76081000', country_of_origin: 'CN', quantity_t: 5 }));
    const l = out.lines[0]!;
    // direct 2.73 x 5 = 13.65; indirect 9.30 x 5 = 46.5; total 12.04 x 5 = 60.2
    expect(l.direct.embedded_tco2e).toBe(13.65);
    expect(l.indirect.embedded_tco2e).toBe(46.5);
    expect(l.total.embedded_tco2e).toBe(60.2);
  });

  it('G7 ammonia 2814 10 00 with actual direct: mixed actual/default, total = sum', async () => {
    const out = await ok(
      single('2025-Q4', {
        cn_code: '28141000',
        country_of_origin: 'EG',
        quantity_t: 40,
        actual_direct_tco2e_per_t: 2.0,
      }),
    );
    const l = out.lines[0]!;
    // direct actual 2.0 x 40 = 80; indirect default 0.14 x 40 = 5.6; total (2.0 + 0.14) x 40 = 85.6
    expect(l.direct).toMatchObject({ embedded_tco2e: 80, source: 'actual', factor_id: null });
    expect(l.indirect).toMatchObject({ embedded_tco2e: 5.6, source: 'default' });
    expect(l.total).toMatchObject({ specific_tco2e_per_t: 2.14, embedded_tco2e: 85.6, source: 'mixed' });
    expect(out.defaults_used.map((d) => d.factor_id)).toEqual([
      'cbam/transitional-2023/cbam/2814/indirect/global/t',
    ]);
  });

  it('G8 other aluminium articles 7616 99 90 (direct-only row) with actual indirect', async () => {
    const out = await ok(
      single('2025-Q2', {
        cn_code: '76169990',
        country_of_origin: 'VN',
        quantity_t: 3,
        actual_indirect_tco2e_per_t: 7,
      }),
    );
    const l = out.lines[0]!;
    // direct default 2.86 x 3 = 8.58; indirect actual 7 x 3 = 21; total (2.86 + 7) x 3 = 29.58
    expect(l.direct).toMatchObject({ embedded_tco2e: 8.58, source: 'default' });
    expect(l.indirect).toMatchObject({ embedded_tco2e: 21, source: 'actual' });
    expect(l.total).toMatchObject({ embedded_tco2e: 29.58, source: 'mixed' });
  });
});

describe('cbam golden: definitive period (2026+), certificates', () => {
  it('G9 hot-rolled flat 7208 51 20 from China, 100 t, 2026, EUR 80', async () => {
    const out = await ok(
      single(
        '2026-Q1',
        { cn_code: '7208 51 20', country_of_origin: 'CN', quantity_t: 100 },
        { carbon_price_eur_per_tco2e: 80 },
      ),
    );
    const l = out.lines[0]!;
    // Annex II good: direct only; default total 3.19 (= direct). Mark-up 2026 10 %:
    // 3.19 x 1.10 = 3.509 t/t (published 2026 column: 3.51); x 100 t = 350.9 t; x EUR 80 = 28 072
    expect(l.indirect.source).toBe('not_applicable');
    expect(l.total).toMatchObject({ specific_tco2e_per_t: 3.19, embedded_tco2e: 319 });
    expect(l.chargeable).toMatchObject({
      basis: 'direct',
      source: 'default',
      base_specific_tco2e_per_t: 3.19,
      mark_up_rate: 0.1,
      specific_tco2e_per_t: 3.509,
      gross_tco2e: 350.9,
      free_allocation: null,
      certificates_tco2e: 350.9,
      cost_eur: 28072,
    });
    expect(out.certificate_obligation).toMatchObject({
      applies: true,
      cbam_factor: 0.975,
      gross_tco2e: 350.9,
      certificates_tco2e: 350.9,
      cost_eur: 28072,
    });
    expect(l.default_region).toBe('CN');
  });

  it('G10 7208 from India, 10 t, 2027 (20 % mark-up), EUR 100', async () => {
    const out = await ok(
      single(
        '2027-Q2',
        { cn_code: '72083900', country_of_origin: 'IN', quantity_t: 10 },
        { carbon_price_eur_per_tco2e: 100 },
      ),
    );
    // 4.28 x 1.20 = 5.136 t/t (published 2027: 5.14); x 10 t = 51.36 t; x EUR 100 = 5 136
    expect(out.lines[0]!.chargeable).toMatchObject({
      specific_tco2e_per_t: 5.136,
      certificates_tco2e: 51.36,
      cost_eur: 5136,
    });
    expect(out.certificate_obligation.cbam_factor).toBe(0.95);
  });

  it('G11 7208 from the United States, 10 t, 2028 (30 % mark-up)', async () => {
    const out = await ok(single('2028-Q1', { cn_code: '72085400', country_of_origin: 'US', quantity_t: 10 }));
    // 1.40 x 1.30 = 1.82 t/t (published 2028: 1.82); x 10 t = 18.2 t; no price -> cost null
    expect(out.lines[0]!.chargeable).toMatchObject({
      specific_tco2e_per_t: 1.82,
      certificates_tco2e: 18.2,
      cost_eur: null,
    });
    expect(out.certificate_obligation.cost_eur).toBeNull();
  });

  it('G12 urea 3102 10 90 from China, 1 000 t, 2026, EUR 70: fertiliser 1 % mark-up on the total', async () => {
    const out = await ok(
      single(
        '2026-Q3',
        { cn_code: '31021090', country_of_origin: 'CN', quantity_t: 1000 },
        { carbon_price_eur_per_tco2e: 70 },
      ),
    );
    const l = out.lines[0]!;
    // direct 2.64 x 1000 = 2640; indirect 0.14 x 1000 = 140; total 2.78 x 1000 = 2780
    // chargeable: direct + indirect, 2.78 x 1.01 = 2.8078 t/t (published 2026: 2.81); x 1000 = 2807.8 t; x 70 = 196 546
    expect(l.direct.embedded_tco2e).toBe(2640);
    expect(l.indirect.embedded_tco2e).toBe(140);
    expect(l.total.embedded_tco2e).toBe(2780);
    expect(l.chargeable).toMatchObject({
      basis: 'direct+indirect',
      mark_up_rate: 0.01,
      specific_tco2e_per_t: 2.8078,
      certificates_tco2e: 2807.8,
      cost_eur: 196546,
    });
  });

  it('G13 actual direct with free allocation adjustment (7208 from Korea)', async () => {
    const out = await ok({
      period: '2026-Q1',
      carbon_price_eur_per_tco2e: 75,
      cross_sectoral_correction_factor: 1,
      lines: [
        {
          cn_code: '72082500',
          country_of_origin: 'KR',
          quantity_t: 200,
          actual_direct_tco2e_per_t: 1.9,
          free_allocation_benchmark_tco2e_per_t: 1.37,
        },
      ],
    });
    const c = out.lines[0]!.chargeable!;
    // gross 1.9 x 200 = 380 (actual: no mark-up); FAA/t = 0.975 x 1 x 1.37 = 1.33575; x 200 = 267.15
    // certificates 380 - 267.15 = 112.85; cost 112.85 x 75 = 8463.75
    expect(c.source).toBe('actual');
    expect(c.mark_up_rate).toBe(0);
    expect(c.gross_tco2e).toBe(380);
    expect(c.free_allocation).toEqual({
      benchmark_tco2e_per_t: 1.37,
      cbam_factor: 0.975,
      cross_sectoral_correction_factor: 1,
      specific_tco2e_per_t: 1.33575,
      adjustment_tco2e: 267.15,
    });
    expect(c.certificates_tco2e).toBe(112.85);
    expect(c.cost_eur).toBe(8463.75);
    expect(out.defaults_used).toEqual([]);
    expect(out.provenance.factors).toEqual([]);
  });

  it('G14 unwrought aluminium from Brazil with the "Other Countries" opt-in', async () => {
    const out = await ok(
      single(
        '2026-Q2',
        { cn_code: '76011000', country_of_origin: 'BR', quantity_t: 10 },
        { allow_other_countries_default: true },
      ),
    );
    const l = out.lines[0]!;
    // OTHER total 2.203 x 1.10 = 2.4233 t/t; x 10 t = 24.233 t
    expect(l.default_region).toBe('OTHER');
    expect(l.chargeable).toMatchObject({
      base_specific_tco2e_per_t: 2.203,
      specific_tco2e_per_t: 2.4233,
      certificates_tco2e: 24.233,
    });
  });

  it('G15 hydrogen from India, 2030, benchmark and CSCF', async () => {
    const out = await ok({
      period: '2030-Q1',
      cross_sectoral_correction_factor: 0.9,
      lines: [
        {
          cn_code: '28041000',
          country_of_origin: 'IN',
          quantity_t: 1,
          free_allocation_benchmark_tco2e_per_t: 5.089,
        },
      ],
    });
    const c = out.lines[0]!.chargeable!;
    // default 14.03 x 1.30 (2028+) = 18.239; FAA 0.515 x 0.9 x 5.089 = 2.3587515
    // certificates 18.239 - 2.3587515 = 15.8802485 -> 15.880249 (6 dp)
    expect(c.specific_tco2e_per_t).toBe(18.239);
    expect(c.free_allocation!.specific_tco2e_per_t).toBe(2.358752);
    expect(c.certificates_tco2e).toBe(15.880249);
    // hydrogen is outside the de minimis rule (Art. 2a(4)): counted mass 0
    expect(out.de_minimis).toMatchObject({ counted_mass_t: 0, within_threshold: true });
  });

  it('G16 adjustment larger than emissions floors certificates at zero', async () => {
    const out = await ok({
      period: '2026-Q1',
      cross_sectoral_correction_factor: 1,
      lines: [
        {
          cn_code: '72081000',
          country_of_origin: 'US',
          quantity_t: 10,
          actual_direct_tco2e_per_t: 0.5,
          free_allocation_benchmark_tco2e_per_t: 1.37,
        },
      ],
    });
    // gross 0.5 x 10 = 5; FAA 0.975 x 1.37 x 10 = 13.3575; max(0, 5 - 13.3575) = 0
    expect(out.lines[0]!.chargeable).toMatchObject({ gross_tco2e: 5, certificates_tco2e: 0 });
    expect(out.certificate_obligation).toMatchObject({
      gross_tco2e: 5,
      free_allocation_adjustment_tco2e: 13.3575,
      certificates_tco2e: 0,
    });
  });

  it('G17 other hydraulic cement 2523 90 00 from China, 2026: total counts (not Annex II)', async () => {
    const out = await ok(single('2026-Q4', { cn_code: '25239000', country_of_origin: 'CN', quantity_t: 10 }));
    const l = out.lines[0]!;
    // direct 1.29 x 10 = 12.9; indirect 0.18 x 10 = 1.8; total 1.46 x 10 = 14.6
    // chargeable 1.46 x 1.10 = 1.606 t/t; x 10 = 16.06 t
    expect(l.direct.embedded_tco2e).toBe(12.9);
    expect(l.indirect.embedded_tco2e).toBe(1.8);
    expect(l.total.embedded_tco2e).toBe(14.6);
    expect(l.chargeable).toMatchObject({
      basis: 'direct+indirect',
      specific_tco2e_per_t: 1.606,
      certificates_tco2e: 16.06,
    });
  });

  it('G18 Portland cement with both actual values: no mark-up', async () => {
    const out = await ok(
      single('2027-Q1', {
        cn_code: '25232900',
        country_of_origin: 'CD',
        quantity_t: 100,
        actual_direct_tco2e_per_t: 0.7,
        actual_indirect_tco2e_per_t: 0.05,
      }),
    );
    // (0.7 + 0.05) x 100 = 75 t, actual values: mark-up 0
    expect(out.lines[0]!.chargeable).toMatchObject({
      source: 'actual',
      mark_up_rate: 0,
      certificates_tco2e: 75,
    });
    expect(out.lines[0]!.default_cn).toBeNull();
  });

  it('G19 two lines: totals and de minimis are summed over lines', async () => {
    const out = await ok({
      period: '2026-Q1',
      carbon_price_eur_per_tco2e: 80,
      lines: [
        { cn_code: '72085120', country_of_origin: 'CN', quantity_t: 20 },
        { cn_code: '31021090', country_of_origin: 'US', quantity_t: 10 },
      ],
    });
    // line 0: total 3.19 x 20 = 63.8; chargeable 3.509 x 20 = 70.18
    // line 1: direct 2.17 x 10 = 21.7, indirect 0.07 x 10 = 0.7, total 2.24 x 10 = 22.4; chargeable 2.24 x 1.01 x 10 = 22.624
    // totals: direct 63.8 + 21.7 = 85.5; indirect 0.7; total 63.8 + 22.4 = 86.2
    // certificates 70.18 + 22.624 = 92.804; cost x 80 = 7424.32; mass 30 t <= 50 t
    expect(out.totals).toEqual({
      quantity_t: 30,
      direct_tco2e: 85.5,
      indirect_tco2e: 0.7,
      total_tco2e: 86.2,
    });
    expect(out.certificate_obligation).toMatchObject({ certificates_tco2e: 92.804, cost_eur: 7424.32 });
    expect(out.de_minimis).toMatchObject({ threshold_t: 50, counted_mass_t: 30, within_threshold: true });
  });
});
