/**
 * The execution queues as plain data: the CDK stack (one standard SQS queue per priority,
 * each with its DLQ and redrive policy) and the in-process adapter read the same values,
 * so visibility, receive counts and poll weights cannot drift apart. No SDK or CDK imports.
 * Names here are logical ids (construct ids, local queue names), not physical SQS names:
 * CDK names the real queues so environments and tenants never collide.
 */

export const PRIORITIES = ['P0', 'P1', 'P2', 'P3'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Every queue the engine uses: the four execution priorities and the batch queue. */
export const QUEUE_NAMES = [...PRIORITIES, 'batch'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** A message received this many times and still not deleted moves to the DLQ on the next receive. */
export const MAX_RECEIVE_COUNT = 3;

/**
 * Visibility timeout of the execution queues. The worker extends it every half period while
 * it runs, so it bounds how long a dead worker's message stays hidden, not how long an
 * agent may run. Lambda consumers: the event source needs >= 6 x the function timeout
 * (FIELD-NOTES), which the stack sets from WORKER_LAMBDA_TIMEOUT_SECONDS.
 */
export const VISIBILITY_TIMEOUT_SECONDS = 60;
export const WORKER_LAMBDA_TIMEOUT_SECONDS = 60;
export const LAMBDA_QUEUE_VISIBILITY_SECONDS = 6 * WORKER_LAMBDA_TIMEOUT_SECONDS;

/** SQS batch limits: SendMessageBatch / ReceiveMessage / DeleteMessageBatch take at most 10. */
export const MAX_BATCH = 10;
/** Long polling: SQS allows 0..20 s. */
export const LONG_POLL_SECONDS = 20;
/** DLQ messages are kept the SQS maximum so an operator has time to redrive them. */
export const DLQ_RETENTION_DAYS = 14;
/** Backpressure: a priority holding this many messages refuses new submissions (503). */
export const BACKPRESSURE_DEPTH = 10_000;

/** Weighted priority polling: out of 15 polls P0 gets 8, P3 still gets 1. */
export const POLL_WEIGHTS: Readonly<Record<Priority, number>> = { P0: 8, P1: 4, P2: 2, P3: 1 };

/** Fargate SIGTERM: ECS sends SIGKILL 30 s after SIGTERM by default (stopTimeout). */
export const SHUTDOWN_GRACE_MS = 30_000;

/** Batch queue: aggregate up to 100 messages or one minute before a batch worker runs. */
export const BATCH_QUEUE = { maxBatchingWindowSeconds: 60, batchSize: 100 } as const;

export interface QueueDefinition {
  /** Logical id: construct id in CDK, queue name in the in-process adapter. */
  readonly id: QueueName;
  readonly deadLetterId: `${QueueName}-dlq`;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly deadLetterRetentionDays: number;
}

export const QUEUES: Readonly<Record<QueueName, QueueDefinition>> = Object.fromEntries(
  QUEUE_NAMES.map((id) => [
    id,
    {
      id,
      deadLetterId: `${id}-dlq`,
      visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      deadLetterRetentionDays: DLQ_RETENTION_DAYS,
    },
  ]),
) as Record<QueueName, QueueDefinition>;

/** Store priorities are 0..3 (the queue index); the API says P0..P3. */
export function priorityOf(index: number): Priority {
  const p = PRIORITIES[index];
  if (!p) throw new RangeError(`Priority index ${index} is out of range 0..3`);
  return p;
}
