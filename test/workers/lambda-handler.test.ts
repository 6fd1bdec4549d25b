import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnknownQueueError, type QueueMessage } from '../../lib/ports/queue.js';
import { createWorkerHandler, queueOfArn } from '../../lambdas/worker/handler.js';
import { fuelInput, openBenchFactory, type BenchFactory } from './harness.js';

const ARN = 'arn:aws:sqs:eu-west-1:123456789012:glaf-dev-ExecP2-AbC123';

/** The records the SQS event source mapping would hand the function for these messages. */
function eventOf(messages: readonly QueueMessage[]): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.messageId,
      receiptHandle: m.receiptHandle,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: ARN,
      awsRegion: 'eu-west-1',
    })),
  };
}

describe('Lambda worker handler', () => {
  let factory: BenchFactory;
  beforeAll(async () => {
    factory = await openBenchFactory();
  });
  afterAll(async () => factory.close());

  it('maps event source ARNs to logical queues by the configured URLs', () => {
    const queueOf = queueOfArn({
      P2: { url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/glaf-dev-ExecP2-AbC123' },
    });
    expect(queueOf(ARN)).toBe('P2');
    expect(() => queueOf('arn:aws:sqs:eu-west-1:123456789012:other')).toThrow(UnknownQueueError);
  });

  it('reports only the records to keep in batchItemFailures; a later duplicate is acknowledged', async () => {
    const b = factory.bench();
    const good = await b.submit('fuel-emissions', fuelInput);
    const bad = await b.submit('fuel-emissions', { lines: 'not a list' });
    await b.queue.send('P2', ['not json at all']);
    const messages = await b.queue.receive('P2', { maxMessages: 10 });
    expect(messages).toHaveLength(3);
    const handler = createWorkerHandler({ worker: b.worker(), queue: b.queue, queueOf: () => 'P2' });

    const response = await handler(eventOf(messages));

    const kept = response.batchItemFailures.map(
      (f) => messages.find((m) => m.messageId === f.itemIdentifier)!.body,
    );
    expect(kept).toHaveLength(2);
    expect(kept.some((body) => body.includes(bad))).toBe(true);
    expect(kept).toContain('not json at all');
    expect(await b.store.get(b.tenant, good)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    expect(await b.store.get(b.tenant, bad)).toMatchObject({ status: 'PENDING', attempts: 1 });

    await b.dispatcher.dispatch(b.tenant, good, 'P2'); // SQS delivers the same execution again
    const again = await b.queue.receive('P2', { maxMessages: 10 });
    expect(again).toHaveLength(1);
    expect(await handler(eventOf(again))).toEqual({ batchItemFailures: [] });
    expect(await b.store.get(b.tenant, good)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
  });
});
