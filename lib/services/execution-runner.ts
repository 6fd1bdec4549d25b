/**
 * Runs one stored execution: resolve the pinned agent version, claim (PENDING -> RUNNING with a
 * lease), run through the same runner as certification, then complete or fail. Used inline by
 * synchronous requests and by the in-process dispatcher; the queue workers (worker.ts) do the
 * same steps around their hooks. Both share ExecutionStep: the result cache and the events.
 */
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { runAgent } from '../agents/runner.js';
import type { Agent, AgentContext, AgentResult } from '../agents/types.js';
import { monthOf } from '../domain/execution-ids.js';
import { MAX_LEASE_MS } from '../domain/execution-request.js';
import { ExecutionConflictError, type Execution, type ExecutionError } from '../domain/execution.js';
import type { EventBus } from '../ports/event-bus.js';
import type { ExecutionStore } from '../ports/execution-store.js';
import type { ResultCache } from '../ports/result-cache.js';
import type { AgentRegistryService, Resolution } from './agent-registry.js';
import { agentFor } from './agent-registry-certify.js';
import { ExecutionStep } from './execution-step.js';

/** An execution as a run returns it (`servedFromCache` is on the record itself). */
export type RunExecution = Execution;

type Outcome =
  { ok: true; output: unknown; cached: boolean } | { ok: false; error: ExecutionError; cached: false };

class RunTimedOut extends Error {}

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
  /** Result cache keyed by the provenance hash; absent = every run computes. */
  readonly cache?: ResultCache;
  /** Where execution.started / completed / failed / timed_out go; absent = no events from here. */
  readonly bus?: EventBus;
}

/** Loaded agents kept per stored version: a published version's manifest never changes. */
const MAX_CACHED_AGENTS = 500;

export class ExecutionRunner {
  private readonly loaded = new Map<string, Agent>();
  private readonly clock: () => Date;
  private readonly logger: Pick<Logger, 'error'>;
  private readonly step: ExecutionStep;

  constructor(private readonly options: ExecutionRunnerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger ?? new Logger({ serviceName: 'executions' });
    this.step = new ExecutionStep({
      context: options.context,
      logger: this.logger,
      ...(options.cache ? { cache: options.cache } : {}),
      ...(options.bus ? { bus: options.bus } : {}),
    });
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

  /** The result-cache key (see ExecutionStep). */
  cacheKeyOf(agentId: string, agentVersion: string, input: unknown): string {
    return this.step.cacheKeyOf(agentId, agentVersion, input);
  }

  /**
   * Claims and runs a PENDING execution. Losing the claim (another runner has it, or it was
   * cancelled) is not an error: the execution as it now is comes back. A run longer than the
   * agent manifest's `timeoutMs` is abandoned and the execution becomes TIMED_OUT.
   */
  async run(tenantId: string, executionId: string): Promise<RunExecution> {
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
    await this.step.announce(pending, claimed);
    const started = performance.now();
    try {
      let finished: Execution;
      try {
        const outcome = await this.computeCached(tenantId, claimed);
        finished = outcome.ok
          ? await store.complete(tenantId, executionId, token, outcome.output, {
              servedFromCache: outcome.cached,
            })
          : await store.fail(tenantId, executionId, token, outcome.error);
      } catch (err) {
        if (!(err instanceof RunTimedOut)) throw err;
        finished = await store.timeOut(tenantId, executionId, { leaseToken: token });
      }
      await this.step.announce(claimed, finished);
      return finished;
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

  /** Through the shared step (result cache): identical requests compute once. */
  private async computeCached(tenantId: string, e: Execution): Promise<Outcome> {
    let agent: Agent;
    try {
      agent = this.agentOf(await this.options.registry.resolve(tenantId, `${e.agentId}@${e.agentVersion}`));
    } catch (err) {
      return this.internalError(tenantId, e, err);
    }
    try {
      const { result, cached } = await this.step.compute(tenantId, e, () =>
        this.withTimeout(agent.manifest.timeoutMs, runAgent(agent, e.input, this.options.context)),
      );
      return result.ok ? { ok: true, output: result.output, cached } : this.rejected(e, result);
    } catch (err) {
      if (err instanceof RunTimedOut) throw err;
      return this.internalError(tenantId, e, err);
    }
  }

  private async withTimeout<T>(ms: number, work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RunTimedOut(`no result within ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  private rejected(e: Execution, result: AgentResult & { ok: false }): Outcome {
    return {
      ok: false,
      cached: false,
      error: {
        code: 'agent_rejected_input',
        message: `${e.agentId}@${e.agentVersion} could not compute a result; see issues`,
        issues: result.issues.slice(0, 200),
      },
    };
  }

  /** A bug or an unavailable dependency: a neutral reason on the record, details in the log only. */
  private internalError(tenantId: string, e: Execution, err: unknown): Outcome {
    this.logger.error('Execution failed unexpectedly', {
      tenantId,
      executionId: e.executionId,
      error: err as Error,
    });
    const message = 'The execution failed because of an internal error; retry it or contact support';
    return { ok: false, cached: false, error: { code: 'internal_error', message } };
  }
}
