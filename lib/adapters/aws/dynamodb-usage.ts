/**
 * Monthly usage counters: one item per tenant and month, incremented with `ADD` so
 * concurrent workers never lose an increment (no read-modify-write).
 */
import {
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { assertMonth } from '../../domain/execution-ids.js';
import { parseOrThrow } from '../../domain/execution-request.js';
import { USAGE_COUNTERS, type UsageTotals } from '../../ports/execution-store.js';
import { tenantPk, usageSk } from './dynamodb-keys.js';

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
