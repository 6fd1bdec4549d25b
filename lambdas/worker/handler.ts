/**
 * Lambda worker: the SQS event source (one per priority queue and one on the batch queue,
 * ReportBatchItemFailures on) hands a batch; each record goes through the same WorkerService
 * as the Fargate poller and local mode's BatchConsumer. Records to keep (retry, poison,
 * released) are reported in `batchItemFailures`, so SQS deletes only the others and the
 * redrive policy counts receives for the DLQ. A batch-queue invocation carries up to 100
 * records: at most `concurrency` run at once, and those not started when the release margin
 * is reached are handed back untouched.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  openWorkerRuntime,
  powertoolsLog,
  workerEnv,
  type WorkerRuntime,
} from '../../lib/adapters/worker-runtime.js';
import { QUEUE_NAMES, type QueueName } from '../../lib/config/queues.js';
import { UnknownQueueError, type Queue, type QueueMessage } from '../../lib/ports/queue.js';
import type { WorkerService } from '../../lib/services/worker.js';
import type { WorkerLog } from '../../lib/services/worker-support.js';

/** Released before Lambda's own timeout kills the run, so another worker can take it at once. */
const RELEASE_MARGIN_MS = 3_000;

export interface WorkerHandlerDeps {
  readonly worker: Pick<WorkerService, 'handle'>;
  /** For re-timing records that stay (retry backoff, immediate release). */
  readonly queue: Queue;
  readonly queueOf: (eventSourceArn: string) => QueueName;
  readonly log?: WorkerLog;
  /** Records of one invocation handled at once (BatchConsumer's default too). @default 32 */
  readonly concurrency?: number;
}

/** Which logical queue an ARN names: its last segment matches the end of a configured URL. */
export function queueOfArn(urls: Partial<Record<QueueName, { url: string }>>): (arn: string) => QueueName {
  return (arn) => {
    const name = arn.split(':').pop() ?? '';
    const found = QUEUE_NAMES.find((q) => urls[q]?.url.split('/').pop() === name);
    if (!found) throw new UnknownQueueError(name);
    return found;
  };
}

export function createWorkerHandler(deps: WorkerHandlerDeps) {
  return async (
    event: SQSEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<SQSBatchResponse> => {
    const shutdown = new AbortController();
    const remaining = context?.getRemainingTimeInMillis();
    const timer = remaining
      ? setTimeout(() => shutdown.abort(), Math.max(remaining - RELEASE_MARGIN_MS, 0))
      : undefined;
    try {
      const records = event.Records;
      const kept: boolean[] = new Array<boolean>(records.length);
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < records.length) {
          const i = next++;
          kept[i] = await handleRecord(deps, records[i]!, shutdown.signal);
        }
      };
      await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 32, records.length) }, lane));
      return {
        batchItemFailures: records
          .filter((_, i) => kept[i])
          .map((r) => ({
            itemIdentifier: r.messageId,
          })),
      };
    } finally {
      clearTimeout(timer);
    }
  };
}

/** true when the record must stay on the queue. */
async function handleRecord(deps: WorkerHandlerDeps, r: SQSRecord, signal: AbortSignal): Promise<boolean> {
  let message: QueueMessage | undefined;
  try {
    message = {
      queue: deps.queueOf(r.eventSourceARN),
      messageId: r.messageId,
      receiptHandle: r.receiptHandle,
      body: r.body,
      receiveCount: Number(r.attributes.ApproximateReceiveCount) || 1,
    };
    // Out of time before this record started: hand it back as it came (no claim, no release).
    const result = signal.aborted
      ? { delete: false, visibilityMs: 0 }
      : await deps.worker.handle(message, signal);
    if (result.delete) return false;
    await deps.queue
      .changeVisibility(message.queue, message.receiptHandle, result.visibilityMs ?? 0)
      .catch(() => {});
    return true;
  } catch (err) {
    // Infrastructure trouble (store unreachable ...): keep the record; SQS redelivers it.
    deps.log?.error('record failed; SQS will redeliver it', { messageId: r.messageId, error: String(err) });
    return true;
  }
}

let runtime: Promise<WorkerRuntime> | undefined;

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  runtime ??= openWorkerRuntime(workerEnv());
  const rt = await runtime;
  try {
    const env = workerEnv();
    return await createWorkerHandler({
      worker: rt.worker,
      queue: rt.queue,
      queueOf: queueOfArn(env.QUEUE_URLS),
      log: powertoolsLog(rt.logger),
    })(event, context);
  } finally {
    rt.metrics.publishStoredMetrics();
  }
};
