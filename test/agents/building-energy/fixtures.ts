/** Shared helpers for the building-energy tests: run through the real runner and catalogue. */
import { expect } from 'vitest';
import { buildingEnergyAgent } from '../../../lib/agents/building-energy/index.js';
import type { BuildingEnergyOutput } from '../../../lib/agents/building-energy/index.js';
import { runAgent } from '../../../lib/agents/runner.js';
import type { Provenance } from '../../../lib/agents/types.js';
import type { Issue } from '../../../lib/domain/errors.js';
import { FactorCatalogue } from '../../../lib/factors/catalogue.js';

export type BuildingResult = BuildingEnergyOutput & { readonly provenance: Provenance };

export async function runOk(input: unknown): Promise<BuildingResult> {
  const r = await runAgent(buildingEnergyAgent, input, { factors: FactorCatalogue.builtin() });
  if (!r.ok) throw new Error(`expected success, got issues: ${JSON.stringify(r.issues)}`);
  return r.output;
}

export async function runIssues(input: unknown): Promise<Issue[]> {
  const r = await runAgent(buildingEnergyAgent, input, { factors: FactorCatalogue.builtin() });
  if (r.ok) throw new Error(`expected issues, got output: ${JSON.stringify(r.output)}`);
  return r.issues;
}

/** A 10 000 ft2 US K-12 school using 100 000 kWh of grid electricity in 2024, with overrides. */
export function building(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    floor_area: { value: 10_000, unit: 'ft2' },
    property_type: 'K-12 School',
    location: { country: 'US' },
    year: 2024,
    energy: [{ carrier: 'electricity', quantity: 100_000, unit: 'kWh' }],
    ...over,
  };
}

/** Relative tolerance 1e-9 (absolute 1e-9 near zero): outputs keep 12 significant digits. */
export function expectRel(actual: number | null | undefined, expected: number): void {
  expect(typeof actual, `expected a number, got ${String(actual)}`).toBe('number');
  const tol = 1e-9 * Math.max(1, Math.abs(expected));
  expect(Math.abs((actual as number) - expected), `${String(actual)} vs ${expected}`).toBeLessThanOrEqual(
    tol,
  );
}
