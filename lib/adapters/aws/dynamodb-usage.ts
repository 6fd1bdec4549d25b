/**
 * Monthly usage counters: one item per tenant and month, incremented with `ADD` so
 * concurrent workers never lose an increment (no read-modify-write).
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { assertMonth } from '../../domain/execution-ids.js';
import { parseOrThrow } from '../../domain/execution-request.js';
import { USAGE_COUNTERS, type CountResult, type UsageTotals } from '../../ports/execution-store.js';
import { tenantPk, usageSk } from './dynamodb-keys.js';

const limitSchema = z.number().int('must be a whole number').min(0, 'must not be negative');
const amount = z.number().int('must be a whole number').min(0, 'must not be negative').max(1e12);
const deltaSchema = z
  .strictObject({ executions: amount, computeMs: amount, apiCalls: amount })
  .partial()
  .refine((d) => Object.keys(d).length > 0, `give at least one of ${USAGE_COUNTERS.join(', ')}`);

function totalsOf(item: Record<string, { N?: string }> | undefined): UsageTotals {
  const read = (name: string) => Number(item?.[name]?.N ?? 0);
  return { executions: read('executions'), computeMs: read('computeMs'), apiCalls: read('apiCalls') };
}

export async function addUsage(
  client: DynamoDBClient,
  table: string,
  tenantId: string,
  month: string,
  raw: Partial<UsageTotals>,
): Promise<UsageTotals> {
  assertMonth(month);
  const delta = parseOrThrow(deltaSchema, raw, 'usage');
  const adds = Object.entries(delta).map(([name, value]) => ({ name, value }));
  const names: Record<string, string> = { '#type': 'type', '#month': 'month' };
  const values: Record<string, AttributeValue> = { ':type': { S: 'USAGE' }, ':month': { S: month } };
  for (const a of adds) {
    names[`#${a.name}`] = a.name;
    values[`:${a.name}`] = { N: String(a.value) };
  }
  const out = await client.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { PK: { S: tenantPk(tenantId) }, SK: { S: usageSk(month) } },
      UpdateExpression: `SET #type = :type, #month = :month ADD ${adds.map((a) => `#${a.name} :${a.name}`).join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return totalsOf(out.Attributes);
}

export async function getUsage(
  client: DynamoDBClient,
  table: string,
  tenantId: string,
  month: string,
): Promise<UsageTotals> {
  assertMonth(month);
  const out = await client.send(
    new GetItemCommand({
      TableName: table,
      Key: { PK: { S: tenantPk(tenantId) }, SK: { S: usageSk(month) } },
      ConsistentRead: true,
    }),
  );
  return totalsOf(out.Item);
}

/** ADD executions 1 if below `limit`: the quota check and the count in one conditional write. */
export async function countExecution(
  client: DynamoDBClient,
  table: string,
  tenantId: string,
  month: string,
  rawLimit: number,
): Promise<CountResult> {
  assertMonth(month);
  const limit = parseOrThrow(limitSchema, rawLimit, 'quota limit');
  // A missing counter passes `attribute_not_exists`, which a limit of 0 must not allow.
  if (limit === 0)
    return { counted: false, used: (await getUsage(client, table, tenantId, month)).executions };
  try {
    const out = await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { PK: { S: tenantPk(tenantId) }, SK: { S: usageSk(month) } },
        UpdateExpression: 'SET #type = :type, #month = :month ADD #executions :one',
        ConditionExpression: 'attribute_not_exists(#executions) OR #executions < :limit',
        ExpressionAttributeNames: { '#type': 'type', '#month': 'month', '#executions': 'executions' },
        ExpressionAttributeValues: {
          ':type': { S: 'USAGE' },
          ':month': { S: month },
          ':one': { N: '1' },
          ':limit': { N: String(limit) },
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return { counted: true, used: totalsOf(out.Attributes).executions };
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    return { counted: false, used: (await getUsage(client, table, tenantId, month)).executions };
  }
}

/** ADD executions -1, refused (and ignored) at zero so a stray refund cannot go negative. */
export async function uncountExecution(
  client: DynamoDBClient,
  table: string,
  tenantId: string,
  month: string,
): Promise<void> {
  assertMonth(month);
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { PK: { S: tenantPk(tenantId) }, SK: { S: usageSk(month) } },
        UpdateExpression: 'ADD #executions :minus',
        ConditionExpression: '#executions > :zero',
        ExpressionAttributeNames: { '#executions': 'executions' },
        ExpressionAttributeValues: { ':minus': { N: '-1' }, ':zero': { N: '0' } },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}
