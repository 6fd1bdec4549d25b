/**
 * Certification: a version's golden tests run against the calculation core with the
 * same runner the execution path uses. Any failing case blocks certification.
 */
import { SpecError, loadSpecObject } from '../agents/declarative/index.js';
import { runAgent } from '../agents/runner.js';
import type { Agent, AgentContext } from '../agents/types.js';
import { partialMismatches } from '../domain/agent-manifest.js';
import { ConflictError, type Issue } from '../domain/errors.js';
import type { AgentRecord, AgentVersionRecord } from '../ports/agent-registry-store.js';

export interface GoldenFailure {
  readonly name: string;
  readonly problems: readonly Issue[];
}

export class CertificationFailedError extends ConflictError {
  override readonly code = 'certification_failed';
  constructor(
    subject: string,
    readonly failures: readonly GoldenFailure[],
  ) {
    super(
      `${subject} cannot be certified: ${failures.length} golden test(s) failed: ${failures
        .map((f) => `"${f.name}" (${f.problems.map((p) => `${p.path}: ${p.message}`).join('; ')})`)
        .join(', ')}`,
      { failures },
    );
  }
}

/** The runnable agent for a stored version: shipped code for built-ins, the spec for declarative ones. */
export function agentFor(
  agent: AgentRecord,
  version: AgentVersionRecord,
  builtins: readonly Agent[],
  ctx: AgentContext,
): Agent {
  if (agent.kind === 'builtin') {
    const code = builtins.find((b) => b.id === agent.name && b.version === version.version);
    if (!code) {
      throw new ConflictError(
        `No built-in code for ${agent.name}@${version.version}; built-in versions ship with the platform`,
      );
    }
    return code;
  }
  const loaded = loadSpecObject(version.manifest, ctx, `${agent.name}@${version.version}`);
  if (loaded instanceof SpecError) throw loaded;
  return loaded;
}

/** Runs every golden test; returns the failures (empty when all pass). */
export async function runGoldenTests(
  runnable: Agent,
  version: AgentVersionRecord,
  ctx: AgentContext,
): Promise<GoldenFailure[]> {
  const failures: GoldenFailure[] = [];
  for (const test of version.goldenTests) {
    const result = await runAgent(runnable, test.input, ctx);
    const problems = result.ok ? partialMismatches(test.expected, result.output) : result.issues;
    if (problems.length > 0) failures.push({ name: test.name, problems });
  }
  return failures;
}
