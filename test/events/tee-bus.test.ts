/**
 * TeeBus over the in-process bus and EventBridgeBus (real SDK client against the fake
 * EventBridge endpoint): both receive every event, awaited; the merged result fails an event
 * that any bus failed, so a caller that retries failures (the stream processor, the outbox
 * relay) still sees it; an invalid event reaches no bus.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeBus } from '../../lib/adapters/aws/eventbridge-bus.js';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import { TeeBus } from '../../lib/adapters/tee-bus.js';
import { createEvent, type DomainEvent } from '../../lib/domain/events/envelope.js';
import { InvalidEventError } from '../../lib/domain/events/validate.js';
import type { EventBus, PublishResult } from '../../lib/ports/event-bus.js';
import { startFakeEventBridge, type FakeEventBridge } from './fake-eventbridge.js';
import { SAMPLE_DETAILS, TENANT } from './samples.js';

let local: MemoryBus;
let remote: MemoryBus;
let fake: FakeEventBridge;
let seenLocally: string[];
let seenRemotely: string[];

beforeEach(async () => {
  local = new MemoryBus();
  remote = new MemoryBus();
  seenLocally = [];
  seenRemotely = [];
  local.subscribe('*', (e) => void seenLocally.push(e.id));
  remote.subscribe('*', (e) => void seenRemotely.push(e.id));
  fake = await startFakeEventBridge(remote);
});
afterEach(() => fake.close());

function eventBridge(): EventBridgeBus {
  const client = new EventBridgeClient({
    endpoint: fake.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
    maxAttempts: 1,
  });
  return new EventBridgeBus({
    client,
    eventBusName: 'glaf-test',
    maxAttempts: 2,
    sleep: () => Promise.resolve(),
  });
}

const events = (n: number): DomainEvent[] =>
  Array.from({ length: n }, (_, i) =>
    createEvent('execution.completed', TENANT, { ...SAMPLE_DETAILS['execution.completed'], attempts: i }),
  );

describe('TeeBus', () => {
  it('publishes every event to each bus, in order, and reports them published', async () => {
    const batch = events(3);
    const result = await new TeeBus(local, eventBridge()).publish(batch);

    const ids = batch.map((e) => e.id);
    expect(result).toEqual({ published: ids, deadLettered: [], failed: [] });
    expect(seenLocally).toEqual(ids);
    expect(seenRemotely).toEqual(ids);
  });

  it('fails an event that one bus failed, though the other took it (the caller retries it)', async () => {
    const batch = events(2);
    const refused = batch[1]!.id;
    fake.failWith((entry) =>
      (JSON.parse(entry.Detail) as DomainEvent).id === refused ? 'ThrottlingException' : undefined,
    );
    const result = await new TeeBus(local, eventBridge()).publish(batch);

    expect(result.published).toEqual([batch[0]!.id]);
    expect(result.failed.map((f) => [f.event.id, f.code])).toEqual([[refused, 'ThrottlingException']]);
    expect(seenLocally).toEqual([batch[0]!.id, refused]);
    expect(seenRemotely).toEqual([batch[0]!.id]);
  });

  it('counts a bus that throws as failing every event, and keeps both reasons when both fail', async () => {
    const broken: EventBus = { publish: () => Promise.reject(new Error('broker unreachable')) };
    const refusing: EventBus = {
      publish: (es): Promise<PublishResult> =>
        Promise.resolve({
          published: [],
          deadLettered: [],
          failed: es.map((event) => ({ event, code: 'Nope', reason: 'refused' })),
        }),
    };
    const batch = events(2);
    const result = await new TeeBus(local, broken, refusing).publish(batch);

    expect(result.published).toEqual([]);
    expect(result.failed.map((f) => f.reason)).toEqual([
      'broker unreachable; refused',
      'broker unreachable; refused',
    ]);
    expect(seenLocally).toHaveLength(2);
  });

  it('reports dead-lettered events as such, and an event a bus never confirmed as failed', async () => {
    const batch = events(2);
    const deadLettering: EventBus = {
      publish: (es): Promise<PublishResult> =>
        Promise.resolve({
          published: [es[1]!.id],
          deadLettered: [{ event: es[0]!, code: 'Throttled', reason: 'gave up' }],
          failed: [],
        }),
    };
    const silent: EventBus = {
      publish: (es): Promise<PublishResult> =>
        Promise.resolve({ published: [es[0]!.id], deadLettered: [], failed: [] }),
    };
    const result = await new TeeBus(deadLettering, silent).publish(batch);

    expect(result.deadLettered.map((f) => f.event.id)).toEqual([batch[0]!.id]);
    expect(result.failed.map((f) => [f.event.id, f.code])).toEqual([[batch[1]!.id, 'MissingResult']]);
    expect(result.published).toEqual([]);
  });

  it('publishes nothing anywhere when an event is invalid', async () => {
    const bad = { ...events(1)[0]!, tenantId: 'not-a-uuid' } as DomainEvent;
    await expect(new TeeBus(local, eventBridge()).publish([events(1)[0]!, bad])).rejects.toBeInstanceOf(
      InvalidEventError,
    );
    expect(seenLocally).toEqual([]);
    expect(fake.calls).toEqual([]);
  });
});
