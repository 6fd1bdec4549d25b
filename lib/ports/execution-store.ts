/**
 * What the execution service needs from the hot execution store (DynamoDB in AWS,
 * dynalite locally). Every method is scoped by tenant id; every transition is atomic and
 * guarded by the state machine in `domain/execution.ts`.
 */
import type { Execution, ExecutionError, ExecutionStatus, NewExecution } from '../domain/execution.js';

export interface CreateOptions {
  /**
   * Same key and same request -> the same execution (created: false); same key and a
   * different request -> ConflictError. Remembered for IDEMPOTENCY_WINDOW_HOURS.
   */
  readonly idempotencyKey?: string;
}

export interface CreateResult {
  readonly execution: Execution;
  /** false when an idempotent replay returned an existing execution. */
  readonly created: boolean;
}

export interface ListQuery {
  readonly status?: ExecutionStatus;
  readonly agentId?: string;
  /** 1..100, default 25. */
  readonly limit?: number;
  /** Opaque cursor from a previous page of the same query. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Absent on the last page. */
  readonly cursor?: string;
}

export interface CompleteOptions {
  /** The output is the result cache's copy of an identical earlier run: kept on the record. */
  readonly servedFromCache?: boolean;
}

/** Who may act on a RUNNING execution: the lease holder, or anyone once the lease expired. */
export interface LeaseProof {
  readonly leaseToken?: string;
}

export const USAGE_COUNTERS = ['executions', 'computeMs', 'apiCalls'] as const;
export type UsageCounter = (typeof USAGE_COUNTERS)[number];
export type UsageTotals = Readonly<Record<UsageCounter, number>>;

export interface CountResult {
  /** false: the limit was reached and nothing was counted. */
  readonly counted: boolean;
  /** Executions counted in the month (after this one when counted). */
  readonly used: number;
}

export interface WebhookDeliveryInput {
  readonly eventId: string;
  readonly eventType: string;
  readonly attempt: number;
  readonly outcome: 'delivered' | 'failed';
  readonly responseStatus?: number;
  readonly durationMs: number;
}

export interface WebhookDelivery extends WebhookDeliveryInput {
  readonly webhookId: string;
  /** 1, 2, 3 ... per webhook, allocated atomically. */
  readonly deliveryNumber: number;
  readonly recordedAt: string;
}

export interface ExecutionStore {
  create(tenantId: string, request: NewExecution, options?: CreateOptions): Promise<CreateResult>;
  /** NotFoundError when absent (or owned by another tenant: same answer, no oracle). */
  get(tenantId: string, executionId: string): Promise<Execution>;
  list(tenantId: string, query?: ListQuery): Promise<Page<Execution>>;

  /** PENDING -> RUNNING with a fresh lease token; exactly one concurrent claimer wins. */
  claim(tenantId: string, executionId: string, leaseMs: number): Promise<Execution>;
  complete(
    tenantId: string,
    executionId: string,
    leaseToken: string,
    output: unknown,
    options?: CompleteOptions,
  ): Promise<Execution>;
  fail(tenantId: string, executionId: string, leaseToken: string, error: ExecutionError): Promise<Execution>;
  timeOut(tenantId: string, executionId: string, proof: LeaseProof): Promise<Execution>;
  /** RUNNING -> PENDING so the queue can redeliver it. */
  release(tenantId: string, executionId: string, proof: LeaseProof): Promise<Execution>;
  cancel(tenantId: string, executionId: string): Promise<Execution>;

  /** Atomic ADD to this month's counters; returns the totals after the add. */
  addUsage(tenantId: string, month: string, delta: Partial<UsageTotals>): Promise<UsageTotals>;
  getUsage(tenantId: string, month: string): Promise<UsageTotals>;
  /**
   * Counts one execution in `month` unless `limit` are counted already: check and count are one
   * conditional write, so concurrent submissions can never pass the limit together.
   */
  countExecution(tenantId: string, month: string, limit: number): Promise<CountResult>;
  /** Takes one counted execution back (its submission stored nothing); never below zero. */
  uncountExecution(tenantId: string, month: string): Promise<void>;

  recordWebhookDelivery(
    tenantId: string,
    webhookId: string,
    delivery: WebhookDeliveryInput,
  ): Promise<WebhookDelivery>;
  listWebhookDeliveries(
    tenantId: string,
    webhookId: string,
    page?: { limit?: number; cursor?: string },
  ): Promise<Page<WebhookDelivery>>;
}
