/**
 * Golden cases. Areas: turf's area sums (lon[i+1] - lon[i-1]) * sin(lat[i]) * R^2 / 2, i.e. the
 * exact area of the polygon drawn with straight edges in the Lambert cylindrical equal-area
 * plane (x = R*lon, y = R*sin(lat)), on a sphere of R = 6 371 008.8 m. For a lon/lat rectangle
 * that is the exact spherical area  A = R^2 * dlon[rad] * (sin lat2 - sin lat1).
 * Each expected value below is written out from that formula and re-checked by rectangleHa().
 */
import { describe, expect, it } from 'vitest';
import { baseInput, point, R, rectangle, rectangleHa, rectRing, runOk } from './fixtures.js';

const RAD = Math.PI / 180;

async function polygonResult(geometry: unknown, areaHa?: number) {
  const input = baseInput();
  input.plots = [{ id: 'g', geometry, ...(areaHa === undefined ? {} : { area_ha: areaHa }) }];
  const out = await runOk(input);
  const plot = out.plots[0];
  if (!plot) throw new Error('no plot result');
  return plot;
}

describe('eudr golden: geodesic plot area', () => {
  it('0.01 x 0.01 degree square at the equator is 123.6435 ha', async () => {
    // R^2 = 6371008.8^2 = 4.058975e13 m2; dlon = 0.01 * pi/180 = 1.745329e-4 rad;
    // sin(0.01 deg) = 1.745329e-4; A = 4.058975e13 * 1.745329e-4 * 1.745329e-4 = 1 236 434.6 m2
    const plot = await polygonResult(rectangle(0, 0, 0.01, 0.01));
    expect(plot.computed_area_ha).toBeCloseTo(123.6435, 4);
    expect(plot.computed_area_ha).toBeCloseTo(rectangleHa(0, 0, 0.01, 0.01), 4);
  });

  it('0.001 x 0.001 degree square at the equator is 1.2364 ha (area scales with side^2)', async () => {
    // 123.6435 ha / 100 = 1.2364 ha (sin is linear this close to 0)
    const plot = await polygonResult(rectangle(0, 0, 0.001, 0.001));
    expect(plot.computed_area_ha).toBeCloseTo(1.2364, 4);
  });

  it('0.01 degree square at 60 N is about half the equatorial one: 61.8124 ha', async () => {
    // R^2 * 1.745329e-4 * (sin 60.01 deg - sin 60 deg) = 4.058975e13 * 1.745329e-4 * 8.72526e-5 = 618 123.8 m2
    const plot = await polygonResult(rectangle(0, 60, 0.01, 60.01));
    expect(plot.computed_area_ha).toBeCloseTo(61.8124, 4);
    expect(plot.computed_area_ha).toBeCloseTo(rectangleHa(0, 60, 0.01, 60.01), 4);
  });

  it('0.02 x 0.01 degree rectangle at 10 S (clockwise ring) is 243.5263 ha', async () => {
    // R^2 * (0.02 * pi/180) * (sin(-10) - sin(-10.01)) = 4.058975e13 * 3.490659e-4 * 1.718838e-4 = 2 435 263.2 m2
    const cw = [...rectRing(-55, -10.01, -54.98, -10)].reverse();
    const plot = await polygonResult({ type: 'Polygon', coordinates: [cw] });
    expect(plot.computed_area_ha).toBeCloseTo(243.5263, 4);
  });

  it('a hole is subtracted: 0.01 square minus 0.005 square at the equator is 92.7326 ha', async () => {
    // outer 123.6435 ha - hole (0.005 x 0.005 deg) 30.9109 ha = 92.7326 ha
    const plot = await polygonResult({
      type: 'Polygon',
      coordinates: [rectRing(0, 0, 0.01, 0.01), [...rectRing(0.0025, 0.0025, 0.0075, 0.0075)].reverse()],
    });
    expect(plot.computed_area_ha).toBeCloseTo(92.7326, 4);
  });

  it('a right triangle is exactly half the square in the equal-area plane: 61.8217 ha', async () => {
    // (1/2) * R^2 * dlon * sin(0.01 deg) = 123.64346 / 2 = 61.82173 ha
    const plot = await polygonResult({
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [0.01, 0],
          [0, 0.01],
          [0, 0],
        ],
      ],
    });
    expect(plot.computed_area_ha).toBeCloseTo(61.8217, 4);
  });

  it('a MultiPolygon sums its parts: two 0.001 squares = 2.4729 ha', async () => {
    // 2 * 1.2364346 ha = 2.4728692 ha
    const plot = await polygonResult({
      type: 'MultiPolygon',
      coordinates: [[rectRing(0, 0, 0.001, 0.001)], [rectRing(0.002, 0, 0.003, 0.001)]],
    });
    expect(plot.computed_area_ha).toBeCloseTo(2.4729, 4);
  });

  it('a 200 m x 200 m square at the equator is 4.0000 ha', async () => {
    // side = 200 / R rad = 0.00179864 deg; A = R^2 * (200/R) * sin(200/R) = 40 000 m2 - 6.6e-6 m2
    const side = 200 / R / RAD;
    const plot = await polygonResult(rectangle(0, 0, side, side), 4);
    expect(plot.computed_area_ha).toBeCloseTo(4, 4);
    expect(plot.area.status).toBe('pass');
  });
});

describe('eudr golden: declared-area tolerance max(5 %, 0.1 ha)', () => {
  it('large plot: 118.0 ha declared vs 123.6435 computed passes (5.6435 <= 5 % of 118 = 5.9)', async () => {
    const plot = await polygonResult(rectangle(0, 0, 0.01, 0.01), 118);
    expect(plot.area.status).toBe('pass');
  });

  it('large plot: 117.0 ha declared fails (6.6435 > 5 % of 117 = 5.85)', async () => {
    const plot = await polygonResult(rectangle(0, 0, 0.01, 0.01), 117);
    expect(plot.area.status).toBe('fail');
    expect(plot.area.reason).toBe(
      'computed 123.6435 ha vs declared 117 ha: difference 6.6435 ha (5.68 %), allowed ±5.85 ha',
    );
  });

  it('small plot: 0.1 ha floor applies: 1.2364 computed vs 1.15 declared passes (0.0864 <= 0.1)', async () => {
    // 5 % of 1.15 = 0.0575 would fail; the absolute floor 0.1 ha wins
    const plot = await polygonResult(rectangle(0, 0, 0.001, 0.001), 1.15);
    expect(plot.area.status).toBe('pass');
  });

  it('small plot: 1.10 ha declared fails (0.1364 > max(0.055, 0.1))', async () => {
    const plot = await polygonResult(rectangle(0, 0, 0.001, 0.001), 1.1);
    expect(plot.area.status).toBe('fail');
  });

  it('the tolerance is a parameter: 1 % relative, no floor, fails the 118 ha case', async () => {
    const input = baseInput();
    input.plots = [{ id: 'g', geometry: rectangle(0, 0, 0.01, 0.01), area_ha: 118 }];
    input['area_tolerance'] = { relative: 0.01, absolute_ha: 0 };
    const out = await runOk(input);
    expect(out.plots[0]?.area.status).toBe('fail');
    expect(out.checks.find((c) => c.id === 'declared_area')?.reason).toContain('allowed ±1.18 ha');
  });
});

describe('eudr golden: country risk and due diligence regime (Reg. 2025/1093)', () => {
  it.each([
    ['CI', 'standard', 'full', 'eu/2025-1093/eudr/country-risk/ci/country'],
    ['BR', 'standard', 'full', 'eu/2025-1093/eudr/country-risk/br/country'],
    ['ID', 'standard', 'full', 'eu/2025-1093/eudr/country-risk/id/country'],
    ['RU', 'high', 'full', 'eu/2025-1093/eudr/country-risk/ru/country'],
    ['MM', 'high', 'full', 'eu/2025-1093/eudr/country-risk/mm/country'],
    ['DE', 'low', 'simplified', 'eu/2025-1093/eudr/country-risk/de/country'],
    ['US', 'low', 'simplified', 'eu/2025-1093/eudr/country-risk/us/country'],
    ['GH', 'low', 'simplified', 'eu/2025-1093/eudr/country-risk/gh/country'],
  ])('%s is %s risk with %s due diligence', async (country, level, regime, factorId) => {
    const out = await runOk({ ...baseInput(), country_of_production: country });
    expect(out.risk_level).toBe(level);
    expect(out.due_diligence).toBe(regime);
    expect(out.country_risk_factor_id).toBe(factorId);
    expect(out.provenance.factors).toEqual([
      { id: factorId, dataset: 'eudr-country-benchmark', dataset_version: '2025-1093' },
    ]);
  });

  it('low risk: risk assessment is not applicable (Art. 13), even when none was recorded', async () => {
    const out = await runOk({
      ...baseInput(),
      country_of_production: 'FR',
      evidence: { deforestation_free: true, legally_produced: true },
    });
    const check = out.checks.find((c) => c.id === 'risk_assessment');
    expect(check?.status).toBe('not_applicable');
    expect(out.outcome).toBe('negligible_risk');
    expect(out.statement.status).toBe('draft');
  });

  it('UG is low per the source used, flagged pending verification in the notes', async () => {
    const out = await runOk({ ...baseInput(), country_of_production: 'UG' });
    expect(out.risk_level).toBe('low');
    expect(out.notes[0]).toContain('pending verification');
  });
});

describe('eudr golden: a complete compliant case', () => {
  it('CI cocoa with a polygon and a point plot: negligible risk, statement drafted', async () => {
    // CI-001: R^2 * 0.01 deg * (sin 6.51 - sin 6.5) = 122.8474 ha vs 122.8 declared (diff 0.0474 <= 6.14)
    const out = await runOk(baseInput());
    expect(out.schema_version).toBe('1.0.0');
    expect(out.plots[0]?.computed_area_ha).toBeCloseTo(122.8474, 4);
    expect(out.plots[0]?.computed_area_ha).toBeCloseTo(rectangleHa(-5.5, 6.5, -5.49, 6.51), 4);
    expect(out.totals).toEqual({
      plots: 2,
      polygons: 1,
      points: 1,
      computed_polygon_area_ha: 122.8474,
      declared_area_ha: 126.3,
    });
    expect(out.outcome).toBe('negligible_risk');
    expect(out.failed_checks).toEqual([]);
    expect(out.checks.map((c) => c.id)).toEqual([
      'annex_i_scope',
      'production_date',
      'geolocation_rules',
      'geometry_valid',
      'declared_area',
      'deforestation_cutoff',
      'legality',
      'country_risk',
      'risk_assessment',
    ]);
    expect(out.statement.status).toBe('draft');
    expect(out.statement.missing_fields).toEqual([]);
    expect(out.statement.declaration).toContain('no or only a negligible risk');
    expect(out.statement.geolocation.features.map((f) => f.properties.id)).toEqual(['CI-001', 'CI-002']);
    expect(out.statement.signature).toEqual({
      name: 'A. Jansen',
      function: 'Compliance officer',
      date: '2026-12-30',
    });
  });

  it('cattle: a point locates an establishment whatever its size', async () => {
    const out = await runOk({
      ...baseInput(),
      commodity: 'cattle',
      hs_code: '0102 29 10',
      country_of_production: 'BR',
      plots: [{ id: 'farm-1', geometry: point(-52.1, -15.2), area_ha: 950 }],
    });
    expect(out.annex_i_entry).toEqual({ code: '0102 29', description: 'Live cattle, other', partial: false });
    expect(out.outcome).toBe('negligible_risk');
    expect(out.checks.find((c) => c.id === 'geolocation_rules')?.reason).toContain('establishments');
  });
});
