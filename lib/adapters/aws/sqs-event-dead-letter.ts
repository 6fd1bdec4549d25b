/**
 * The event dead-letter queue on SQS: events EventBridge refused after every retry are kept
 * here (14 days) with why they failed, for an operator to inspect and republish. One message
 * per event, sent with SendMessageBatch in tens; entries SQS refuses make the whole call
 * throw, so the bus reports those events as `failed` (the caller keeps them) instead of lost.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EventDeadLetterQueue, PublishFailure } from '../../ports/event-bus.js';

export interface DeadLetterMessage {
  readonly event: PublishFailure['event'];
  readonly code?: string;
  readonly reason: string;
  readonly failedAt: string;
}

export class EventDeadLetterSendError extends Error {
  constructor(readonly refused: readonly string[]) {
    super(`SQS refused ${refused.length} dead-letter message(s) for events ${refused.join(', ')}`);
    this.name = 'EventDeadLetterSendError';
  }
}

export class SqsEventDeadLetterQueue implements EventDeadLetterQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async send(failures: readonly PublishFailure[]): Promise<void> {
    const failedAt = this.clock().toISOString();
    const refused: string[] = [];
    for (let i = 0; i < failures.length; i += 10) {
      const chunk = failures.slice(i, i + 10);
      const out = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((f, j) => {
            const message: DeadLetterMessage = { event: f.event, code: f.code, reason: f.reason, failedAt };
            return { Id: String(j), MessageBody: JSON.stringify(message) };
          }),
        }),
      );
      for (const f of out.Failed ?? []) refused.push(chunk[Number(f.Id)]?.event.id ?? `entry ${f.Id}`);
    }
    if (refused.length > 0) throw new EventDeadLetterSendError(refused);
  }
}
