import { DomainError, type Issue } from '../domain/errors.js';
import { provenanceOf } from './provenance.js';
import type { Agent, AgentContext, AgentResult } from './types.js';

/**
 * Validates, runs and attaches provenance. Bad input and domain errors (unknown fuel,
 * unit mismatch ...) come back as issues; anything else is a bug and is rethrown.
 */
export async function runAgent<I, O>(
  agent: Agent<I, O>,
  raw: unknown,
  ctx: AgentContext,
): Promise<AgentResult<O>> {
  const parsed = agent.parseInput(raw);
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  try {
    const { output, factorsUsed } = await agent.run(parsed.value, ctx);
    const provenance = provenanceOf(agent.id, agent.version, parsed.value, factorsUsed);
    return { ok: true, output: { ...output, provenance } };
  } catch (err) {
    if (err instanceof DomainError) return { ok: false, issues: issuesOf(err) };
    throw err;
  }
}

function issuesOf(err: DomainError): Issue[] {
  const nested = err.details['issues'];
  if (Array.isArray(nested)) return nested as Issue[];
  const path = typeof err.details['path'] === 'string' ? err.details['path'] : '(root)';
  return [{ path, message: err.message }];
}
