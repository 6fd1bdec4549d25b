/**
 * Execution reads asked for in the same turn share BatchGetItem requests (per tenant, at most
 * 100 keys each) against dynalite: every caller still gets its own item or NotFoundError, and
 * a tenant never reads another tenant's execution.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbExecutionStore } from '../../../lib/adapters/aws/dynamodb-execution-store.js';
import { ensureTable } from '../../../lib/adapters/aws/dynamodb-table.js';
import { dynaliteClient, startDynalite, type RunningDynalite } from '../../../lib/adapters/local/dynalite.js';
import { EXECUTION_TABLE } from '../../../lib/config/execution-table.js';
import { NotFoundError } from '../../../lib/domain/errors.js';
import { newExecutionId } from '../../../lib/domain/execution-ids.js';

describe('DynamoDbExecutionStore.get, coalesced', () => {
  let dynalite: RunningDynalite;
  let client: DynamoDBClient;
  let store: DynamoDbExecutionStore;
  const sent: string[] = [];

  beforeAll(async () => {
    dynalite = await startDynalite();
    client = dynaliteClient(dynalite.endpoint);
    await ensureTable(client, EXECUTION_TABLE, 'executions');
    // Records the command names the store sends; the calls go to dynalite unchanged.
    const send = client.send.bind(client) as (command: object) => Promise<unknown>;
    Object.assign(client, {
      send: (command: object) => {
        sent.push(command.constructor.name);
        return send(command);
      },
    });
    store = new DynamoDbExecutionStore({ client, tableName: 'executions' });
  });
  afterAll(async () => {
    client.destroy();
    await dynalite.close();
  });

  const request = (n: number) => ({ agentId: 'fuel-emissions', agentVersion: '1.0.0', input: { n } });

  it('answers 120 reads of one tenant and 1 of another in 3 requests, each with its own item', async () => {
    // Prepare
    const a = randomUUID();
    const b = randomUUID();
    const created = [];
    for (let i = 0; i < 120; i++) created.push((await store.create(a, request(i))).execution);
    const missing = newExecutionId(new Date());
    sent.length = 0;

    // Act: all in one turn, with a duplicate, a missing id, and tenant B asking for A's first id.
    const reads = [...created, created[7]!].map((e) => store.get(a, e.executionId));
    const absent = store.get(a, missing).catch((e: unknown) => e);
    const foreign = store.get(b, created[0]!.executionId).catch((e: unknown) => e);
    const got = await Promise.all(reads);

    // Assess
    expect(got).toEqual([...created, created[7]!]);
    expect(await absent).toBeInstanceOf(NotFoundError);
    expect(await foreign).toBeInstanceOf(NotFoundError);
    // A: 121 distinct keys = 100 + 21 in two BatchGetItem; B: one key, a plain GetItem.
    expect(sent.sort()).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand', 'GetItemCommand']);
  });

  it('reads a lone execution with GetItem and sees its latest state', async () => {
    const t = randomUUID();
    const { execution } = await store.create(t, request(1));
    await store.cancel(t, execution.executionId);
    sent.length = 0;

    expect((await store.get(t, execution.executionId)).status).toBe('CANCELLED');
    expect(sent).toEqual(['GetItemCommand']);
  });
});
