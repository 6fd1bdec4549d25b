/**
 * Batches behind `/v1/batches`: up to 10,000 inputs for one agent version. Every input is
 * checked against the resolved version's input schema BEFORE anything is stored (a 400
 * lists `body.inputs.N.*`), then one async execution per input is created through the
 * execution service it is given (composed with the batch queue's dispatcher: the items go to
 * the batch queue, whose consumer runs them in aggregates of up to 100 or one window; a batch
 * queue at its backpressure depth refuses the whole batch first, QueueFullError), and the
 * batch (its execution ids, in input order) is kept in a BatchStore. Progress is read from the executions themselves: done/total, per-item
 * status (paginated), and the sum of the numeric `output.totals` of completed items.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { BACKPRESSURE_DEPTH } from '../config/queues.js';
import { AGENT_NAME } from '../domain/agent-manifest.js';
import { NotFoundError, ValidationError, type Issue } from '../domain/errors.js';
import { isTerminal, type Execution, type ExecutionStatus } from '../domain/execution.js';
import { parseOrThrow } from '../domain/validation.js';
import type { AgentRegistryService } from './agent-registry.js';
import type { ExecutionRunner } from './execution-runner.js';
import { PRIORITIES, QueueFullError, type ExecutionService } from './executions.js';

export const MAX_BATCH_INPUTS = 10_000;

export const CreateBatchSchema = z.strictObject({
  agent_id: z.string().regex(AGENT_NAME, 'an agent id such as "fuel-emissions"'),
  version: z.string().min(1).max(100).optional(),
  inputs: z.array(z.unknown()).min(1).max(MAX_BATCH_INPUTS),
  priority: z.enum(PRIORITIES).default('P3'),
});

export interface Batch {
  readonly batchId: string;
  readonly tenantId: string;
  readonly agentId: string;
  readonly agentVersion: string;
  readonly executionIds: readonly string[];
  readonly createdAt: string;
}

/** Where batches live (DynamoDB under `TENANT#<id>` / `BATCH#<id>`). */
export interface BatchStore {
  put(batch: Batch): Promise<void>;
  /** NotFoundError when absent or another tenant's. */
  get(tenantId: string, batchId: string): Promise<Batch>;
}

export interface BatchItem {
  readonly index: number;
  readonly executionId: string;
  readonly status: ExecutionStatus;
}

export interface BatchProgress {
  readonly batch: Batch;
  readonly done: number;
  readonly total: number;
  readonly counts: Readonly<Partial<Record<ExecutionStatus, number>>>;
  readonly totals: Readonly<Record<string, number>>;
  readonly items: readonly BatchItem[];
  readonly nextOffset: number | null;
}

export interface BatchServiceDeps {
  readonly store: BatchStore;
  readonly registry: AgentRegistryService;
  readonly runner: Pick<ExecutionRunner, 'agentOf'>;
  readonly executions: Pick<ExecutionService, 'create' | 'get'>;
  readonly clock?: () => Date;
  /** Messages waiting on the batch queue (where the items go); absent = no backpressure check. */
  readonly depth?: () => Promise<number> | number;
  /** Batch queue depth at which new batches are refused. @default BACKPRESSURE_DEPTH (10,000) */
  readonly backpressureDepth?: number;
  /** Retry-After of a refused batch. @default 30 */
  readonly retryAfterSeconds?: number;
}

const CONCURRENCY = 50;

async function mapLimited<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return out;
}

/** Numeric leaves of `output.totals` (one level, e.g. `co2e_kg`). */
export function numericTotals(e: Execution): Record<string, number> {
  const output = e.output as { totals?: unknown } | null | undefined;
  const totals = output?.totals;
  if (typeof totals !== 'object' || totals === null) return {};
  return Object.fromEntries(
    Object.entries(totals).filter((kv): kv is [string, number] => typeof kv[1] === 'number'),
  );
}

export class BatchService {
  private readonly clock: () => Date;

  constructor(private readonly deps: BatchServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async create(tenantId: string, raw: unknown): Promise<Batch> {
    const req = parseOrThrow(CreateBatchSchema, raw, 'batch request');
    const resolution = await this.deps.registry.resolve(tenantId, `${req.agent_id}@${req.version ?? '*'}`);
    const agent = this.deps.runner.agentOf(resolution);
    const version = resolution.version.version;
    const issues: Issue[] = [];
    req.inputs.forEach((input, n) => {
      const parsed = agent.parseInput(input);
      if (parsed.ok) return;
      for (const i of parsed.issues) {
        issues.push({
          path: i.path === '(root)' ? `body.inputs.${n}` : `body.inputs.${n}.${i.path}`,
          message: i.message,
        });
      }
    });
    if (issues.length > 0) {
      throw new ValidationError(
        issues.slice(0, 1_000),
        `${new Set(issues.map((i) => i.path.split('.')[2])).size} input(s) do not match the input schema of ${resolution.agent.name}@${version}`,
      );
    }
    // Once, before anything is stored: a full batch queue refuses the whole batch, never half of it.
    await this.checkBackpressure(req.priority);
    const batchId = randomUUID();
    const created = await mapLimited(req.inputs, async (input) =>
      this.deps.executions.create(tenantId, {
        agent_id: resolution.agent.name,
        version,
        input,
        mode: 'async',
        priority: req.priority,
      }),
    );
    const batch: Batch = {
      batchId,
      tenantId,
      agentId: resolution.agent.name,
      agentVersion: version,
      executionIds: created.map((c) => c.execution.executionId),
      createdAt: this.clock().toISOString(),
    };
    await this.deps.store.put(batch);
    return batch;
  }

  private async checkBackpressure(priority: (typeof PRIORITIES)[number]): Promise<void> {
    const probe = this.deps.depth;
    if (!probe) return;
    const depth = await probe();
    if (depth >= (this.deps.backpressureDepth ?? BACKPRESSURE_DEPTH)) {
      throw new QueueFullError(priority, depth, this.deps.retryAfterSeconds ?? 30, 'batch');
    }
  }

  async progress(
    tenantId: string,
    batchId: string,
    page: { offset?: number; limit?: number } = {},
  ): Promise<BatchProgress> {
    const batch = await this.deps.store.get(tenantId, batchId);
    const executions = await mapLimited(batch.executionIds, (id) => this.deps.executions.get(tenantId, id));
    const counts: Partial<Record<ExecutionStatus, number>> = {};
    const totals: Record<string, number> = {};
    let done = 0;
    for (const e of executions) {
      counts[e.status] = (counts[e.status] ?? 0) + 1;
      if (isTerminal(e.status)) done++;
      if (e.status === 'COMPLETED') {
        for (const [k, v] of Object.entries(numericTotals(e))) totals[k] = (totals[k] ?? 0) + v;
      }
    }
    const offset = page.offset ?? 0;
    const limit = page.limit ?? 100;
    const items = executions
      .slice(offset, offset + limit)
      .map((e, i) => ({ index: offset + i, executionId: e.executionId, status: e.status }));
    const end = offset + limit;
    return {
      batch,
      done,
      total: executions.length,
      counts,
      totals,
      items,
      nextOffset: end < executions.length ? end : null,
    };
  }
}

/** A BatchStore in memory (tests and embedded use without DynamoDB). */
export class MemoryBatchStore implements BatchStore {
  private readonly batches = new Map<string, Batch>();

  put(batch: Batch): Promise<void> {
    this.batches.set(`${batch.tenantId}/${batch.batchId}`, batch);
    return Promise.resolve();
  }

  get(tenantId: string, batchId: string): Promise<Batch> {
    const batch = this.batches.get(`${tenantId}/${batchId}`);
    return batch ? Promise.resolve(batch) : Promise.reject(new NotFoundError('batch', batchId));
  }
}
