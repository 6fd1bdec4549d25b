/**
 * The execution state machine as a table, plus the records the execution store keeps.
 * Pure: no I/O. Stores turn each transition into a conditional write guarded by
 * `guardOf(to)`, so the table here is the single source of what may happen.
 */
import { ConflictError } from './errors.js';

export const EXECUTION_STATUSES = [
  'PENDING',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'TIMED_OUT',
  'CANCELLED',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/**
 * Allowed next states. RUNNING -> PENDING is a release: the worker gave the message back
 * or its lease expired and the queue redelivers it to another worker.
 */
export const EXECUTION_TRANSITIONS: Readonly<Record<ExecutionStatus, readonly ExecutionStatus[]>> = {
  PENDING: ['RUNNING', 'CANCELLED'],
  RUNNING: ['COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'PENDING'],
  COMPLETED: [],
  FAILED: [],
  TIMED_OUT: [],
  CANCELLED: [],
};

export function canTransition(from: ExecutionStatus, to: ExecutionStatus): boolean {
  return EXECUTION_TRANSITIONS[from].includes(to);
}

export function isTerminal(status: ExecutionStatus): boolean {
  return EXECUTION_TRANSITIONS[status].length === 0;
}

/** Statuses from which `to` may be reached, derived from the table. */
export function sourcesOf(to: ExecutionStatus): ExecutionStatus[] {
  return EXECUTION_STATUSES.filter((from) => canTransition(from, to));
}

/**
 * Who may make a transition out of RUNNING: the lease holder (token matches), or anyone
 * once the lease has expired (a sweeper timing out or releasing a dead worker's run).
 * CANCELLED is a user action and needs no lease; RUNNING is entered by claiming.
 */
export type LeaseRule = 'none' | 'holder' | 'holder-or-expired';

export interface TransitionGuard {
  readonly to: ExecutionStatus;
  readonly from: readonly ExecutionStatus[];
  readonly lease: LeaseRule;
}

export function guardOf(to: ExecutionStatus): TransitionGuard {
  const from = sourcesOf(to);
  if (from.length === 0) {
    throw new IllegalExecutionTransitionError(undefined, to);
  }
  const lease: LeaseRule =
    to === 'COMPLETED' || to === 'FAILED'
      ? 'holder'
      : to === 'TIMED_OUT' || to === 'PENDING'
        ? 'holder-or-expired'
        : 'none';
  return { to, from, lease };
}

/** A transition the table refuses, naming the allowed next states. */
export class IllegalExecutionTransitionError extends ConflictError {
  override readonly code = 'illegal_execution_transition';
  constructor(
    readonly from: ExecutionStatus | undefined,
    readonly to: ExecutionStatus,
  ) {
    const allowed = from ? EXECUTION_TRANSITIONS[from] : [];
    super(
      from
        ? `Execution cannot go from ${from} to ${to}. Allowed next states: ${allowed.length ? allowed.join(', ') : 'none (terminal)'}`
        : `No state leads to ${to}`,
      { from, to, allowed },
    );
  }
}

/** Throws unless the table allows `from -> to`. */
export function assertTransition(from: ExecutionStatus, to: ExecutionStatus): void {
  if (!canTransition(from, to)) throw new IllegalExecutionTransitionError(from, to);
}

/**
 * A conditional write lost: the item is not in a state the transition starts from, or
 * the caller does not hold the lease. Two workers claiming one execution: one gets this.
 */
export class ExecutionConflictError extends ConflictError {
  override readonly code = 'execution_conflict';
  constructor(
    readonly executionId: string,
    readonly to: ExecutionStatus,
    readonly actual: ExecutionStatus,
    reason: string,
  ) {
    super(`Execution '${executionId}' cannot move to ${to}: ${reason}`, { executionId, to, actual });
  }
}

/** Explains why a guard refused, given the item as it is now. */
export function conflictReason(
  guard: TransitionGuard,
  actual: ExecutionStatus,
  leaseHeld: boolean | undefined,
): string {
  if (!guard.from.includes(actual)) {
    return `it is ${actual}; ${guard.to} is allowed only from ${guard.from.join(' or ')}`;
  }
  if (leaseHeld === false) {
    return guard.lease === 'holder'
      ? 'the lease token does not match (another worker holds it)'
      : 'the lease token does not match and the lease has not expired';
  }
  return 'it changed concurrently';
}

export class IdempotencyConflictError extends ConflictError {
  override readonly code = 'idempotency_conflict';
  constructor(readonly idempotencyKey: string) {
    super(
      `Idempotency key '${idempotencyKey}' was already used with a different request; use a new key for a new request`,
      { idempotencyKey },
    );
  }
}

export interface ExecutionError {
  readonly code: string;
  readonly message: string;
  readonly issues?: readonly { readonly path: string; readonly message: string }[];
}

export interface Execution {
  readonly tenantId: string;
  readonly executionId: string;
  readonly agentId: string;
  readonly agentVersion: string;
  readonly status: ExecutionStatus;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: ExecutionError;
  readonly priority: number;
  /** Claims so far; a redelivered execution is claimed again. */
  readonly attempts: number;
  readonly leaseToken?: string;
  readonly leaseExpiresAt?: string;
  readonly idempotencyKey?: string;
  /** true: COMPLETED with the cached result of an identical earlier request (absent otherwise). */
  readonly servedFromCache?: boolean;
  readonly requestHash: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** TTL (epoch seconds): the item leaves the hot store after the hot window. */
  readonly expiresAt: number;
}

export interface NewExecution {
  readonly agentId: string;
  readonly agentVersion: string;
  readonly input: unknown;
  /** 0 (highest) .. 3; picks the queue. */
  readonly priority?: number;
}

/** 90 days of executions stay in DynamoDB; older ones live in the lake. */
export const HOT_WINDOW_DAYS = 90;
/** Idempotency keys are remembered for a day (Stripe and Powertools use 24 h / 1 h). */
export const IDEMPOTENCY_WINDOW_HOURS = 24;

export function expiresAtOf(from: Date, days = HOT_WINDOW_DAYS): number {
  return Math.floor(from.getTime() / 1000) + days * 86_400;
}
