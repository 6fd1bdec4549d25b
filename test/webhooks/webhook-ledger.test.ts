/**
 * The webhook delivery ledger on dynalite (the execution table's real definition): a pair is
 * claimed once per lease, settled once, released only by its holder, and keyed in the
 * tenant's own partition.
 */
import { randomUUID } from 'node:crypto';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbWebhookLedger } from '../../lib/adapters/aws/dynamodb-webhook-ledger.js';
import { ensureTable } from '../../lib/adapters/aws/dynamodb-table.js';
import { dynaliteClient, startDynalite, type RunningDynalite } from '../../lib/adapters/local/dynalite.js';
import { EXECUTION_TABLE } from '../../lib/config/execution-table.js';
import { ValidationError } from '../../lib/domain/errors.js';

describe('DynamoDbWebhookLedger', { timeout: 30_000 }, () => {
  let dynalite: RunningDynalite;
  let client: DynamoDBClient;
  let now = new Date('2026-03-01T12:00:00Z');
  let ledger: DynamoDbWebhookLedger;
  const tenant = randomUUID();
  const other = randomUUID();
  const hook = randomUUID();

  beforeAll(async () => {
    dynalite = await startDynalite();
    client = dynaliteClient(dynalite.endpoint);
    await ensureTable(client, EXECUTION_TABLE, 'ledger');
    ledger = new DynamoDbWebhookLedger({ client, tableName: 'ledger', clock: () => now });
  }, 30_000);
  afterAll(async () => {
    client.destroy();
    await dynalite.close();
  });

  it('claims a pair once per lease; the holder settles it and later copies find it settled', async () => {
    const event = randomUUID();
    const first = await ledger.claim(tenant, hook, event, 60_000);
    expect(first.status).toBe('claimed');
    expect(await ledger.claim(tenant, hook, event, 60_000)).toEqual({ status: 'busy' });
    await ledger.settle(tenant, hook, event, 'delivered');
    expect(await ledger.claim(tenant, hook, event, 60_000)).toEqual({
      status: 'settled',
      outcome: 'delivered',
    });
    // The first settlement stands.
    await ledger.settle(tenant, hook, event, 'failed');
    expect(await ledger.claim(tenant, hook, event, 60_000)).toEqual({
      status: 'settled',
      outcome: 'delivered',
    });
    const item = await client.send(
      new GetItemCommand({
        TableName: 'ledger',
        Key: { PK: { S: `TENANT#${tenant}` }, SK: { S: `WEBHOOK#${hook}#EVENT#${event}` } },
      }),
    );
    expect(item.Item?.['state']?.S).toBe('DELIVERED');
    expect(item.Item?.['leaseUntil']).toBeUndefined();
    expect(Number(item.Item?.['expiresAt']?.N)).toBeGreaterThan(now.getTime() / 1000);
  });

  it('lets another consumer take over a lease that ran out (its holder died)', async () => {
    const event = randomUUID();
    expect((await ledger.claim(tenant, hook, event, 1_000)).status).toBe('claimed');
    now = new Date(now.getTime() + 999);
    expect((await ledger.claim(tenant, hook, event, 1_000)).status).toBe('busy');
    now = new Date(now.getTime() + 2);
    expect((await ledger.claim(tenant, hook, event, 1_000)).status).toBe('claimed');
  });

  it('release frees the pair for its holder only', async () => {
    const event = randomUUID();
    const claim = await ledger.claim(tenant, hook, event, 60_000);
    if (claim.status !== 'claimed') throw new Error('expected a claim');
    await ledger.release(tenant, hook, event, randomUUID()); // not the holder's token: nothing happens
    expect((await ledger.claim(tenant, hook, event, 60_000)).status).toBe('busy');
    await ledger.release(tenant, hook, event, claim.token);
    expect((await ledger.claim(tenant, hook, event, 60_000)).status).toBe('claimed');
  });

  it("keeps tenants apart: another tenant's settlement of the same ids is its own", async () => {
    const event = randomUUID();
    expect((await ledger.claim(tenant, hook, event, 60_000)).status).toBe('claimed');
    await ledger.settle(tenant, hook, event, 'failed');
    expect((await ledger.claim(other, hook, event, 60_000)).status).toBe('claimed');
    expect(await ledger.claim(tenant, hook, event, 60_000)).toEqual({ status: 'settled', outcome: 'failed' });
  });

  it('refuses ids that could forge a sort key', async () => {
    await expect(ledger.claim(tenant, hook, 'x#EVENT#y', 1_000)).rejects.toBeInstanceOf(ValidationError);
    await expect(ledger.claim('not-a-tenant', hook, randomUUID(), 1_000)).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
