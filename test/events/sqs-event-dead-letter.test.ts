/** The SQS event DLQ through the real SDK client and the fake SQS endpoint (test/queues/fake-sqs.ts). */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeBus } from '../../lib/adapters/aws/eventbridge-bus.js';
import {
  SqsEventDeadLetterQueue,
  type DeadLetterMessage,
} from '../../lib/adapters/aws/sqs-event-dead-letter.js';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import { MemoryQueue } from '../../lib/adapters/local/memory-queue.js';
import { createEvent, type DomainEvent } from '../../lib/domain/events/envelope.js';
import { startFakeSqs, type FakeSqs } from '../queues/fake-sqs.js';
import { startFakeEventBridge, type FakeEventBridge } from './fake-eventbridge.js';
import { SAMPLE_DETAILS, TENANT } from './samples.js';

let queue: MemoryQueue;
let sqs: FakeSqs;
let eventBridge: FakeEventBridge;

beforeEach(async () => {
  queue = new MemoryQueue();
  sqs = await startFakeSqs(queue);
  eventBridge = await startFakeEventBridge(new MemoryBus());
});
afterEach(async () => {
  await sqs.close();
  await eventBridge.close();
});

describe('SqsEventDeadLetterQueue', () => {
  it('keeps events EventBridge refused after every retry, with the reason, 10 per SendMessageBatch', async () => {
    // Prepare: EventBridge refuses everything; the bus dead-letters to SQS (the fake's P3 queue URL).
    eventBridge.failWith(() => 'InternalFailure');
    const dlq = new SqsEventDeadLetterQueue(
      sqs.client(),
      sqs.urls.P3.url,
      () => new Date('2026-11-26T12:00:00Z'),
    );
    const bus = new EventBridgeBus({
      client: new EventBridgeClient({
        endpoint: eventBridge.endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
        maxAttempts: 1,
      }),
      eventBusName: 'glaf-test',
      maxAttempts: 2,
      sleep: () => Promise.resolve(),
      deadLetter: dlq,
    });
    const events = Array.from({ length: 12 }, () =>
      createEvent('execution.started', TENANT, SAMPLE_DETAILS['execution.started']),
    );
    // Act
    const result = await bus.publish(events);
    // Assess
    expect(result.deadLettered).toHaveLength(12);
    expect(result.failed).toEqual([]);
    expect(sqs.calls.filter((c) => c === 'SendMessageBatch')).toHaveLength(2);
    const received = [
      ...(await queue.receive('P3', { maxMessages: 10 })),
      ...(await queue.receive('P3', { maxMessages: 10 })),
    ];
    const messages = received.map((m) => JSON.parse(m.body) as DeadLetterMessage);
    expect(messages.map((m) => m.event.id).sort()).toEqual(events.map((e: DomainEvent) => e.id).sort());
    expect(messages[0]).toMatchObject({
      code: 'InternalFailure',
      reason: 'fake InternalFailure',
      failedAt: '2026-11-26T12:00:00.000Z',
    });
  });
});
