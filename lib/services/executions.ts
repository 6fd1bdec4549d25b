/**
 * Execution use cases behind `/v1/executions`: create (sync inline, async through the
 * dispatcher), get, list, cancel. Input is checked against the resolved agent version's
 * schema BEFORE anything is stored, so a bad request leaves no execution behind.
 * Then, still before storing: for async requests the priority queue's depth (QueueFullError,
 * 503 + Retry-After), and the tenant's monthly executions quota (QuotaExceededError, 429, and a
 * `quota.exceeded` event), checked and counted in one conditional write. Sync mode is refused (400) unless the agent's manifest
 * says `syncAllowed`; it never falls back to async silently. A stored execution announces
 * `execution.created`; the runner announces its outcome. Every check is optional so
 * compositions without a quota source, depth probe or bus keep working.
 */
import * as z from 'zod';
import { Logger } from '@aws-lambda-powertools/logger';
import { BACKPRESSURE_DEPTH } from '../config/queues.js';
import { AGENT_NAME } from '../domain/agent-manifest.js';
import { DomainError, ValidationError } from '../domain/errors.js';
import { createEvent, type DomainEvent } from '../domain/events/envelope.js';
import { validateEvent } from '../domain/events/validate.js';
import { monthOf } from '../domain/execution-ids.js';
import { EXECUTION_STATUSES, type Execution } from '../domain/execution.js';
import { parseOrThrow } from '../domain/validation.js';
import type { EventBus } from '../ports/event-bus.js';
import type { ExecutionDispatcher, ExecutionPriority } from '../ports/execution-dispatcher.js';
import type { CreateResult, ExecutionStore, Page, UsageTotals } from '../ports/execution-store.js';
import type { AgentRegistryService } from './agent-registry.js';
import type { ExecutionRunner, RunExecution } from './execution-runner.js';
import { eventOfChange } from './execution-events.js';
import type { TenantService } from './tenants.js';

export const PRIORITIES = ['P0', 'P1', 'P2', 'P3'] as const satisfies readonly ExecutionPriority[];

/** The request body of `POST /v1/executions` (the route validates with the same schema). */
export const CreateExecutionSchema = z.strictObject({
  agent_id: z.string().regex(AGENT_NAME, 'an agent id such as "fuel-emissions"'),
  /** Exact version or a range; absent = the highest experimental/certified version. */
  version: z.string().min(1).max(100).optional(),
  input: z.unknown().refine((v) => v !== undefined, 'input is required (the agent input document)'),
  mode: z.enum(['sync', 'async']).default('async'),
  priority: z.enum(PRIORITIES).default('P2'),
});
export type CreateExecutionRequest = z.input<typeof CreateExecutionSchema>;

export const ListExecutionsSchema = z.strictObject({
  status: z.enum(EXECUTION_STATUSES).optional(),
  agent_id: z.string().regex(AGENT_NAME, 'an agent id such as "fuel-emissions"').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2000).optional(),
});
export type ListExecutionsQuery = z.input<typeof ListExecutionsSchema>;

/** Idempotency keys travel in a header; '#' and spaces could forge store keys. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CreateOptions {
  readonly idempotencyKey?: string;
}

/** The tenant is at or over its monthly executions quota (HTTP 429). */
export class QuotaExceededError extends DomainError {
  readonly code = 'quota_exceeded';
  constructor(
    readonly limit: number,
    readonly used: number,
    readonly month: string,
  ) {
    super(`The monthly executions quota of ${limit} is used up for ${month} (${used} so far)`, {
      quota: 'executions_per_month',
      limit,
      used,
      period: month,
    });
  }
}

/** The queue the work would go to is full (HTTP 503 with Retry-After): submit again later. */
export class QueueFullError extends DomainError {
  readonly code = 'queue_full';
  constructor(
    readonly priority: ExecutionPriority,
    readonly depth: number,
    readonly retryAfterSeconds: number,
    /** The full queue: the priority's own, or 'batch' for batch items. */
    readonly queue: string = priority,
  ) {
    super(`The ${queue} queue holds ${depth} executions; submit again in ${retryAfterSeconds} s`, {
      priority,
      queue,
      retry_after_seconds: retryAfterSeconds,
    });
  }
}

export interface CreatedExecution {
  readonly execution: RunExecution;
  /** false: an idempotent replay returned the execution the key already made. */
  readonly created: boolean;
  readonly mode: 'sync' | 'async';
}

export interface ExecutionServiceOptions {
  readonly store: ExecutionStore;
  readonly registry: AgentRegistryService;
  readonly runner: ExecutionRunner;
  readonly dispatcher: ExecutionDispatcher;
  readonly clock?: () => Date;
  /** Monthly executions quota per tenant (read through its short cache); absent = no quota check. */
  readonly tenants?: Pick<TenantService, 'cachedQuotas'>;
  /** Messages waiting in a priority's queue; absent = no backpressure check. */
  readonly depth?: (priority: ExecutionPriority) => Promise<number> | number;
  /** Queue depth at which submissions are refused. @default BACKPRESSURE_DEPTH (10,000) */
  readonly backpressureDepth?: number;
  /** Retry-After of a refused submission. @default 30 */
  readonly retryAfterSeconds?: number;
  /** execution.created and quota.exceeded go here; absent = no events. */
  readonly bus?: EventBus;
  readonly logger?: Pick<Logger, 'error'>;
}

export function priorityName(n: number): ExecutionPriority {
  return PRIORITIES[n] ?? 'P2';
}

export class ExecutionService {
  private readonly clock: () => Date;
  private readonly logger: Pick<Logger, 'error'>;

  constructor(private readonly options: ExecutionServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger ?? new Logger({ serviceName: 'executions' });
  }

  async create(tenantId: string, raw: unknown, options: CreateOptions = {}): Promise<CreatedExecution> {
    const req = parseOrThrow(CreateExecutionSchema, raw, 'execution request');
    const key = options.idempotencyKey;
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      const message = 'Idempotency-Key must be 1-128 characters from A-Z a-z 0-9 . _ : -';
      throw new ValidationError([{ path: 'headers.idempotency-key', message }], message);
    }
    const { store, registry, runner, dispatcher } = this.options;
    const resolution = await registry.resolve(tenantId, `${req.agent_id}@${req.version ?? '*'}`);
    const agent = runner.agentOf(resolution);
    const subject = `${resolution.agent.name}@${resolution.version.version}`;
    if (req.mode === 'sync' && !agent.manifest.syncAllowed) {
      const message = `${subject} runs too long for a synchronous request; use mode "async"`;
      throw new ValidationError([{ path: 'body.mode', message }], message);
    }
    const parsed = agent.parseInput(req.input);
    if (!parsed.ok) {
      const issues = parsed.issues.map((i) => ({
        path: i.path === '(root)' ? 'body.input' : `body.input.${i.path}`,
        message: i.message,
      }));
      throw new ValidationError(issues, `Input does not match the input schema of ${subject}`);
    }
    // Checked before anything is stored; the queue first, so a refusal there counts nothing.
    if (req.mode === 'async') await this.checkBackpressure(req.priority);
    const month = monthOf(this.clock());
    // With a quota the count comes first (one conditional write) and is taken back if nothing
    // is stored. An idempotent replay is counted too (the store cannot be asked for a key's
    // execution without creating one), so a replay at a full quota gets 429.
    const counted = await this.countAgainstQuota(tenantId, month);
    const priority = PRIORITIES.indexOf(req.priority);
    let stored: CreateResult;
    try {
      stored = await store.create(
        tenantId,
        {
          agentId: resolution.agent.name,
          agentVersion: resolution.version.version,
          input: req.input,
          priority,
        },
        key === undefined ? {} : { idempotencyKey: key },
      );
    } catch (err) {
      if (counted) await this.uncount(tenantId, month);
      throw err;
    }
    const { execution, created } = stored;
    if (!created) {
      if (counted) await this.uncount(tenantId, month);
      return { execution, created, mode: req.mode };
    }
    if (!counted) await store.addUsage(tenantId, month, { executions: 1 });
    await this.publish(
      createEvent('execution.created', tenantId, {
        executionId: execution.executionId,
        agentId: execution.agentId,
        agentVersion: execution.agentVersion,
        attempts: execution.attempts,
        priority: execution.priority,
        at: execution.createdAt,
      }),
    );
    if (req.mode === 'sync') {
      return { execution: await runner.run(tenantId, execution.executionId), created, mode: 'sync' };
    }
    await dispatcher.dispatch(tenantId, execution.executionId, req.priority);
    return { execution, created, mode: 'async' };
  }

  /**
   * Quota: counts the execution against the tenant's `executionsPerMonth` (quotas cached
   * briefly, the count exact in the store); false when there is no quota to count against.
   */
  private async countAgainstQuota(tenantId: string, month: string): Promise<boolean> {
    const { tenants, store } = this.options;
    if (!tenants) return false;
    const limit = (await tenants.cachedQuotas(tenantId)).executionsPerMonth;
    const { counted, used } = await store.countExecution(tenantId, month, limit);
    if (counted) return true;
    await this.publish(
      createEvent('quota.exceeded', tenantId, {
        quota: 'executions_per_month',
        limit,
        used,
        period: month,
      }),
    );
    throw new QuotaExceededError(limit, used, month);
  }

  /** A counted submission that stored nothing; a failure here must not hide the original outcome. */
  private async uncount(tenantId: string, month: string): Promise<void> {
    await this.options.store.uncountExecution(tenantId, month).catch((err: unknown) => {
      this.logger.error('Usage counter refund failed', { tenantId, month, error: err as Error });
    });
  }

  private async checkBackpressure(priority: ExecutionPriority): Promise<void> {
    const probe = this.options.depth;
    if (!probe) return;
    const depth = await probe(priority);
    if (depth >= (this.options.backpressureDepth ?? BACKPRESSURE_DEPTH)) {
      throw new QueueFullError(priority, depth, this.options.retryAfterSeconds ?? 30);
    }
  }

  /** Validated, then published; a bus failure is logged and never fails the request. */
  private async publish(event: DomainEvent): Promise<void> {
    const bus = this.options.bus;
    if (!bus) return;
    const checked = validateEvent(event);
    try {
      const result = await bus.publish([checked]);
      if (result.failed.length > 0) throw new Error(result.failed[0]!.reason);
    } catch (err) {
      this.logger.error('Event not published', {
        tenantId: event.tenantId,
        eventType: event.type,
        error: err as Error,
      });
    }
  }

  /** NotFoundError for ids of other tenants (the same answer as for ids that never existed). */
  async get(tenantId: string, executionId: string): Promise<Execution> {
    return this.options.store.get(tenantId, executionId);
  }

  async list(tenantId: string, raw: unknown): Promise<Page<Execution>> {
    const q = parseOrThrow(ListExecutionsSchema, raw ?? {}, 'execution list query');
    return this.options.store.list(tenantId, {
      limit: q.limit,
      ...(q.status ? { status: q.status } : {}),
      ...(q.agent_id ? { agentId: q.agent_id } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
  }

  /** This month's (or `month`'s, YYYY-MM UTC) counters: executions, compute ms, API calls. */
  async usage(tenantId: string, month?: string): Promise<{ month: string; totals: UsageTotals }> {
    const m = month ?? monthOf(this.clock());
    return { month: m, totals: await this.options.store.getUsage(tenantId, m) };
  }

  /**
   * PENDING or RUNNING -> CANCELLED (a worker running it sees the cancel and stops); a finished
   * execution is a ConflictError naming its state. Announces `execution.cancelled`.
   */
  async cancel(tenantId: string, executionId: string): Promise<Execution> {
    const before = await this.options.store.get(tenantId, executionId);
    const after = await this.options.store.cancel(tenantId, executionId);
    const event = eventOfChange({ before, after });
    if (event) await this.publish(event);
    return after;
  }
}
