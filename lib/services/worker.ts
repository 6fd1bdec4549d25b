/**
 * The worker use case shared by the Lambda and Fargate entries: one queue message in, one
 * decision out (delete it, or leave it to be redelivered after `visibilityMs`).
 *
 * Claim: conditional PENDING -> RUNNING in the store, so a second claimer loses. Tenant:
 * the message's tenant id is re-checked against the stored execution. Hooks: preInit,
 * postInit, preExec, postExec, cleanup (always). Cancellation is checked between hooks.
 * Timeout from the agent manifest: warning + metric at 80 %, TIMED_OUT at 100 %. Failures
 * release the execution for a retry; on the last receive it becomes FAILED and the message
 * is left to the queue's redrive policy, which moves it to the DLQ.
 *
 * The agent runs through ExecutionStep, as the sync runner does: the result cache (an
 * identical earlier or concurrent request is served from it; the record says so) and the
 * events of each transition (execution.started, .completed, .failed, .timed_out).
 */
export type { HandleResult, HookContext, HookName, Outcome, WorkerHooks } from './worker-outcome.js';
import { runAgent } from '../agents/runner.js';
import type { Agent, AgentContext } from '../agents/types.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { ExecutionConflictError, isTerminal, type Execution } from '../domain/execution.js';
import { MAX_LEASE_MS } from '../domain/execution-request.js';
import { MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_SECONDS } from '../config/queues.js';
import type { EventBus } from '../ports/event-bus.js';
import type { ExecutionStore } from '../ports/execution-store.js';
import type { ResultCache } from '../ports/result-cache.js';
import {
  executionMessageSchema,
  type ExecutionMessage,
  type Queue,
  type QueueMessage,
} from '../ports/queue.js';
import {
  again,
  done,
  executionErrorOf,
  safeJson,
  type HandleResult,
  type HookContext,
  type HookName,
  type WorkerHooks,
} from './worker-outcome.js';
import { ExecutionStep } from './execution-step.js';
import { runHeartbeat, Stop, withTimeout } from './worker-run.js';
import {
  realScheduler,
  silentLog,
  type AgentResolver,
  type Scheduler,
  type WorkerLog,
  type WorkerMetrics,
} from './worker-support.js';

export interface WorkerOptions {
  readonly store: ExecutionStore;
  /** For visibility extension (heartbeats) while an execution runs. */
  readonly queue: Queue;
  readonly agents: AgentResolver;
  readonly context: AgentContext;
  readonly hooks?: WorkerHooks;
  readonly scheduler?: Scheduler;
  readonly clock?: () => Date;
  readonly log?: WorkerLog;
  readonly metrics?: WorkerMetrics;
  readonly maxReceiveCount?: number;
  readonly visibilityTimeoutMs?: number;
  /** Added to the agent's timeout for the store lease; default 30 s. */
  readonly leaseGraceMs?: number;
  /** Delay before a failed message is received again; default 5 s x 2^(receives - 1). */
  readonly retryDelayMs?: (receiveCount: number) => number;
  /** Result cache shared with the sync path; absent = every run computes. */
  readonly cache?: ResultCache;
  /** Where the run's events go; absent = none from here (in AWS the stream processor publishes them). */
  readonly bus?: EventBus;
}

const DEFAULT_TIMEOUT_MS = 30_000;
type Defaulted = Required<Omit<WorkerOptions, 'hooks' | 'cache' | 'bus'>> & { hooks: WorkerHooks };

export class WorkerService {
  private readonly o: Defaulted;
  private readonly step: ExecutionStep;

  constructor(options: WorkerOptions) {
    this.o = {
      scheduler: realScheduler,
      clock: () => new Date(),
      log: silentLog,
      metrics: { count: () => {} },
      maxReceiveCount: MAX_RECEIVE_COUNT,
      visibilityTimeoutMs: VISIBILITY_TIMEOUT_SECONDS * 1000,
      leaseGraceMs: 30_000,
      retryDelayMs: (n) => 5_000 * 2 ** (n - 1),
      hooks: {},
      ...options,
    };
    this.step = new ExecutionStep({
      context: options.context,
      ...(options.cache ? { cache: options.cache } : {}),
      ...(options.bus ? { bus: options.bus } : {}),
      logger: {
        error: (message, { error, ...attrs }) =>
          this.o.log.error(message, { ...attrs, error: String(error) }),
      },
    });
  }

  /** `signal` aborts on shutdown: the run is released (RUNNING -> PENDING) and the message made visible. */
  async handle(
    message: QueueMessage,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<HandleResult> {
    const parsed = executionMessageSchema.safeParse(safeJson(message.body));
    if (!parsed.success) return this.poison(message, 'the body is not an execution message');
    const m = parsed.data;
    let execution: Execution;
    try {
      execution = await this.o.store.get(m.tenantId, m.executionId);
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof ValidationError) {
        return this.poison(message, `no execution ${m.executionId} for tenant ${m.tenantId}`);
      }
      throw err;
    }
    if (execution.tenantId !== m.tenantId)
      return this.poison(message, 'tenant id does not match the execution');
    if (isTerminal(execution.status)) return this.duplicate(execution);

    let agent: Agent | undefined;
    let initError: unknown;
    try {
      agent = await this.o.agents(m.tenantId, execution.agentId, execution.agentVersion);
    } catch (err) {
      initError = err;
    }
    const timeoutMs = agent?.manifest.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const claimed = await this.claim(execution, timeoutMs);
    if ('outcome' in claimed) return claimed;
    return this.run(claimed, message, m, agent, initError, signal);
  }

  private async claim(execution: Execution, timeoutMs: number): Promise<Execution | HandleResult> {
    const { tenantId, executionId } = execution;
    try {
      if (execution.status === 'RUNNING') {
        const leftMs = Date.parse(execution.leaseExpiresAt ?? '') - this.o.clock().getTime();
        // Another worker holds a live lease: look again once it could have expired.
        if (leftMs > 0) return this.deferred(leftMs + 1_000);
        // Its worker died (lease expired): take the run back, then claim it like a new one.
        await this.o.store.release(tenantId, executionId, {});
      }
      const claimed = await this.o.store.claim(
        tenantId,
        executionId,
        Math.min(timeoutMs + this.o.leaseGraceMs, MAX_LEASE_MS),
      );
      // A claim always starts from PENDING (an expired run was released just above).
      await this.step.announce({ ...execution, status: 'PENDING' }, claimed);
      return claimed;
    } catch (err) {
      if (!(err instanceof ExecutionConflictError)) throw err;
      // Lost the race: someone else claimed, finished or cancelled it meanwhile.
      const now = await this.o.store.get(tenantId, executionId);
      return isTerminal(now.status) ? this.duplicate(now) : this.deferred(this.o.leaseGraceMs);
    }
  }

  private async run(
    execution: Execution,
    message: QueueMessage,
    m: ExecutionMessage,
    agent: Agent | undefined,
    initError: unknown,
    signal: AbortSignal,
  ): Promise<HandleResult> {
    const lease = execution.leaseToken ?? '';
    const ctx: { -readonly [K in keyof HookContext]: HookContext[K] } = { execution, message, agent };
    const stopHeartbeat = runHeartbeat(this.o, message);
    // After a hook (time passed, the world may have changed) re-read the status; with no hook
    // at that stage only shutdown is checked: the final conditional write refuses a cancelled run.
    const checkpoint = async (after: HookName) => {
      if (signal.aborted) throw new Stop('released');
      if (!this.o.hooks[after]) return;
      const now = await this.o.store.get(m.tenantId, m.executionId);
      if (now.status === 'CANCELLED') throw new Stop('cancelled');
    };
    try {
      await this.hook('preInit', ctx);
      await checkpoint('preInit');
      if (!agent) throw initError;
      await this.hook('postInit', ctx);
      await checkpoint('postInit');
      await this.hook('preExec', ctx);
      await checkpoint('preExec');
      // The timeout races the computation itself: requests waiting on it share its outcome.
      const { result, cached } = await this.step.compute(m.tenantId, execution, () =>
        withTimeout(this.o, agent, execution, () => runAgent(agent, execution.input, this.o.context), signal),
      );
      ctx.result = result;
      await this.hook('postExec', ctx);
      await checkpoint('postExec');
      if (!result.ok)
        throw new ValidationError(result.issues, `Input is invalid for ${agent.id}@${agent.version}`);
      const finished = await this.o.store.complete(m.tenantId, m.executionId, lease, result.output, {
        servedFromCache: cached,
      });
      this.o.metrics.count('ExecutionCompleted');
      await this.step.announce(execution, finished);
      return done('completed');
    } catch (err) {
      if (err instanceof Stop) return this.stopped(err, execution, lease);
      if (err instanceof ExecutionConflictError && (await this.isCancelled(execution)))
        return this.cancelled();
      try {
        return await this.failed(err, execution, message, lease);
      } catch (e) {
        // Cancelled while the agent ran: the release/fail write lost to the cancel.
        if (e instanceof ExecutionConflictError && (await this.isCancelled(execution)))
          return this.cancelled();
        throw e;
      }
    } finally {
      stopHeartbeat();
      await this.hook('cleanup', ctx).catch((err: unknown) =>
        this.o.log.error('cleanup hook failed', { executionId: execution.executionId, error: String(err) }),
      );
    }
  }

  private async stopped(stop: Stop, execution: Execution, lease: string): Promise<HandleResult> {
    const { tenantId, executionId } = execution;
    if (stop.kind === 'cancelled') return this.cancelled();
    if (stop.kind === 'timed_out') {
      await this.step.announce(
        execution,
        await this.o.store.timeOut(tenantId, executionId, { leaseToken: lease }),
      );
      this.o.metrics.count('ExecutionTimedOut');
      this.o.log.error('execution timed out', { tenantId, executionId, agentId: execution.agentId });
      return done('timed_out');
    }
    await this.o.store.release(tenantId, executionId, { leaseToken: lease });
    this.o.metrics.count('ExecutionReleased');
    return again('released', 0, 'worker shutting down');
  }

  private async failed(
    err: unknown,
    execution: Execution,
    message: QueueMessage,
    lease: string,
  ): Promise<HandleResult> {
    const { tenantId, executionId } = execution;
    const error = executionErrorOf(err);
    const attrs = {
      tenantId,
      executionId,
      receiveCount: message.receiveCount,
      code: error.code,
      reason: error.message,
    };
    if (message.receiveCount >= this.o.maxReceiveCount) {
      await this.step.announce(execution, await this.o.store.fail(tenantId, executionId, lease, error));
      this.o.metrics.count('ExecutionFailed');
      this.o.log.error('execution failed on its last receive; the message goes to the DLQ', attrs);
      // Visible at once: the redrive policy moves it to the DLQ on the next receive.
      return again('failed', 0, error.message);
    }
    await this.o.store.release(tenantId, executionId, { leaseToken: lease });
    this.o.metrics.count('ExecutionRetried');
    this.o.log.warn('execution attempt failed; it will be retried', attrs);
    return again('retry', this.o.retryDelayMs(message.receiveCount), error.message);
  }

  private async isCancelled(execution: Execution): Promise<boolean> {
    return (await this.o.store.get(execution.tenantId, execution.executionId)).status === 'CANCELLED';
  }

  private cancelled(): HandleResult {
    this.o.metrics.count('ExecutionCancelled');
    return done('cancelled');
  }

  private duplicate(execution: Execution): HandleResult {
    if (execution.status === 'CANCELLED') return this.cancelled();
    this.o.metrics.count('DuplicateDelivery');
    return done('duplicate', `execution is already ${execution.status}`);
  }

  private deferred(ms: number): HandleResult {
    this.o.metrics.count('DuplicateDelivery');
    return again('deferred', ms, 'another worker holds the lease');
  }

  private poison(message: QueueMessage, reason: string): HandleResult {
    this.o.metrics.count('PoisonMessage');
    this.o.log.error('poison message left for the DLQ', {
      messageId: message.messageId,
      receiveCount: message.receiveCount,
      reason,
    });
    return again('poison', this.o.retryDelayMs(message.receiveCount), reason);
  }

  private async hook(name: HookName, ctx: HookContext): Promise<void> {
    await this.o.hooks[name]?.(ctx);
  }
}
