/**
 * Execution use cases behind `/v1/executions`: create (sync inline, async through the
 * dispatcher), get, list, cancel. Input is checked against the resolved agent version's
 * schema BEFORE anything is stored, so a bad request leaves no execution behind.
 */
import { z } from 'zod';
import { AGENT_NAME } from '../domain/agent-manifest.js';
import { ValidationError } from '../domain/errors.js';
import { monthOf } from '../domain/execution-ids.js';
import { EXECUTION_STATUSES, type Execution } from '../domain/execution.js';
import { parseOrThrow } from '../domain/validation.js';
import type { ExecutionDispatcher, ExecutionPriority } from '../ports/execution-dispatcher.js';
import type { ExecutionStore, Page, UsageTotals } from '../ports/execution-store.js';
import type { AgentRegistryService } from './agent-registry.js';
import type { ExecutionRunner } from './execution-runner.js';

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

export interface CreatedExecution {
  readonly execution: Execution;
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
}

export function priorityName(n: number): ExecutionPriority {
  return PRIORITIES[n] ?? 'P2';
}

export class ExecutionService {
  private readonly clock: () => Date;

  constructor(private readonly options: ExecutionServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
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
    const priority = PRIORITIES.indexOf(req.priority);
    const { execution, created } = await store.create(
      tenantId,
      {
        agentId: resolution.agent.name,
        agentVersion: resolution.version.version,
        input: req.input,
        priority,
      },
      key === undefined ? {} : { idempotencyKey: key },
    );
    if (!created) return { execution, created, mode: req.mode };
    await store.addUsage(tenantId, monthOf(this.clock()), { executions: 1 });
    if (req.mode === 'sync') {
      return { execution: await runner.run(tenantId, execution.executionId), created, mode: 'sync' };
    }
    await dispatcher.dispatch(tenantId, execution.executionId, req.priority);
    return { execution, created, mode: 'async' };
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

  /** PENDING or RUNNING -> CANCELLED; a finished execution is a ConflictError naming its state. */
  async cancel(tenantId: string, executionId: string): Promise<Execution> {
    return this.options.store.cancel(tenantId, executionId);
  }
}
