/**
 * The part of running an execution that the sync runner (ExecutionRunner) and the queue
 * workers (WorkerService) share, so both paths behave the same:
 *  - the result cache: key = provenance hash (agent version + canonical input + factor
 *    dataset versions); identical concurrent requests compute once (stampede protection
 *    is the cache's getOrCompute); a rejected input is returned, never cached;
 *  - the events of each status change (execution.started, .completed with `fromCache`,
 *    .failed, .timed_out, .cancelled), built by `eventOfChange` so their ids equal those
 *    the DynamoDB stream processor derives from the same write (consumers deduplicate),
 *    validated before publishing; a bus failure is logged and never fails the run.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { canonicalJson, sha256Hex } from '../agents/provenance.js';
import type { AgentContext, AgentResult } from '../agents/types.js';
import { validateEvent } from '../domain/events/validate.js';
import type { Execution } from '../domain/execution.js';
import type { EventBus } from '../ports/event-bus.js';
import type { ResultCache } from '../ports/result-cache.js';
import { eventOfChange } from './execution-events.js';

/** Where a publish failure is reported; a Powertools Logger fits. */
export interface StepLog {
  error(
    message: string,
    attributes: { tenantId: string; executionId: string; eventType: string; error: Error },
  ): void;
}

export interface ExecutionStepOptions {
  /** The calculation core's context: its factor dataset versions are part of the cache key. */
  readonly context: AgentContext;
  /** Absent = every run computes. */
  readonly cache?: ResultCache;
  /** Absent = no events from the run (in AWS the stream processor publishes them). */
  readonly bus?: EventBus;
  readonly logger?: StepLog;
}

export interface StepResult {
  readonly result: AgentResult;
  /** true: the output is the cache's copy of an identical earlier (or concurrent) run. */
  readonly cached: boolean;
}

/** Carries a rejected input through the cache: only successful outputs are cached. */
class NotCached extends Error {
  constructor(readonly result: AgentResult) {
    super('the agent rejected the input');
  }
}

export class ExecutionStep {
  private readonly logger: StepLog;
  private factorVersions?: readonly string[];

  constructor(private readonly options: ExecutionStepOptions) {
    this.logger = options.logger ?? new Logger({ serviceName: 'executions' });
  }

  /** The result-cache key; a new factor dataset version changes every key. */
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
   * `compute` through the cache. An error thrown by `compute` (timeout, shutdown, a bug)
   * reaches this caller and every request that was waiting for the same computation.
   */
  async compute(tenantId: string, e: Execution, compute: () => Promise<AgentResult>): Promise<StepResult> {
    const cache = this.options.cache;
    if (!cache) return { result: await compute(), cached: false };
    try {
      const hit = await cache.getOrCompute(
        tenantId,
        this.cacheKeyOf(e.agentId, e.agentVersion, e.input),
        async () => {
          const result = await compute();
          if (!result.ok) throw new NotCached(result);
          return result.output;
        },
      );
      return {
        result: { ok: true, output: hit.value } as AgentResult,
        cached: hit.source !== 'computed',
      };
    } catch (err) {
      if (err instanceof NotCached) return { result: err.result, cached: false };
      throw err;
    }
  }

  /** Publishes the event of `before -> after` when the change announces one. */
  async announce(before: Execution | undefined, after: Execution): Promise<void> {
    const bus = this.options.bus;
    if (!bus) return;
    const event = eventOfChange({ ...(before ? { before } : {}), after });
    if (!event) return;
    try {
      const result = await bus.publish([validateEvent(event)]);
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
}
