/** Shared helpers for the fuel-emissions tests: run through the real runner and catalogue. */
import { expect } from 'vitest';
import type { Issue } from '../../../lib/domain/errors.js';
import { fuelEmissionsAgent } from '../../../lib/agents/fuel-emissions/index.js';
import type { FuelEmissionsOutput } from '../../../lib/agents/fuel-emissions/index.js';
import { runAgent } from '../../../lib/agents/runner.js';
import type { Provenance } from '../../../lib/agents/types.js';
import { FactorCatalogue } from '../../../lib/factors/catalogue.js';

export const YEAR_2024 = { start: '2024-01-01', end: '2024-12-31' } as const;
export const YEAR_2023 = { start: '2023-01-01', end: '2023-12-31' } as const;

export type FuelResult = FuelEmissionsOutput & { readonly provenance: Provenance };

export async function runOk(input: unknown): Promise<FuelResult> {
  const r = await runAgent(fuelEmissionsAgent, input, { factors: FactorCatalogue.builtin() });
  if (!r.ok) throw new Error(`expected success, got issues: ${JSON.stringify(r.issues)}`);
  return r.output;
}

export async function runIssues(input: unknown): Promise<Issue[]> {
  const r = await runAgent(fuelEmissionsAgent, input, { factors: FactorCatalogue.builtin() });
  if (r.ok) throw new Error(`expected issues, got output: ${JSON.stringify(r.output)}`);
  return r.issues;
}

/** One line, DESNZ 2024 unless overridden. */
export function oneLine(line: Record<string, unknown>, top: Record<string, unknown> = {}): unknown {
  return { ...top, lines: [{ period: YEAR_2024, ...line }] };
}

/** Relative tolerance 1e-9 (absolute 1e-9 near zero): outputs keep 12 significant digits. */
export function expectRel(actual: number | null | undefined, expected: number): void {
  expect(typeof actual, `expected a number, got ${String(actual)}`).toBe('number');
  const tol = 1e-9 * Math.max(1, Math.abs(expected));
  expect(Math.abs((actual as number) - expected), `${String(actual)} vs ${expected}`).toBeLessThanOrEqual(
    tol,
  );
}
