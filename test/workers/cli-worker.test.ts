/**
 * The Fargate entry (`agent-factory worker`) and the redrive command end to end in process:
 * the real SqsQueue adapter against the fake SQS endpoint (backed by the in-process queue;
 * this proves the wire mapping, not SQS), the DynamoDB store on dynalite, shipped agents.
 */
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbExecutionStore } from '../../lib/adapters/aws/dynamodb-execution-store.js';
import { SqsQueue } from '../../lib/adapters/aws/sqs-queue.js';
import { ensureTable } from '../../lib/adapters/aws/dynamodb-table.js';
import { dynaliteClient, startDynalite, type RunningDynalite } from '../../lib/adapters/local/dynalite.js';
import { MemoryQueue } from '../../lib/adapters/local/memory-queue.js';
import { QueueDispatcher } from '../../lib/adapters/queue-dispatcher.js';
import type { Out } from '../../lib/cli/commands.js';
import { redriveCommand } from '../../lib/cli/redrive.js';
import { workerCommand } from '../../lib/cli/worker.js';
import { EXECUTION_TABLE } from '../../lib/config/execution-table.js';
import { startFakeSqs, type FakeSqs } from '../queues/fake-sqs.js';
import { fuelInput } from './harness.js';

function capture(): Out & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) };
}

describe('worker and redrive commands', () => {
  let dynalite: RunningDynalite;
  let fake: FakeSqs;
  let backing: MemoryQueue;
  let env: NodeJS.ProcessEnv;
  const tenant = '0196a1b2-0000-7000-8000-000000000001';

  beforeAll(async () => {
    dynalite = await startDynalite();
    const client = dynaliteClient(dynalite.endpoint);
    await ensureTable(client, EXECUTION_TABLE, 'executions');
    client.destroy();
    backing = new MemoryQueue();
    fake = await startFakeSqs(backing);
    env = {
      EXECUTION_TABLE_NAME: 'executions',
      QUEUE_URLS: JSON.stringify(fake.urls),
      AWS_REGION: 'local',
      DYNAMODB_ENDPOINT: dynalite.endpoint,
      SQS_ENDPOINT: fake.endpoint,
    };
  });
  afterAll(async () => {
    await fake.close();
    await dynalite.close();
  });

  // Explicit limits: on the loaded shared machine the worker's composition plus two runs has
  // passed the 30 s default once; the behaviour checked does not depend on speed.
  it('runs queued executions and stops cleanly on SIGTERM', { timeout: 90_000 }, async () => {
    const client = dynaliteClient(dynalite.endpoint);
    const sqs = fake.client();
    try {
      const store = new DynamoDbExecutionStore({ client, tableName: 'executions' });
      const dispatcher = new QueueDispatcher(new SqsQueue({ client: sqs, urls: fake.urls }));
      const ids: string[] = [];
      for (const priority of ['P0', 'P3'] as const) {
        const { execution } = await store.create(tenant, {
          agentId: 'fuel-emissions',
          agentVersion: '1.0.0',
          input: fuelInput,
        });
        await dispatcher.dispatch(tenant, execution.executionId, priority);
        ids.push(execution.executionId);
      }
      const signals = new EventEmitter();
      const io = capture();
      const exit = workerCommand(io, { concurrency: 2, env, signals, waitTimeMs: 1_000 });
      for (const id of ids) {
        await expect
          .poll(async () => (await store.get(tenant, id)).status, { timeout: 45_000 })
          .toBe('COMPLETED');
      }
      // Completed in the store, then deleted from the queue: nothing is in flight any more.
      await expect
        .poll(async () => (await backing.stats('P0')).inFlight + (await backing.stats('P3')).inFlight, {
          timeout: 15_000,
        })
        .toBe(0);
      signals.emit('SIGTERM', 'SIGTERM');
      expect(await exit).toBe(0);
      expect(JSON.parse(io.out.at(-1)!)).toEqual({ stopped: true, finished: 0, released: 0 });
      expect(io.err.some((l) => l.startsWith('SIGTERM: no new work'))).toBe(true);
      expect(await backing.stats('P0')).toEqual({ visible: 0, inFlight: 0, deadLetter: 0 });
    } finally {
      client.destroy();
      sqs.destroy();
    }
  });

  it('refuses to start without its configuration and says what is missing', async () => {
    const io = capture();
    expect(await workerCommand(io, { concurrency: 1, env: {} })).toBe(2);
    expect(io.err.join('\n')).toMatch(/EXECUTION_TABLE_NAME/);
  });

  it('redrives dead-lettered messages through SQS and refuses unknown queue names', async () => {
    // Its own queue: a long poll the stopped worker abandoned may still be open on the shared one
    // (as on SQS, a message it took would only reappear after its visibility timeout).
    const backing = new MemoryQueue();
    const fake = await startFakeSqs(backing);
    const env2 = { ...env, QUEUE_URLS: JSON.stringify(fake.urls), SQS_ENDPOINT: fake.endpoint };
    await backing.send('P1', ['{"stuck":true}']);
    for (let i = 0; i < 3; i++) {
      const [m] = await backing.receive('P1');
      await backing.changeVisibility('P1', m!.receiptHandle, 0);
    }
    expect(await backing.receive('P1')).toEqual([]);
    expect((await backing.stats('P1')).deadLetter).toBe(1);

    const io = capture();
    expect(await redriveCommand(io, 'P1', env2)).toBe(0);
    expect(io.out.map((l) => JSON.parse(l) as unknown)).toEqual([{ queue: 'P1', moved: 1 }]);
    expect(await backing.stats('P1')).toMatchObject({ visible: 1, deadLetter: 0 });
    expect(fake.calls).toContain('StartMessageMoveTask');

    const bad = capture();
    expect(await redriveCommand(bad, 'P9', env2)).toBe(2);
    expect(bad.err.join('')).toContain("'P9' is not one of P0, P1, P2, P3, batch, all");
    await fake.close();
  });
});
