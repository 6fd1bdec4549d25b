/**
 * Runs one stored execution: resolve the pinned agent version, claim (PENDING -> RUNNING with a
 * lease), run through the same runner as certification, then complete or fail. Used inline by
 * synchronous requests and by the in-process dispatcher; the queue workers of the engine do the
 * same steps around their own hooks.
 */
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { canonicalJson, sha256Hex } from '../agents/provenance.js';
import { runAgent } from '../agents/runner.js';
import type { Agent, AgentContext } from '../agents/types.js';
import { monthOf } from '../domain/execution-ids.js';
import { MAX_LEASE_MS } from '../domain/execution-request.js';
import { createEvent } from '../domain/events/envelope.js';
import { ExecutionConflictError, type Execution, type ExecutionError } from '../domain/execution.js';
import type { EventBus } from '../ports/event-bus.js';
import type { ExecutionStore } from '../ports/execution-store.js';
import type { ResultCache } from '../ports/result-cache.js';
import type { AgentRegistryService, Resolution } from './agent-registry.js';
import { agentFor } from './agent-registry-certify.js';
import { eventOfChange } from './execution-events.js';

/** An execution as a run returns it: `servedFromCache` when the result came from the result cache. */
export type RunExecution = Execution & { readonly servedFromCache?: boolean };

type Outcome = { ok: true; output: unknown } | { ok: false; error: ExecutionError };

/** Carries a failed outcome through the cache (failures are never cached). */
class FailedOutcome extends Error {
  constructor(readonly outcome: Outcome) {
    super('the computation failed');
  }
}

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
  /** Where execution.completed / failed / timed_out go; absent = no events from here. */
  readonly bus?: EventBus;
}

/** Loaded agents kept per stored version: a published version's manifest never changes. */
const MAX_CACHED_AGENTS = 500;

export class ExecutionRunner {
  private readonly loaded = new Map<string, Agent>();
  private readonly clock: () => Date;
  private readonly logger: Pick<Logger, 'error'>;
  private factorVersions?: readonly string[];

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
   * The result-cache key: provenance hash of agent version + canonical input + the versions of
   * the factor datasets loaded (a new dataset version changes every key).
   */
  cacheKeyOf(agentId: string, agentVersion: string, input: unknown): string {
    this.factorVersions ??= this.options.context.factors
      .datasets()
      .map((d) => `${d.source}/${d.dataset}@${d.version}`)
      .sort();
    return sha256Hex(
      canonicalJson({ agent_id: agentId, agent_version: agentVersion, input, factors: this.factorVersions }),
    );
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
    const started = performance.now();
    try {
      let finished: Execution;
      let fromCache = false;
      try {
        const { outcome, cached } = await this.computeCached(tenantId, claimed);
        fromCache = cached;
        finished = outcome.ok
          ? await store.complete(tenantId, executionId, token, outcome.output)
          : await store.fail(tenantId, executionId, token, outcome.error);
      } catch (err) {
        if (!(err instanceof RunTimedOut)) throw err;
        finished = await store.timeOut(tenantId, executionId, { leaseToken: token });
      }
      await this.announce(claimed, finished, fromCache);
      return fromCache ? { ...finished, servedFromCache: true } : finished;
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

  /** Publishes the outcome (completed / failed / timed out) on the bus; a bus failure is logged, not thrown. */
  private async announce(before: Execution, after: Execution, fromCache: boolean): Promise<void> {
    const bus = this.options.bus;
    if (!bus) return;
    let event = eventOfChange({ before, after });
    if (!event) return;
    if (event.type === 'execution.completed') {
      event = createEvent(
        event.type,
        event.tenantId,
        { ...event.detail, fromCache },
        { id: event.id, time: event.time },
      );
    }
    try {
      const result = await bus.publish([event]);
      if (result.failed.length > 0) throw new Error(result.failed[0]!.reason);
    } catch (err) {
      this.logger.error('Execution event not published', {
        tenantId: after.tenantId,
        executionId: after.executionId,
        eventType: event.type,
        error: err as Error,
      });
    }
  }

  /** Through the result cache when there is one: identical requests compute once. */
  private async computeCached(
    tenantId: string,
    e: Execution,
  ): Promise<{ outcome: Outcome; cached: boolean }> {
    let agent: Agent;
    try {
      agent = this.agentOf(await this.options.registry.resolve(tenantId, `${e.agentId}@${e.agentVersion}`));
    } catch (err) {
      return { outcome: this.internalError(tenantId, e, err), cached: false };
    }
    const compute = () => this.withTimeout(agent.manifest.timeoutMs, this.compute(tenantId, e, agent));
    const cache = this.options.cache;
    if (!cache) return { outcome: await compute(), cached: false };
    try {
      const hit = await cache.getOrCompute(
        tenantId,
        this.cacheKeyOf(e.agentId, e.agentVersion, e.input),
        async () => {
          const outcome = await compute();
          if (!outcome.ok) throw new FailedOutcome(outcome);
          return outcome.output;
        },
      );
      return { outcome: { ok: true, output: hit.value }, cached: hit.source !== 'computed' };
    } catch (err) {
      if (err instanceof FailedOutcome) return { outcome: err.outcome, cached: false };
      throw err;
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

  private async compute(tenantId: string, e: Execution, agent: Agent): Promise<Outcome> {
    try {
      const result = await runAgent(agent, e.input, this.options.context);
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
      return this.internalError(tenantId, e, err);
    }
  }

  /** A bug or an unavailable dependency: a neutral reason on the record, details in the log only. */
  private internalError(tenantId: string, e: Execution, err: unknown): Outcome {
    this.logger.error('Execution failed unexpectedly', {
      tenantId,
      executionId: e.executionId,
      error: err as Error,
    });
    const message = 'The execution failed because of an internal error; retry it or contact support';
    return { ok: false, error: { code: 'internal_error', message } };
  }
}
