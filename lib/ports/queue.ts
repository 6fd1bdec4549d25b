/**
 * The message queue the execution engine needs. Two adapters with the same semantics:
 * SQS in AWS (`adapters/aws/sqs-queue.ts`) and the in-process queue of the embedded default
 * (`adapters/local/memory-queue.ts`); one contract suite (`test/queues/queue.contract.ts`)
 * runs against both. At-least-once delivery: consumers must be idempotent.
 */
import * as z from 'zod';
import { PRIORITIES, type QueueName } from '../config/queues.js';

export interface QueueMessage {
  readonly queue: QueueName;
  readonly messageId: string;
  /** Valid for this receive only; a redelivery gets a new one. */
  readonly receiptHandle: string;
  readonly body: string;
  /** 1 on the first delivery; past MAX_RECEIVE_COUNT the message moves to the DLQ. */
  readonly receiveCount: number;
}

export interface ReceiveOptions {
  /** 1..10 (the SQS batch limit); default 1. */
  readonly maxMessages?: number;
  /** Long polling: wait up to this long for a message (0..20 s); default 0. */
  readonly waitTimeMs?: number;
  /** Hide received messages this long; default: the queue's visibility timeout. */
  readonly visibilityTimeoutMs?: number;
  /** Ends a long poll early (shutdown); resolves with what was received so far (nothing). */
  readonly signal?: AbortSignal;
}

export interface QueueStats {
  /** Messages ready to be received. */
  readonly visible: number;
  /** Received and neither deleted nor visible again yet. */
  readonly inFlight: number;
  /** Messages in the queue's dead-letter queue. */
  readonly deadLetter: number;
}

export interface Queue {
  /** Sends in batches of up to 10; resolves once every body is stored. */
  send(queue: QueueName, bodies: readonly string[]): Promise<void>;
  receive(queue: QueueName, options?: ReceiveOptions): Promise<QueueMessage[]>;
  /** Deletes with the latest receipt handle; a stale handle is a no-op (as in SQS). */
  delete(queue: QueueName, receiptHandle: string): Promise<void>;
  /** Visibility from now on: 0 makes it receivable at once; extend while work runs. */
  changeVisibility(queue: QueueName, receiptHandle: string, timeoutMs: number): Promise<void>;
  stats(queue: QueueName): Promise<QueueStats>;
  /** Moves every DLQ message back to its source queue; returns how many moved. */
  redrive(queue: QueueName): Promise<number>;
}

/** changeVisibility with a handle that is no longer current (the message was redelivered or deleted). */
export class ReceiptHandleInvalidError extends Error {
  constructor(queue: QueueName) {
    super(`Receipt handle is no longer valid on queue ${queue}: the message was deleted or received again`);
    this.name = 'ReceiptHandleInvalidError';
  }
}

export class UnknownQueueError extends Error {
  constructor(queue: string) {
    super(`Unknown queue '${queue}': configure a URL for it (P0..P3, batch)`);
    this.name = 'UnknownQueueError';
  }
}

/**
 * What the dispatcher sends and the worker receives: only ids. The worker reads the
 * execution from the store and re-checks that it belongs to `tenantId`.
 */
export const executionMessageSchema = z.strictObject({
  v: z.literal(1),
  tenantId: z.uuid(),
  executionId: z.string().min(1).max(64),
  priority: z.enum(PRIORITIES),
});
export type ExecutionMessage = z.output<typeof executionMessageSchema>;
