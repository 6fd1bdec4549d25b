/**
 * Webhook delivery log: each attempt is an immutable item numbered per webhook. The
 * number comes from an atomic counter item, so concurrent senders never share one.
 */
import {
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { expiresAtOf } from '../../domain/execution.js';
import { assertWebhookId } from '../../domain/execution-ids.js';
import { parseLimit, parseOrThrow } from '../../domain/execution-request.js';
import type { Page, WebhookDelivery, WebhookDeliveryInput } from '../../ports/execution-store.js';
import { decodeCursor, encodeCursor } from './dynamodb-cursor.js';
import { deliveryPrefix, deliverySk, tenantPk, webhookSeqSk } from './dynamodb-keys.js';

const deliverySchema = z.strictObject({
  eventId: z.string().min(1).max(128),
  eventType: z.string().regex(/^[a-z]+(\.[a-z_]+)+$/, 'dotted event name, e.g. "execution.completed"'),
  attempt: z.number().int().min(1).max(100),
  outcome: z.enum(['delivered', 'failed']),
  responseStatus: z.number().int().min(100).max(599).optional(),
  durationMs: z.number().int().min(0).max(600_000),
});

export async function recordWebhookDelivery(
  client: DynamoDBClient,
  table: string,
  now: Date,
  tenantId: string,
  webhookId: string,
  raw: WebhookDeliveryInput,
): Promise<WebhookDelivery> {
  assertWebhookId(webhookId);
  const input = parseOrThrow(deliverySchema, raw, 'delivery');
  const pk = { S: tenantPk(tenantId) };
  const seq = await client.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { PK: pk, SK: { S: webhookSeqSk(webhookId) } },
      UpdateExpression: 'ADD seq :one',
      ExpressionAttributeValues: { ':one': { N: '1' } },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const deliveryNumber = Number(seq.Attributes?.['seq']?.N);
  const delivery: WebhookDelivery = { ...input, webhookId, deliveryNumber, recordedAt: now.toISOString() };
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        PK: pk,
        SK: { S: deliverySk(webhookId, deliveryNumber) },
        type: { S: 'WEBHOOK_DELIVERY' },
        body: { S: JSON.stringify(delivery) },
        expiresAt: { N: String(expiresAtOf(now)) },
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  return delivery;
}

export async function listWebhookDeliveries(
  client: DynamoDBClient,
  table: string,
  tenantId: string,
  webhookId: string,
  page: { limit?: number; cursor?: string },
): Promise<Page<WebhookDelivery>> {
  assertWebhookId(webhookId);
  const limit = parseLimit(page.limit);
  const pk = tenantPk(tenantId);
  const prefix = deliveryPrefix(webhookId);
  const fingerprint = `webhook=${webhookId}`;
  const startKey = decodeCursor(page.cursor, fingerprint, { PK: { equals: pk }, SK: { prefix } });
  const out = await client.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': { S: pk }, ':prefix': { S: prefix } },
      ScanIndexForward: false,
      Limit: limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  const items = (out.Items ?? []).map((i) => JSON.parse(i['body']?.S ?? 'null') as WebhookDelivery);
  const cursor = encodeCursor(fingerprint, out.LastEvaluatedKey);
  return cursor ? { items, cursor } : { items };
}
