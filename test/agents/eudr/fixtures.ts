/** Builders shared by the eudr tests: a valid base input and simple lon/lat polygons. */
import { eudrAgent } from '../../../lib/agents/eudr/index.js';
import { runAgent } from '../../../lib/agents/runner.js';
import { FactorCatalogue } from '../../../lib/factors/catalogue.js';
import { eudrDataset } from '../../../lib/factors/datasets/eudr.js';

/** Only the EUDR benchmark: these tests do not depend on other datasets loading. */
export const catalogue = new FactorCatalogue(eudrDataset.factors, eudrDataset.datasets);

export const R = 6_371_008.8; // turf's earthRadius (mean radius, metres)
const RAD = Math.PI / 180;

/**
 * Independent oracle for a lon/lat rectangle on the sphere:
 *   A = R^2 * (lon2 - lon1)[rad] * |sin(lat2) - sin(lat1)|, in hectares (/ 10 000).
 * (Exact spherical area of the zone between two parallels and two meridians.)
 */
export function rectangleHa(lon1: number, lat1: number, lon2: number, lat2: number): number {
  return (R * R * (lon2 - lon1) * RAD * Math.abs(Math.sin(lat2 * RAD) - Math.sin(lat1 * RAD))) / 10_000;
}

export type Ring = [number, number][];

/** Counter-clockwise closed ring of the rectangle [lon1, lon2] x [lat1, lat2]. */
export function rectRing(lon1: number, lat1: number, lon2: number, lat2: number): Ring {
  return [
    [lon1, lat1],
    [lon2, lat1],
    [lon2, lat2],
    [lon1, lat2],
    [lon1, lat1],
  ];
}

export function rectangle(lon1: number, lat1: number, lon2: number, lat2: number) {
  return { type: 'Polygon' as const, coordinates: [rectRing(lon1, lat1, lon2, lat2)] };
}

export function point(lon: number, lat: number) {
  return { type: 'Point' as const, coordinates: [lon, lat] as [number, number] };
}

/** A complete, compliant cocoa import from Côte d'Ivoire (standard risk). */
export function baseInput(): Record<string, unknown> & { plots: Record<string, unknown>[] } {
  return {
    commodity: 'cocoa',
    hs_code: '1801 00 00',
    country_of_production: 'CI',
    production_period: { from: '2025-10-01', to: '2026-03-31' },
    plots: [
      { id: 'CI-001', geometry: rectangle(-5.5, 6.5, -5.49, 6.51), area_ha: 122.8 },
      { id: 'CI-002', geometry: point(-5.45123, 6.40567), area_ha: 3.5 },
    ],
    product: { description: 'Cocoa beans, whole, raw', trade_name: 'Grade I beans', net_mass_kg: 24_000 },
    operator: {
      name: 'Example Cocoa Imports BV',
      address: 'Havenstraat 1, 1000 AA Amsterdam, NL',
      eori: 'NL123456789',
      signatory: { name: 'A. Jansen', function: 'Compliance officer' },
    },
    evidence: {
      deforestation_free: true,
      legally_produced: true,
      risk_assessment_done: true,
      risk_negligible: true,
    },
    assessment_date: '2026-12-30',
  };
}

export async function run(input: unknown) {
  return runAgent(eudrAgent, input, { factors: catalogue });
}

/** Runs and returns the output, failing the test with the issues if the run was rejected. */
export async function runOk(input: unknown) {
  const r = await run(input);
  if (!r.ok) throw new Error(`expected ok, got issues: ${JSON.stringify(r.issues)}`);
  return r.output;
}

/** Runs and returns the issues, failing the test if the run succeeded. */
export async function runIssues(input: unknown) {
  const r = await run(input);
  if (r.ok) throw new Error('expected issues, got an output');
  return r.issues;
}
