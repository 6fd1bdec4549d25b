/** EventBridgeBus through the real AWS SDK client against the fake endpoint on 127.0.0.1. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeBus, type EventBridgeBusOptions } from '../../lib/adapters/aws/eventbridge-bus.js';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import { createEvent, type DomainEvent } from '../../lib/domain/events/envelope.js';
import { InvalidEventError } from '../../lib/domain/events/validate.js';
import type { PublishFailure } from '../../lib/ports/event-bus.js';
import { startFakeEventBridge, type FakeEventBridge } from './fake-eventbridge.js';
import { SAMPLE_DETAILS, TENANT } from './samples.js';

let backing: MemoryBus;
let fake: FakeEventBridge;
let received: DomainEvent[];
let sleeps: number[];

beforeEach(async () => {
  backing = new MemoryBus();
  received = [];
  backing.subscribe('*', (e) => {
    received.push(e);
  });
  fake = await startFakeEventBridge(backing);
  sleeps = [];
});
afterEach(() => fake.close());

function bus(extra: Partial<EventBridgeBusOptions> = {}): EventBridgeBus {
  const client = new EventBridgeClient({
    endpoint: fake.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
    // The SDK's own retries are off: the adapter's per-entry retry loop is what is tested.
    maxAttempts: 1,
  });
  return new EventBridgeBus({
    client,
    eventBusName: 'glaf-test',
    maxAttempts: 3,
    baseDelayMs: 100,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    ...extra,
  });
}

const events = (n: number): DomainEvent[] =>
  Array.from({ length: n }, (_, i) =>
    createEvent('execution.completed', TENANT, { ...SAMPLE_DETAILS['execution.completed'], attempts: i }),
  );

describe('EventBridgeBus.publish', () => {
  it('sends PutEvents in batches of at most 10, in order, with the envelope as Detail', async () => {
    // Prepare
    const batch = events(25);
    // Act
    const result = await bus().publish(batch);
    // Assess
    expect(fake.calls.map((c) => c.length)).toEqual([10, 10, 5]);
    expect(fake.targets).toEqual(['AWSEvents.PutEvents', 'AWSEvents.PutEvents', 'AWSEvents.PutEvents']);
    expect(result).toEqual({ published: batch.map((e) => e.id), deadLettered: [], failed: [] });
    expect(received).toEqual(batch);
    expect(sleeps).toEqual([]);
  });

  it('retries only the failed entries with exponential backoff until they are accepted', async () => {
    const batch = events(4);
    const flaky = new Set([batch[1]!.id, batch[3]!.id]);
    fake.failWith((entry, call) =>
      call <= 2 && flaky.has((JSON.parse(entry.Detail) as DomainEvent).id)
        ? 'ThrottlingException'
        : undefined,
    );
    const result = await bus().publish(batch);
    expect(fake.calls).toEqual([batch.map((e) => e.id), [...flaky], [...flaky]]);
    // equal jitter with random = 0.5: 3/4 of 100 ms, then of 200 ms
    expect(sleeps).toEqual([75, 150]);
    expect(result.published).toEqual(batch.map((e) => e.id));
    expect(received.map((e) => e.id).sort()).toEqual(batch.map((e) => e.id).sort());
  });

  it('hands entries that fail every attempt to the dead-letter queue', async () => {
    const batch = events(3);
    const poison = batch[1]!.id;
    fake.failWith((entry) =>
      (JSON.parse(entry.Detail) as DomainEvent).id === poison ? 'InternalFailure' : undefined,
    );
    const dlq: PublishFailure[] = [];
    const result = await bus({ deadLetter: { send: (f) => Promise.resolve(void dlq.push(...f)) } }).publish(
      batch,
    );
    expect(fake.calls).toEqual([batch.map((e) => e.id), [poison], [poison]]);
    expect(result.published).toEqual([batch[0]!.id, batch[2]!.id]);
    expect(result.failed).toEqual([]);
    expect(result.deadLettered).toEqual([
      { event: batch[1], code: 'InternalFailure', reason: 'fake InternalFailure' },
    ]);
    expect(dlq).toEqual(result.deadLettered);
    expect(received.map((e) => e.id)).toEqual([batch[0]!.id, batch[2]!.id]);
  });

  it('reports exhausted entries as failed when there is no dead-letter queue, or it refuses them', async () => {
    const batch = events(2);
    fake.failWith(() => 'InternalFailure');
    const noDlq = await bus().publish(batch);
    expect(noDlq.failed.map((f) => f.event.id)).toEqual(batch.map((e) => e.id));
    const refusing = await bus({
      deadLetter: { send: () => Promise.reject(new Error('queue gone')) },
    }).publish(batch);
    expect(refusing.deadLettered).toEqual([]);
    expect(refusing.failed[0]!.reason).toMatch(
      /fake InternalFailure; dead-letter queue refused them too: queue gone/,
    );
  });

  it('retries the whole chunk when the call itself fails (HTTP 500)', async () => {
    const batch = events(2);
    fake.failNextCalls(2);
    const result = await bus().publish(batch);
    expect(fake.calls.map((c) => c.length)).toEqual([0, 0, 2]);
    expect(result.published).toEqual(batch.map((e) => e.id));
    expect(received).toEqual(batch);
  });

  it('publishes nothing when one event is invalid', async () => {
    const bad = createEvent('execution.failed', TENANT, SAMPLE_DETAILS['execution.completed']);
    await expect(bus().publish([...events(3), bad])).rejects.toThrow(InvalidEventError);
    expect(fake.calls).toEqual([]);
    expect(received).toEqual([]);
  });

  it('sets Source glaf and DetailType = type on every entry', async () => {
    const seen: { Source: string; DetailType: string; EventBusName: string }[] = [];
    fake.failWith((entry) => {
      seen.push({ Source: entry.Source, DetailType: entry.DetailType, EventBusName: entry.EventBusName });
      return undefined;
    });
    await bus().publish([createEvent('tenant.suspended', TENANT, { tenantId: TENANT })]);
    expect(seen).toEqual([{ Source: 'glaf', DetailType: 'tenant.suspended', EventBusName: 'glaf-test' }]);
  });
});
