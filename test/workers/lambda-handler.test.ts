import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueDispatcher } from '../../lib/adapters/queue-dispatcher.js';
import { UnknownQueueError, type QueueMessage } from '../../lib/ports/queue.js';
import { createWorkerHandler, queueOfArn } from '../../lambdas/worker/handler.js';
import { fuelInput, openBenchFactory, type BenchFactory } from './harness.js';

const ARN = 'arn:aws:sqs:eu-west-1:123456789012:glaf-dev-ExecP2-AbC123';
const BATCH_ARN = 'arn:aws:sqs:eu-west-1:123456789012:glaf-dev-QueuesBatch-XyZ789';
/** QUEUE_URLS as the workers stack sets it for the Lambda fleet: P0..P3 and the batch queue. */
const URLS = Object.fromEntries(
  (['P0', 'P1', 'P2', 'P3', 'batch'] as const).map((q) => [
    q,
    {
      url: `https://sqs.eu-west-1.amazonaws.com/123456789012/${q === 'batch' ? 'glaf-dev-QueuesBatch-XyZ789' : `glaf-dev-Exec${q}-AbC123`}`,
    },
  ]),
);

/** The records the SQS event source mapping would hand the function for these messages. */
function eventOf(messages: readonly QueueMessage[], arn = ARN): SQSEvent {
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
      eventSourceARN: arn,
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

  /** Every message on the batch queue (receives of at most 10, as SQS). */
  async function receiveAll(b: ReturnType<BenchFactory['bench']>, count: number): Promise<QueueMessage[]> {
    const got: QueueMessage[] = [];
    while (got.length < count) {
      const more = await b.queue.receive('batch', { maxMessages: 10 });
      if (more.length === 0) break;
      got.push(...more);
    }
    return got;
  }

  it('runs an aggregate from the batch queue: every item completes, at most `concurrency` at once, a kept record goes back to the batch queue', async () => {
    const b = factory.bench();
    const toBatch = new QueueDispatcher(b.queue, 'batch');
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) {
      const { execution } = await b.store.create(b.tenant, {
        agentId: 'fuel-emissions',
        agentVersion: '1.0.0',
        input: fuelInput,
        priority: 3,
      });
      ids.push(execution.executionId);
    }
    const bad = (
      await b.store.create(b.tenant, {
        agentId: 'fuel-emissions',
        agentVersion: '1.0.0',
        input: { lines: 'not a list' },
        priority: 3,
      })
    ).execution.executionId;
    await Promise.all([...ids, bad].map((id) => toBatch.dispatch(b.tenant, id, 'P3')));
    const messages = await receiveAll(b, 25);
    expect(messages).toHaveLength(25);
    const worker = b.worker();
    let active = 0;
    let peak = 0;
    const handler = createWorkerHandler({
      worker: {
        handle: async (m, signal) => {
          peak = Math.max(peak, ++active);
          try {
            return await worker.handle(m, signal);
          } finally {
            active--;
          }
        },
      },
      queue: b.queue,
      queueOf: queueOfArn(URLS),
      concurrency: 4,
    });

    const response = await handler(eventOf(messages, BATCH_ARN));

    const badMessage = messages.find((m) => m.body.includes(bad))!;
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: badMessage.messageId }]);
    expect(peak).toBe(4);
    for (const id of ids) expect(await b.store.get(b.tenant, id)).toMatchObject({ status: 'COMPLETED' });
    // Re-timed on the batch queue (not on its priority's): visible again after the retry delay.
    b.advance(5_000);
    expect((await b.queue.receive('batch', { maxMessages: 10 })).map((m) => m.body)).toEqual([
      badMessage.body,
    ]);
    expect(await b.queue.receive('P3', { maxMessages: 10 })).toEqual([]);
  });

  it('hands back untouched the records it had no time to start', async () => {
    const b = factory.bench();
    const toBatch = new QueueDispatcher(b.queue, 'batch');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { execution } = await b.store.create(b.tenant, {
        agentId: 'fuel-emissions',
        agentVersion: '1.0.0',
        input: fuelInput,
        priority: 3,
      });
      ids.push(execution.executionId);
      await toBatch.dispatch(b.tenant, execution.executionId, 'P3');
    }
    const messages = await receiveAll(b, 6);
    const handler = createWorkerHandler({
      worker: b.worker(),
      queue: b.queue,
      queueOf: queueOfArn(URLS),
      concurrency: 2,
    });

    // Only the release margin left: the deadline passes as the first two records start.
    const response = await handler(eventOf(messages, BATCH_ARN), { getRemainingTimeInMillis: () => 3_000 });

    const kept = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const untouched = [];
    for (const [i, id] of ids.entries()) {
      const e = await b.store.get(b.tenant, id);
      if (e.attempts === 0) untouched.push(messages[i]!.messageId);
    }
    expect(untouched.length).toBeGreaterThanOrEqual(4);
    for (const m of untouched) expect(kept.has(m)).toBe(true);
  });
});
