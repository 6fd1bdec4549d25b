/** Shared helpers for the cbam tests: run the agent against the bundled catalogue. */
import { cbamAgent } from '../../../lib/agents/cbam/index.js';
import type { CbamOutput } from '../../../lib/agents/cbam/schema.js';
import { runAgent } from '../../../lib/agents/runner.js';
import type { Issue } from '../../../lib/domain/errors.js';
import type { AgentResult, Provenance } from '../../../lib/agents/types.js';
import { FactorCatalogue } from '../../../lib/factors/catalogue.js';

export const ctx = { factors: FactorCatalogue.builtin() };

export function run(input: unknown): Promise<AgentResult<CbamOutput>> {
  return runAgent(cbamAgent, input, ctx);
}

export async function ok(input: unknown): Promise<CbamOutput & { provenance: Provenance }> {
  const r = await run(input);
  if (!r.ok) throw new Error(`expected success, got issues: ${JSON.stringify(r.issues)}`);
  return r.output;
}

export async function issues(input: unknown): Promise<Issue[]> {
  const r = await run(input);
  if (r.ok) throw new Error('expected issues, got a result');
  return r.issues;
}

/** One-line input. */
export function single(period: string, line: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { period, lines: [line], ...extra };
}
