/** API priorities; P0 is the most urgent. The store keeps them as 0..3 (the queue index). */
export type ExecutionPriority = 'P0' | 'P1' | 'P2' | 'P3';

/**
 * Hands a stored PENDING execution to whatever runs it. The API stores the execution first
 * (so nothing is lost between store and dispatch), then dispatches by id: the runner reads
 * the item, claims it with a conditional write and runs it.
 *
 * Local default: the inline dispatcher (lib/adapters/local/inline-dispatcher.ts) runs it in
 * process right away. The queue engine (SQS P0..P3 in AWS) implements the same port.
 */
export interface ExecutionDispatcher {
  /** Resolves once the execution is handed over (queued), not when it has finished. */
  dispatch(tenantId: string, executionId: string, priority: ExecutionPriority): Promise<void>;
}
