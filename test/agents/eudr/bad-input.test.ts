/** Bad input comes back as {path, message} issues, never a stack trace or a silent result. */
import { describe, expect, it } from 'vitest';
import { baseInput, point, rectangle, runIssues } from './fixtures.js';

function withPlot(plot: Record<string, unknown>) {
  const input = baseInput();
  input.plots = [plot];
  return input;
}

describe('eudr bad input: GeoJSON', () => {
  it('rejects a geometry type other than Point, Polygon, MultiPolygon', async () => {
    const issues = await runIssues(
      withPlot({
        id: 'a',
        geometry: {
          type: 'LineString',
          coordinates: [
            [0, 0],
            [1, 1],
          ],
        },
      }),
    );
    expect(issues).toEqual([
      {
        path: 'plots.0.geometry.type',
        message: 'geometry must be a GeoJSON Point, Polygon or MultiPolygon with [lon, lat] coordinates',
      },
    ]);
  });

  it('rejects a geometry that is not an object', async () => {
    const issues = await runIssues(withPlot({ id: 'a', geometry: 'POLYGON((0 0, 1 0, 1 1, 0 0))' }));
    expect(issues[0]?.path).toBe('plots.0.geometry');
  });

  it('rejects longitude out of range with the position path', async () => {
    const issues = await runIssues(withPlot({ id: 'a', geometry: rectangle(179.995, 0, 180.005, 0.01) }));
    expect(issues).toContainEqual({
      path: 'plots.0.geometry.coordinates.0.1.0',
      message: 'longitude must be between -180 and 180 (GeoJSON positions are [lon, lat])',
    });
  });

  it('rejects latitude out of range (swapped lat/lon)', async () => {
    const issues = await runIssues(withPlot({ id: 'a', geometry: point(6.5, -95.2), area_ha: 1 }));
    expect(issues).toEqual([
      {
        path: 'plots.0.geometry.coordinates.1',
        message: 'latitude must be between -90 and 90 (GeoJSON positions are [lon, lat])',
      },
    ]);
  });

  it('rejects an unclosed ring', async () => {
    const geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [0.01, 0],
          [0.01, 0.01],
          [0, 0.01],
        ],
      ],
    };
    const issues = await runIssues(withPlot({ id: 'a', geometry }));
    expect(issues).toEqual([
      {
        path: 'plots.0.geometry.coordinates.0',
        message: 'ring is not closed: the last position [0, 0.01] must equal the first [0, 0]',
      },
    ]);
  });

  it('rejects a ring with fewer than 4 positions', async () => {
    const geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [0.01, 0],
          [0, 0],
        ],
      ],
    };
    const issues = await runIssues(withPlot({ id: 'a', geometry }));
    expect(issues[0]).toEqual({
      path: 'plots.0.geometry.coordinates.0',
      message: 'a polygon ring needs at least 4 positions (3 corners and the closing position)',
    });
  });

  it('rejects non-numeric and NaN coordinates', async () => {
    const issues = await runIssues(
      withPlot({ id: 'a', geometry: { type: 'Point', coordinates: [Number.NaN, 'x'] }, area_ha: 1 }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'plots.0.geometry.coordinates.0',
      'plots.0.geometry.coordinates.1',
    ]);
  });

  it('rejects an empty plot list', async () => {
    const issues = await runIssues({ ...baseInput(), plots: [] });
    expect(issues).toEqual([
      { path: 'plots', message: 'at least one plot of land is required (Art. 9(1)(d))' },
    ]);
  });
});

describe('eudr bad input: geolocation rules (Art. 2(28))', () => {
  it('rejects a point for a plot above 4 ha', async () => {
    const issues = await runIssues(withPlot({ id: 'a', geometry: point(-5.4, 6.4), area_ha: 4.01 }));
    expect(issues).toEqual([
      {
        path: 'plots.0.geometry',
        message:
          'plot of 4.01 ha is above 4 ha: Art. 2(28) of Regulation (EU) 2023/1115 requires a polygon describing its perimeter, not a single point',
      },
    ]);
  });

  it('accepts a point for exactly 4 ha and for 0.5 ha (there is no 1 ha minimum)', async () => {
    const input = baseInput();
    input.plots = [
      { id: 'a', geometry: point(-5.4, 6.4), area_ha: 4 },
      { id: 'b', geometry: point(-5.41, 6.41), area_ha: 0.5 },
    ];
    const { run } = await import('./fixtures.js');
    const r = await run(input);
    expect(r.ok).toBe(true);
  });

  it('rejects a point without a declared area', async () => {
    const issues = await runIssues(withPlot({ id: 'a', geometry: point(-5.4, 6.4) }));
    expect(issues).toEqual([
      {
        path: 'plots.0.area_ha',
        message: 'a point is only allowed for plots up to 4 ha: declare area_ha, or give a polygon',
      },
    ]);
  });

  it('rejects duplicate plot ids', async () => {
    const input = baseInput();
    input.plots = [
      { id: 'x', geometry: point(-5.4, 6.4), area_ha: 1 },
      { id: 'x', geometry: point(-5.41, 6.41), area_ha: 1 },
    ];
    expect(await runIssues(input)).toEqual([
      { path: 'plots.1.id', message: 'duplicate plot id (also plots.0)' },
    ]);
  });
});

describe('eudr bad input: quantities', () => {
  it.each([
    [Number.NaN, 'Invalid input: expected number, received NaN'],
    [-2, 'area must be greater than 0 ha'],
    [0, 'area must be greater than 0 ha'],
  ])('rejects declared area %s', async (areaHa, message) => {
    const issues = await runIssues(
      withPlot({ id: 'a', geometry: rectangle(0, 0, 0.01, 0.01), area_ha: areaHa }),
    );
    expect(issues).toEqual([{ path: 'plots.0.area_ha', message }]);
  });

  it('rejects Infinity and negative net mass', async () => {
    const a = await runIssues({
      ...baseInput(),
      product: { description: 'x', net_mass_kg: Number.POSITIVE_INFINITY },
    });
    expect(a[0]?.path).toBe('product.net_mass_kg');
    const b = await runIssues({ ...baseInput(), product: { description: 'x', net_mass_kg: -1 } });
    expect(b).toEqual([{ path: 'product.net_mass_kg', message: 'net mass must be greater than 0 kg' }]);
  });

  it('rejects a negative area tolerance', async () => {
    const issues = await runIssues({ ...baseInput(), area_tolerance: { relative: -0.05, absolute_ha: 0.1 } });
    expect(issues[0]?.path).toBe('area_tolerance.relative');
  });
});

describe('eudr bad input: HS code (Annex I, no chapter fallback)', () => {
  it("rejects a code not in Annex I, listing the commodity's codes", async () => {
    const issues = await runIssues({ ...baseInput(), hs_code: '1901 90' });
    expect(issues).toEqual([
      {
        path: 'hs_code',
        message:
          "HS code '190190' is not in Annex I of Regulation (EU) 2023/1115. Annex I codes for cocoa: 1801, 1802, 1803, 1804, 1805, 1806",
      },
    ]);
  });

  it('rejects a chapter-only code', async () => {
    const issues = await runIssues({ ...baseInput(), hs_code: '18' });
    expect(issues[0]?.path).toBe('hs_code');
    expect(issues[0]?.message).toMatch(/^'18' is a chapter, not a product code/);
  });

  it('rejects a chapter-only code even where the Annex lists the whole chapter (Ch. 47)', async () => {
    const issues = await runIssues({ ...baseInput(), commodity: 'wood', hs_code: '47' });
    expect(issues[0]?.message).toMatch(/is a chapter, not a product code/);
  });

  it('rejects a heading listed only by some of its subheadings (0102 without 21/29)', async () => {
    const issues = await runIssues({ ...baseInput(), commodity: 'cattle', hs_code: '0102' });
    expect(issues).toEqual([
      {
        path: 'hs_code',
        message: 'Heading 0102 is only partly in Annex I: give the subheading (0102 21, 0102 29)',
      },
    ]);
  });

  it('rejects buffalo (0102 31) as not in Annex I rather than matching chapter 01', async () => {
    const issues = await runIssues({ ...baseInput(), commodity: 'cattle', hs_code: '0102 31 00' });
    expect(issues[0]?.message).toMatch(/^HS code '01023100' is not in Annex I/);
  });

  it('rejects letters and odd lengths', async () => {
    expect((await runIssues({ ...baseInput(), hs_code: '18O1' }))[0]?.message).toContain('digits only');
    expect((await runIssues({ ...baseInput(), hs_code: '18010' }))[0]?.message).toContain(
      '4, 6, 8 or 10 digits',
    );
  });

  it('rejects an unknown commodity listing the allowed ones', async () => {
    const issues = await runIssues({ ...baseInput(), commodity: 'palm oil' });
    expect(issues[0]?.path).toBe('commodity');
    expect(issues[0]?.message).toContain('"oil_palm"');
  });
});

describe('eudr bad input: country and dates', () => {
  it('rejects an alpha-3 country code with a hint', async () => {
    const issues = await runIssues({ ...baseInput(), country_of_production: 'CIV' });
    expect(issues).toEqual([
      {
        path: 'country_of_production',
        message: "ISO 3166-1 alpha-2 country code expected, e.g. 'BR', 'CI', 'ID' (not 'BRA')",
      },
    ]);
  });

  it('rejects an unassigned alpha-2 code found in no benchmark', async () => {
    const issues = await runIssues({ ...baseInput(), country_of_production: 'XK' });
    expect(issues).toEqual([
      {
        path: 'country_of_production',
        message:
          "Unknown country 'XK': use an ISO 3166-1 alpha-2 code, e.g. BR (Brazil), CI (Côte d'Ivoire), ID (Indonesia)",
      },
    ]);
  });

  it('rejects an assessment date before any benchmark was in force', async () => {
    const issues = await runIssues({
      ...baseInput(),
      production_period: { from: '2024-01-01', to: '2024-02-01' },
      assessment_date: '2025-01-15',
    });
    expect(issues).toEqual([
      {
        path: 'assessment_date',
        message:
          'No EUDR country benchmark in force on 2025-01-15: Implementing Regulation (EU) 2025/1093 applies from 2025-05-26',
      },
    ]);
  });

  it.each([
    ['2021-02-30', 'production_period.from'],
    ['2021/01/01', 'production_period.from'],
    ['yesterday', 'production_period.from'],
  ])('rejects the non-date %s', async (from, path) => {
    const issues = await runIssues({ ...baseInput(), production_period: { from, to: '2026-01-01' } });
    expect(issues).toEqual([{ path, message: 'expected a calendar date YYYY-MM-DD' }]);
  });

  it('rejects a period that ends before it starts', async () => {
    const issues = await runIssues({
      ...baseInput(),
      production_period: { from: '2026-02-01', to: '2026-01-01' },
    });
    expect(issues).toEqual([
      { path: 'production_period.to', message: 'production period ends before it starts' },
    ]);
  });

  it('rejects production and deforestation dates after the assessment date', async () => {
    const input = { ...baseInput(), assessment_date: '2026-03-01' };
    input.plots[0] = { ...input.plots[0], deforestation_date: '2026-05-01' };
    const issues = await runIssues(input);
    expect(issues).toEqual([
      { path: 'plots.0.deforestation_date', message: 'date is after the assessment date 2026-03-01' },
      { path: 'production_period.to', message: 'production cannot end after the assessment date 2026-03-01' },
    ]);
  });

  it('rejects unknown fields (typos are not silently dropped)', async () => {
    const issues = await runIssues({ ...baseInput(), countryOfOrigin: 'CI' });
    expect(issues[0]?.path).toBe('(root)');
    expect(issues[0]?.message).toContain('countryOfOrigin');
  });
});
