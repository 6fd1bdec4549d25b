/** Bad input comes back as {path, message} issues, never a stack trace or an invented value. */
import { describe, expect, it } from 'vitest';
import { issues, single } from './fixtures.js';

const line = { cn_code: '72085120', country_of_origin: 'CN', quantity_t: 10 };

describe('cbam bad input: CN codes', () => {
  it('rejects a code outside Annex I and lists the CBAM headings', async () => {
    const got = await issues(single('2026-Q1', { ...line, cn_code: '8471 30 00' }));
    expect(got).toHaveLength(1);
    expect(got[0]!.path).toBe('lines.0.cn_code');
    expect(got[0]!.message).toContain('CN 8471 30 00 is not a CBAM good');
    expect(got[0]!.message).toContain('2523 10 00');
  });

  it('rejects CN 7204 (ferrous scrap) explicitly', async () => {
    const got = await issues(single('2026-Q1', { ...line, cn_code: '72044910' }));
    expect(got.map((i) => i.path)).toEqual(['lines.0.cn_code']);
    expect(got[0]!.message).toContain('Ferrous waste and scrap');
    expect(got[0]!.message).toContain('excluded from CBAM');
  });

  it('rejects excluded ferro-alloys and PK fertilisers', async () => {
    const got = await issues({
      period: '2025-Q1',
      lines: [
        { ...line, cn_code: '72022100' },
        { ...line, cn_code: '31056000' },
      ],
    });
    expect(got.map((i) => i.path)).toEqual(['lines.0.cn_code', 'lines.1.cn_code']);
    expect(got[0]!.message).toContain('Ferro-silicon');
    expect(got[1]!.message).toContain('phosphorus and potassium');
  });

  it('rejects a CN code that is not 8 digits', async () => {
    const got = await issues(single('2026-Q1', { ...line, cn_code: '7208' }));
    expect(got.map((i) => i.path)).toEqual(['lines.0.cn_code']);
    expect(got[0]!.message).toContain('8 digits');
  });

  it('rejects electricity: declared in MWh, not tonnes', async () => {
    const got = await issues(single('2026-Q1', { ...line, cn_code: '27160000' }));
    expect(got[0]!.path).toBe('lines.0.cn_code');
    expect(got[0]!.message).toContain('MWh');
  });

  it('never falls back to a chapter: in-scope goods without a published default need actual values', async () => {
    // 7210 and 7326 are CBAM goods; chapter 72/73 rows (7208, 7306 40) must not be used for them.
    const got = await issues({
      period: '2025-Q1',
      lines: [
        { ...line, cn_code: '72104900' },
        { ...line, cn_code: '73269098' },
      ],
    });
    expect(got.map((i) => i.path)).toEqual([
      'lines.0.actual_direct_tco2e_per_t',
      'lines.1.actual_direct_tco2e_per_t',
    ]);
    expect(got[0]!.message).toContain('No published CBAM default value for CN 7210 49 00');
    expect(got[0]!.message).toContain('actual emissions are required');
  });

  it('accepts the same good once actual emissions are given', async () => {
    const got = await issues(
      single('2025-Q1', { ...line, cn_code: '72104900', actual_direct_tco2e_per_t: 2 }),
    );
    expect(got.map((i) => i.path)).toEqual(['lines.0.actual_direct_tco2e_per_t']);
    expect(got[0]!.message).toContain('actual_indirect_tco2e_per_t');
  });

  it('asks for the missing component of a partially published default', async () => {
    // 7616 99 90 has a published direct value only.
    const got = await issues(single('2025-Q1', { ...line, cn_code: '76169990' }));
    expect(got).toHaveLength(1);
    expect(got[0]!.path).toBe('lines.0.actual_indirect_tco2e_per_t');
    expect(got[0]!.message).toContain('actual indirect emissions are required');
  });
});

describe('cbam bad input: numbers', () => {
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['negative', -1],
    ['zero', 0],
    ['a string', '10'],
  ])('rejects a %s quantity at lines.0.quantity_t', async (_label, quantity) => {
    const got = await issues(single('2026-Q1', { ...line, quantity_t: quantity }));
    expect(got.map((i) => i.path)).toEqual(['lines.0.quantity_t']);
  });

  it('rejects negative or non-finite actual emissions and prices', async () => {
    const got = await issues({
      period: '2026-Q1',
      carbon_price_eur_per_tco2e: -5,
      lines: [
        { ...line, actual_direct_tco2e_per_t: -0.1 },
        { ...line, actual_indirect_tco2e_per_t: Number.NEGATIVE_INFINITY },
      ],
    });
    expect(got.map((i) => i.path).sort()).toEqual([
      'carbon_price_eur_per_tco2e',
      'lines.0.actual_direct_tco2e_per_t',
      'lines.1.actual_indirect_tco2e_per_t',
    ]);
  });

  it('rejects unknown fields instead of silently dropping them', async () => {
    const got = await issues(single('2026-Q1', { ...line, actual_direct: 1.2 }));
    expect(got).toHaveLength(1);
    expect(got[0]!.path).toBe('lines.0');
    expect(got[0]!.message).toContain('actual_direct');
  });
});

describe('cbam bad input: periods', () => {
  it.each(['2026Q1', '2026-Q5', '26-Q1', '2026-q1'])('rejects malformed period %s', async (period) => {
    const got = await issues(single(period, line));
    expect(got).toEqual([{ path: 'period', message: 'Expected a quarter like "2026-Q1"' }]);
  });

  it('rejects quarters before the transitional period', async () => {
    const got = await issues(single('2023-Q3', line));
    expect(got).toHaveLength(1);
    expect(got[0]!.path).toBe('period');
    expect(got[0]!.message).toContain('2023-Q4');
  });
});

describe('cbam bad input: countries', () => {
  it('rejects an unknown ISO code', async () => {
    const got = await issues(single('2026-Q1', { ...line, country_of_origin: 'XX' }));
    expect(got).toEqual([
      {
        path: 'lines.0.country_of_origin',
        message: 'Unknown country code "XX": expected an ISO 3166-1 alpha-2 code such as CN, IN, TR, US',
      },
    ]);
  });

  it('rejects a three-letter code', async () => {
    const got = await issues(single('2026-Q1', { ...line, country_of_origin: 'CHN' }));
    expect(got.map((i) => i.path)).toEqual(['lines.0.country_of_origin']);
  });

  it('rejects EU origin and Annex III countries', async () => {
    const got = await issues({
      period: '2026-Q1',
      lines: [
        { ...line, country_of_origin: 'DE' },
        { ...line, country_of_origin: 'NO' },
      ],
    });
    expect(got.map((i) => i.path)).toEqual(['lines.0.country_of_origin', 'lines.1.country_of_origin']);
    expect(got[0]!.message).toContain('EU customs territory');
    expect(got[1]!.message).toContain('Annex III');
  });

  it('does not silently use "Other Countries" for a country missing from the bundled table', async () => {
    const got = await issues(single('2026-Q1', { ...line, country_of_origin: 'BR' }));
    expect(got).toHaveLength(1);
    expect(got[0]!.path).toBe('lines.0.actual_direct_tco2e_per_t');
    expect(got[0]!.message).toContain('cover only CN, IN, KR, OTHER, TR, US, not BR');
    expect(got[0]!.message).toContain('allow_other_countries_default');
  });
});

describe('cbam bad input: definitive-period rules', () => {
  it('needs both actual components for cement and fertilisers, or neither', async () => {
    const got = await issues(
      single('2026-Q1', {
        cn_code: '25239000',
        country_of_origin: 'CN',
        quantity_t: 1,
        actual_direct_tco2e_per_t: 1,
      }),
    );
    expect(got).toHaveLength(1);
    expect(got[0]!.path).toBe('lines.0.actual_indirect_tco2e_per_t');
  });

  it('needs a cross-sectoral correction factor when a benchmark is given', async () => {
    const got = await issues(single('2026-Q1', { ...line, free_allocation_benchmark_tco2e_per_t: 1.37 }));
    expect(got).toHaveLength(1);
    expect(got[0]!.path).toBe('cross_sectoral_correction_factor');
  });

  it('reports every problem of every line at once', async () => {
    const got = await issues({
      period: '2026-Q1',
      lines: [
        { ...line, cn_code: '72041000' },
        line,
        { ...line, country_of_origin: 'ZZ' },
        { ...line, cn_code: '73021010' },
      ],
    });
    expect(got.map((i) => i.path)).toEqual([
      'lines.0.cn_code',
      'lines.2.country_of_origin',
      'lines.3.actual_direct_tco2e_per_t',
    ]);
  });
});
