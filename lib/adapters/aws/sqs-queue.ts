/**
 * Queue port on Amazon SQS: one standard queue per priority, each with a DLQ whose redrive
 * policy (maxReceiveCount 3, set in CDK from config/queues.ts) moves a message received too
 * often. This adapter only maps the port onto SQS calls; the DLQ move itself is SQS's job.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type QueueAttributeName,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { MAX_BATCH, QUEUES, type QueueName } from '../../config/queues.js';
import {
  ReceiptHandleInvalidError,
  UnknownQueueError,
  type Queue,
  type QueueMessage,
  type QueueStats,
  type ReceiveOptions,
} from '../../ports/queue.js';

export interface SqsQueueUrls {
  readonly url: string;
  readonly deadLetterUrl: string;
}

export interface SqsQueueOptions {
  readonly client: SQSClient;
  readonly urls: Partial<Record<QueueName, SqsQueueUrls>>;
}

/** SendMessageBatch entries SQS refused (throttling, size): the caller should retry them. */
export class QueueSendError extends Error {
  constructor(queue: QueueName, failures: readonly { Id?: string; Message?: string }[]) {
    super(
      `SQS refused ${failures.length} message(s) on queue ${queue}: ${failures.map((f) => f.Message ?? 'unknown').join('; ')}`,
    );
    this.name = 'QueueSendError';
  }
}

const seconds = (ms: number) => Math.ceil(ms / 1000);
const chunks = <T>(xs: readonly T[]) =>
  Array.from({ length: Math.ceil(xs.length / MAX_BATCH) }, (_, i) =>
    xs.slice(i * MAX_BATCH, (i + 1) * MAX_BATCH),
  );

export class SqsQueue implements Queue {
  private readonly client: SQSClient;
  private readonly urls: Partial<Record<QueueName, SqsQueueUrls>>;

  constructor(options: SqsQueueOptions) {
    this.client = options.client;
    this.urls = options.urls;
  }

  async send(queue: QueueName, bodies: readonly string[]): Promise<void> {
    await this.sendTo(queue, this.url(queue).url, bodies);
  }

  async receive(queue: QueueName, options: ReceiveOptions = {}): Promise<QueueMessage[]> {
    const visibilityMs = options.visibilityTimeoutMs ?? QUEUES[queue].visibilityTimeoutSeconds * 1000;
    try {
      const out = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.url(queue).url,
          MaxNumberOfMessages: Math.min(Math.max(options.maxMessages ?? 1, 1), MAX_BATCH),
          WaitTimeSeconds: seconds(options.waitTimeMs ?? 0),
          VisibilityTimeout: seconds(visibilityMs),
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        { abortSignal: options.signal },
      );
      return (out.Messages ?? []).map((m) => ({
        queue,
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1'),
      }));
    } catch (err) {
      // A long poll cut short by shutdown is not an error: nothing was received.
      if (options.signal?.aborted) return [];
      throw err;
    }
  }

  async delete(queue: QueueName, receiptHandle: string): Promise<void> {
    await this.client.send(
      new DeleteMessageCommand({ QueueUrl: this.url(queue).url, ReceiptHandle: receiptHandle }),
    );
  }

  async changeVisibility(queue: QueueName, receiptHandle: string, timeoutMs: number): Promise<void> {
    try {
      await this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.url(queue).url,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds(timeoutMs),
        }),
      );
    } catch (err) {
      const name = (err as { name?: string }).name ?? '';
      if (/ReceiptHandleIsInvalid|MessageNotInflight/.test(name)) throw new ReceiptHandleInvalidError(queue);
      throw err;
    }
  }

  async stats(queue: QueueName): Promise<QueueStats> {
    const { url, deadLetterUrl } = this.url(queue);
    const [main, dead] = await Promise.all([
      this.attributes(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']),
      this.attributes(deadLetterUrl, ['ApproximateNumberOfMessages']),
    ]);
    return {
      visible: Number(main.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(main.ApproximateNumberOfMessagesNotVisible ?? 0),
      deadLetter: Number(dead.ApproximateNumberOfMessages ?? 0),
    };
  }

  /**
   * SQS's own redrive (StartMessageMoveTask without a destination moves DLQ messages back to
   * the queues they came from). It runs asynchronously: the count is the DLQ depth at start.
   */
  async redrive(queue: QueueName): Promise<number> {
    const attrs = await this.attributes(this.url(queue).deadLetterUrl, [
      'QueueArn',
      'ApproximateNumberOfMessages',
    ]);
    const count = Number(attrs.ApproximateNumberOfMessages ?? 0);
    if (count > 0) await this.client.send(new StartMessageMoveTaskCommand({ SourceArn: attrs.QueueArn }));
    return count;
  }

  private async sendTo(queue: QueueName, url: string, bodies: readonly string[]): Promise<void> {
    for (const batch of chunks(bodies)) {
      const out = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: batch.map((body, i) => ({ Id: String(i), MessageBody: body })),
        }),
      );
      if (out.Failed && out.Failed.length > 0) throw new QueueSendError(queue, out.Failed);
    }
  }

  private async attributes(url: string, names: QueueAttributeName[]) {
    const out = await this.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }),
    );
    return out.Attributes ?? {};
  }

  private url(queue: QueueName): SqsQueueUrls {
    const urls = this.urls[queue];
    if (!urls) throw new UnknownQueueError(queue);
    return urls;
  }
}
