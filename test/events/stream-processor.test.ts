/**
 * The stream processor over real execution items: the DynamoDB execution store writes
 * them on dynalite, and the test turns each write into the stream record DynamoDB would
 * emit (NEW_AND_OLD_IMAGES: the item read just before and just after the write). Dynalite
 * has no streams, so this capture is the one stand-in; items, codec and handler are real.
 */
import {
  DeleteItemCommand,
  GetItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler, createStreamHandler } from '../../lambdas/stream-processor/handler.js';
import { EventBridgeBus } from '../../lib/adapters/aws/eventbridge-bus.js';
import { DynamoDbExecutionStore } from '../../lib/adapters/aws/dynamodb-execution-store.js';
import { execSk, idempSk, tenantPk, usageSk } from '../../lib/adapters/aws/dynamodb-keys.js';
import { ensureTable } from '../../lib/adapters/aws/dynamodb-table.js';
import { dynaliteClient, startDynalite, type RunningDynalite } from '../../lib/adapters/local/dynalite.js';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import { EXECUTION_TABLE } from '../../lib/config/execution-table.js';
import type { DomainEvent } from '../../lib/domain/events/envelope.js';
import { startFakeEventBridge } from './fake-eventbridge.js';
import { TENANT } from './samples.js';

const TABLE = 'executions';
let dynalite: RunningDynalite;
let client: DynamoDBClient;
let store: DynamoDbExecutionStore;
let now: Date;
let seq: number;
let records: DynamoDBRecord[];

type Image = Record<string, AttributeValue>;

async function read(sk: string): Promise<Image | undefined> {
  const out = await client.send(
    new GetItemCommand({
      TableName: TABLE,
      Key: { PK: { S: tenantPk(TENANT) }, SK: { S: sk } },
      ConsistentRead: true,
    }),
  );
  return out.Item;
}

/** Runs a write and records the stream record DynamoDB would emit for the item `sk`. */
async function captured<T>(sk: () => string, write: () => Promise<T>): Promise<T> {
  const before = await read(sk());
  const result = await write();
  const after = await read(sk());
  now = new Date(now.getTime() + 1000);
  const eventName = !before ? 'INSERT' : after ? 'MODIFY' : 'REMOVE';
  records.push({
    eventID: `ev-${++seq}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { PK: { S: tenantPk(TENANT) }, SK: { S: sk() } },
      ...(after ? { NewImage: after as never } : {}),
      ...(before ? { OldImage: before as never } : {}),
      SequenceNumber: String(100 + seq),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  });
  return result;
}

const streamEvent = (rs: DynamoDBRecord[] = records): DynamoDBStreamEvent => ({ Records: rs });
const input = { fuel: 'diesel', quantity: 10 };

async function newExecution(key?: string): Promise<string> {
  let id = '';
  await captured(
    () => execSk(id),
    async () => {
      const r = await store.create(
        TENANT,
        { agentId: 'fuel-emissions', agentVersion: '1.2.0', input, priority: 2 },
        {
          ...(key ? { idempotencyKey: key } : {}),
        },
      );
      id = r.execution.executionId;
    },
  );
  return id;
}

beforeAll(async () => {
  dynalite = await startDynalite();
  client = dynaliteClient(dynalite.endpoint);
  await ensureTable(client, EXECUTION_TABLE, TABLE);
});
afterAll(async () => {
  client.destroy();
  await dynalite.close();
});
beforeEach(() => {
  now = new Date('2026-11-26T10:00:00.000Z');
  store = new DynamoDbExecutionStore({ client, tableName: TABLE, clock: () => now });
  seq = 0;
  records = [];
});

function memoryBus(): { bus: MemoryBus; seen: DomainEvent[] } {
  const bus = new MemoryBus();
  const seen: DomainEvent[] = [];
  bus.subscribe('*', (e) => void seen.push(e));
  return { bus, seen };
}

describe('stream processor handler', () => {
  it('turns PENDING -> RUNNING -> COMPLETED into execution.started and execution.completed', async () => {
    // Prepare
    const id = await newExecution();
    const claimed = await captured(
      () => execSk(id),
      () => store.claim(TENANT, id, 60_000),
    );
    await captured(
      () => execSk(id),
      () => store.complete(TENANT, id, claimed.leaseToken!, { co2e_kg: 26.8 }),
    );
    const { bus, seen } = memoryBus();
    // Act
    const response = await createStreamHandler(bus)(streamEvent());
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen.map((e) => e.type)).toEqual(['execution.started', 'execution.completed']);
    expect(seen[1]).toMatchObject({
      tenantId: TENANT,
      version: 1,
      source: 'glaf',
      detail: { executionId: id, agentId: 'fuel-emissions', agentVersion: '1.2.0', attempts: 1 },
    });
    expect(seen[0]!.time < seen[1]!.time).toBe(true);
  });

  it('announces failed (with the reason), timed out and cancelled; says nothing on a release', async () => {
    const failing = await newExecution();
    const c1 = await captured(
      () => execSk(failing),
      () => store.claim(TENANT, failing, 60_000),
    );
    await captured(
      () => execSk(failing),
      () => store.fail(TENANT, failing, c1.leaseToken!, { code: 'agent_error', message: 'unknown fuel' }),
    );
    const slow = await newExecution();
    const c2 = await captured(
      () => execSk(slow),
      () => store.claim(TENANT, slow, 60_000),
    );
    await captured(
      () => execSk(slow),
      () => store.timeOut(TENANT, slow, { leaseToken: c2.leaseToken! }),
    );
    const released = await newExecution();
    const c3 = await captured(
      () => execSk(released),
      () => store.claim(TENANT, released, 60_000),
    );
    await captured(
      () => execSk(released),
      () => store.release(TENANT, released, { leaseToken: c3.leaseToken! }),
    );
    await captured(
      () => execSk(released),
      () => store.cancel(TENANT, released),
    );
    const { bus, seen } = memoryBus();
    await createStreamHandler(bus)(streamEvent());
    expect(seen.map((e) => [e.type, e.detail['executionId']])).toEqual([
      ['execution.started', failing],
      ['execution.failed', failing],
      ['execution.started', slow],
      ['execution.timed_out', slow],
      ['execution.started', released],
      ['execution.cancelled', released],
    ]);
    expect(seen[1]!.detail['error']).toEqual({ code: 'agent_error', message: 'unknown fuel' });
    expect(seen[5]!.detail['previousStatus']).toBe('PENDING');
  });

  it('ignores idempotency, usage and deleted items', async () => {
    await newExecution('key-1');
    await captured(
      () => idempSk('key-1'),
      () => Promise.resolve(),
    );
    await captured(
      () => usageSk('2026-11'),
      () => store.addUsage(TENANT, '2026-11', { executions: 1 }),
    );
    const id = records[0]!.dynamodb!.Keys!['SK']!.S!.slice('EXEC#'.length);
    await captured(
      () => execSk(id),
      () =>
        client.send(
          new DeleteItemCommand({
            TableName: TABLE,
            Key: { PK: { S: tenantPk(TENANT) }, SK: { S: execSk(id) } },
          }),
        ),
    );
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'INSERT', 'REMOVE']);
    const { bus, seen } = memoryBus();
    expect(await createStreamHandler(bus)(streamEvent())).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual([]);
  });

  it('is idempotent: a retried batch publishes the same event ids', async () => {
    const id = await newExecution();
    const claimed = await captured(
      () => execSk(id),
      () => store.claim(TENANT, id, 60_000),
    );
    await captured(
      () => execSk(id),
      () => store.complete(TENANT, id, claimed.leaseToken!, {}),
    );
    const { bus, seen } = memoryBus();
    const handle = createStreamHandler(bus);
    await handle(streamEvent());
    await handle(streamEvent());
    const ids = seen.map((e) => e.id);
    expect(ids).toHaveLength(4);
    expect(ids.slice(2)).toEqual(ids.slice(0, 2));
    expect(new Set(ids).size).toBe(2);
  });

  it('a second claim after a release is a new event (another attempt), not a duplicate', async () => {
    const id = await newExecution();
    const c1 = await captured(
      () => execSk(id),
      () => store.claim(TENANT, id, 60_000),
    );
    await captured(
      () => execSk(id),
      () => store.release(TENANT, id, { leaseToken: c1.leaseToken! }),
    );
    await captured(
      () => execSk(id),
      () => store.claim(TENANT, id, 60_000),
    );
    const { bus, seen } = memoryBus();
    await createStreamHandler(bus)(streamEvent());
    expect(seen.map((e) => [e.type, e.detail['attempts']])).toEqual([
      ['execution.started', 1],
      ['execution.started', 2],
    ]);
    expect(seen[0]!.id).not.toBe(seen[1]!.id);
  });

  it('reports the records whose events the bus refused (partial batch failure)', async () => {
    const first = await newExecution();
    await captured(
      () => execSk(first),
      () => store.claim(TENANT, first, 60_000),
    );
    const second = await newExecution();
    await captured(
      () => execSk(second),
      () => store.claim(TENANT, second, 60_000),
    );
    const backing = new MemoryBus();
    const fake = await startFakeEventBridge(backing);
    try {
      fake.failWith((entry) =>
        (JSON.parse(entry.Detail) as DomainEvent).detail['executionId'] === second
          ? 'InternalFailure'
          : undefined,
      );
      const eb = new EventBridgeBus({
        client: new EventBridgeClient({
          endpoint: fake.endpoint,
          region: 'eu-west-1',
          credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
          maxAttempts: 1,
        }),
        eventBusName: 'glaf-test',
        maxAttempts: 2,
        sleep: () => Promise.resolve(),
      });
      const response = await createStreamHandler(eb)(streamEvent());
      // records: INSERT first, claim first, INSERT second, claim second
      expect(response).toEqual({
        batchItemFailures: [{ itemIdentifier: records[3]!.dynamodb!.SequenceNumber }],
      });
    } finally {
      await fake.close();
    }
  });

  it('skips an execution item it cannot decode instead of blocking the shard', async () => {
    const id = await newExecution();
    await captured(
      () => execSk(id),
      () => store.claim(TENANT, id, 60_000),
    );
    const broken = structuredClone(records[1]!);
    delete broken.dynamodb!.NewImage!['agentId'];
    const { bus, seen } = memoryBus();
    expect(await createStreamHandler(bus)(streamEvent([broken, records[1]!]))).toEqual({
      batchItemFailures: [],
    });
    expect(seen.map((e) => e.type)).toEqual(['execution.started']);
  });

  it('the deployed entry refuses to start without EVENT_BUS_NAME', async () => {
    delete process.env.EVENT_BUS_NAME;
    await expect(handler(streamEvent([]))).rejects.toThrow(/environment is incomplete: EVENT_BUS_NAME/);
  });
});
