/**
 * The stream processor's deployed entry composed from its environment with MSK configured:
 * EventBridge through AWS_ENDPOINT_URL_EVENTBRIDGE at the fake endpoint, MSK_BOOTSTRAP_BROKERS
 * at the fake SASL listener (no broker here: the TLS handshake the deployed producer starts
 * never completes against the plaintext listener, and the MSK publish deadline, 10 s, ends it). The record whose event reached EventBridge but not MSK is reported for retry
 * (partial batch response), so a failure on either bus is retried. The MSK side with a real
 * handshake is in outbox-relay-function.test.ts and msk-bus.test.ts. Own file: the entry keeps
 * its composition in module scope.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../lambdas/stream-processor/handler.js';
import { executionItem } from '../../lib/adapters/aws/dynamodb-execution-codec.js';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import type { DomainEvent } from '../../lib/domain/events/envelope.js';
import { startFakeEventBridge, type FakeEventBridge } from './fake-eventbridge.js';
import { startFakeSaslBroker, type FakeSaslBroker } from './fake-kafka-sasl.js';
import { TENANT } from './samples.js';

describe('stream processor entry with EventBridge and MSK', () => {
  const saved = { ...process.env };
  let eventBridge: FakeEventBridge;
  let broker: FakeSaslBroker;
  const seen: DomainEvent[] = [];

  beforeAll(async () => {
    const bus = new MemoryBus();
    bus.subscribe('*', (e) => void seen.push(e));
    eventBridge = await startFakeEventBridge(bus);
    broker = await startFakeSaslBroker();
    Object.assign(process.env, {
      EVENT_BUS_NAME: 'glaf-test-bus',
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
      MSK_BOOTSTRAP_BROKERS: broker.broker,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret-test',
    });
    delete process.env.EVENT_DLQ_URL;
    delete process.env.LAKE_STREAM_PREFIX;
  });
  afterAll(async () => {
    process.env = saved;
    await broker?.close();
    await eventBridge?.close();
  });

  it(
    'reports the record for retry when MSK failed its event, although EventBridge took it',
    { timeout: 60_000 },
    async () => {
      // Prepare: an execution item as the store writes it, claimed (PENDING -> RUNNING).
      const at = '2026-11-26T10:00:00.000Z';
      const pending = {
        tenantId: TENANT,
        executionId: 'ex-msk-1',
        agentId: 'fuel-emissions',
        agentVersion: '1.2.0',
        status: 'PENDING' as const,
        input: { fuel: 'diesel' },
        priority: 2,
        attempts: 0,
        requestHash: 'h'.repeat(64),
        createdAt: at,
        updatedAt: at,
        expiresAt: 1_900_000_000,
      };
      const inputJson = JSON.stringify(pending.input);
      const before = executionItem(pending, inputJson);
      const image = executionItem({ ...pending, status: 'RUNNING', attempts: 1 }, inputJson);
      const event: DynamoDBStreamEvent = {
        Records: [
          {
            eventID: 'ev-1',
            eventName: 'MODIFY',
            eventSource: 'aws:dynamodb',
            dynamodb: {
              Keys: { PK: image['PK'], SK: image['SK'] } as never,
              NewImage: image as never,
              OldImage: before as never,
              SequenceNumber: '101',
              StreamViewType: 'NEW_AND_OLD_IMAGES',
            },
          },
        ],
      };
      // Act
      const response = await handler(event);
      // Assess
      expect(seen.map((e) => [e.type, e.detail['executionId']])).toEqual([['execution.started', 'ex-msk-1']]);
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '101' }] });
    },
  );
});
