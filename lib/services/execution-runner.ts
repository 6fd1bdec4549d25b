/**
 * Runs one stored execution: resolve the pinned agent version, claim (PENDING -> RUNNING with a
 * lease), run through the same runner as certification, then complete or fail. Used inline by
 * synchronous requests and by the in-process dispatcher; the queue workers of the engine do the
 * same steps around their own hooks.
 */
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { runAgent } from '../agents/runner.js';
import type { Agent, AgentContext } from '../agents/types.js';
import { monthOf } from '../domain/execution-ids.js';
import { MAX_LEASE_MS } from '../domain/execution-request.js';
import { ExecutionConflictError, type Execution, type ExecutionError } from '../domain/execution.js';
import type { ExecutionStore } from '../ports/execution-store.js';
import type { AgentRegistryService, Resolution } from './agent-registry.js';
import { agentFor } from './agent-registry-certify.js';

export interface ExecutionRunnerOptions {
  readonly store: ExecutionStore;
  readonly registry: AgentRegistryService;
  /** Shipped code agents (built-in versions run this code). */
  readonly builtins: readonly Agent[];
  /** The calculation core's context (factor catalogue). */
  readonly context: AgentContext;
  readonly clock?: () => Date;
  /** Where unexpected failures are logged with their stack (never returned to a client). */
  readonly logger?: Pick<Logger, 'error'>;
}

/** Loaded agents kept per stored version: a published version's manifest never changes. */
const MAX_CACHED_AGENTS = 500;

export class ExecutionRunner {
  private readonly loaded = new Map<string, Agent>();
  private readonly clock: () => Date;
  private readonly logger: Pick<Logger, 'error'>;

  constructor(private readonly options: ExecutionRunnerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger ?? new Logger({ serviceName: 'executions' });
  }

  /** The runnable agent of a resolved version (a declarative spec is compiled once). */
  agentOf(resolution: Resolution): Agent {
    const key = `${resolution.agent.id}@${resolution.version.version}`;
    let agent = this.loaded.get(key);
    if (!agent) {
      agent = agentFor(resolution.agent, resolution.version, this.options.builtins, this.options.context);
      if (this.loaded.size >= MAX_CACHED_AGENTS) this.loaded.clear();
      this.loaded.set(key, agent);
    }
    return agent;
  }

  /**
   * Claims and runs a PENDING execution. Losing the claim (another runner has it, or it was
   * cancelled) is not an error: the execution as it now is comes back.
   */
  async run(tenantId: string, executionId: string): Promise<Execution> {
    const { store } = this.options;
    const pending = await store.get(tenantId, executionId);
    if (pending.status !== 'PENDING') return pending;
    let claimed: Execution;
    try {
      claimed = await store.claim(tenantId, executionId, MAX_LEASE_MS);
    } catch (err) {
      if (err instanceof ExecutionConflictError) return store.get(tenantId, executionId);
      throw err;
    }
    const token = claimed.leaseToken!;
    const started = performance.now();
    try {
      const outcome = await this.compute(tenantId, claimed);
      return outcome.ok
        ? await store.complete(tenantId, executionId, token, outcome.output)
        : await store.fail(tenantId, executionId, token, outcome.error);
    } catch (err) {
      // Cancelled (or timed out by a sweeper) while running: the state it is in now stands.
      if (err instanceof ExecutionConflictError) return store.get(tenantId, executionId);
      throw err;
    } finally {
      const computeMs = Math.max(1, Math.round(performance.now() - started));
      await store.addUsage(tenantId, monthOf(this.clock()), { computeMs }).catch((err: unknown) => {
        this.logger.error('Usage counter update failed', { tenantId, executionId, error: err as Error });
      });
    }
  }

  private async compute(
    tenantId: string,
    e: Execution,
  ): Promise<{ ok: true; output: unknown } | { ok: false; error: ExecutionError }> {
    try {
      const resolution = await this.options.registry.resolve(tenantId, `${e.agentId}@${e.agentVersion}`);
      const result = await runAgent(this.agentOf(resolution), e.input, this.options.context);
      if (result.ok) return { ok: true, output: result.output };
      return {
        ok: false,
        error: {
          code: 'agent_rejected_input',
          message: `${e.agentId}@${e.agentVersion} could not compute a result; see issues`,
          issues: result.issues.slice(0, 200),
        },
      };
    } catch (err) {
      // A bug or an unavailable dependency: a neutral reason on the record, details in the log only.
      this.logger.error('Execution failed unexpectedly', {
        tenantId,
        executionId: e.executionId,
        error: err as Error,
      });
      const message = 'The execution failed because of an internal error; retry it or contact support';
      return { ok: false, error: { code: 'internal_error', message } };
    }
  }
}
