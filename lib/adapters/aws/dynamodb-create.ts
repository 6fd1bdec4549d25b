/**
 * Creating an execution, optionally behind an idempotency key.
 *
 * dynalite has no TransactWriteItems, and the same code must run in AWS, so the
 * idempotency record is the claim: it is written first (conditional on absence or
 * expiry) naming the execution id, then the execution item. A caller that crashes in
 * between leaves a record pointing at a missing item; the next replay with the same key
 * and body writes that item (conditional on absence), so both paths converge on one id.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  IDEMPOTENCY_WINDOW_HOURS,
  IdempotencyConflictError,
  expiresAtOf,
  type Execution,
  type NewExecution,
} from '../../domain/execution.js';
import { assertIdempotencyKey, newExecutionId } from '../../domain/execution-ids.js';
import { parseNewExecution, requestHashOf, type ValidNewExecution } from '../../domain/execution-request.js';
import type { CreateOptions, CreateResult } from '../../ports/execution-store.js';
import { executionItem, executionOf } from './dynamodb-execution-codec.js';
import { execSk, idempSk, tenantPk } from './dynamodb-keys.js';

export async function createExecution(
  client: DynamoDBClient,
  table: string,
  now: Date,
  tenantId: string,
  raw: NewExecution,
  options: CreateOptions,
): Promise<CreateResult> {
  const req = parseNewExecution(raw);
  const key = options.idempotencyKey;
  if (key !== undefined) assertIdempotencyKey(key);
  const requestHash = requestHashOf(req);
  const fresh = newExecution(tenantId, req, requestHash, now, newExecutionId(now), key);
  if (key === undefined) {
    await putExecution(client, table, fresh, req.inputJson);
    return { execution: fresh, created: true };
  }
  const nowSec = Math.floor(now.getTime() / 1000);
  try {
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          PK: { S: tenantPk(tenantId) },
          SK: { S: idempSk(key) },
          type: { S: 'IDEMP' },
          executionId: { S: fresh.executionId },
          requestHash: { S: requestHash },
          createdAt: { S: now.toISOString() },
          expiresAt: { N: String(nowSec + IDEMPOTENCY_WINDOW_HOURS * 3600) },
        },
        // TTL deletion is lazy (up to days late), so an expired record counts as absent.
        ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': { N: String(nowSec) } },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    return replay(client, table, now, tenantId, req, requestHash, key);
  }
  await putExecution(client, table, fresh, req.inputJson);
  return { execution: fresh, created: true };
}

async function replay(
  client: DynamoDBClient,
  table: string,
  now: Date,
  tenantId: string,
  req: ValidNewExecution,
  requestHash: string,
  key: string,
): Promise<CreateResult> {
  const record = await client.send(
    new GetItemCommand({
      TableName: table,
      Key: { PK: { S: tenantPk(tenantId) }, SK: { S: idempSk(key) } },
      ConsistentRead: true,
    }),
  );
  const executionId = record.Item?.['executionId']?.S;
  if (!record.Item || executionId === undefined) {
    // Deleted between our write and read (TTL sweep): start again as a new request.
    return createExecution(client, table, now, tenantId, req, { idempotencyKey: key });
  }
  if (record.Item['requestHash']?.S !== requestHash) throw new IdempotencyConflictError(key);
  const existing = await getExecution(client, table, tenantId, executionId);
  if (existing) return { execution: existing, created: false };
  // The first caller wrote the record but not (yet) the execution: write it for them.
  const createdAt = record.Item['createdAt']?.S ?? now.toISOString();
  const repaired = newExecution(tenantId, req, requestHash, new Date(createdAt), executionId, key);
  try {
    await putExecution(client, table, repaired, req.inputJson);
    return { execution: repaired, created: true };
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const written = await getExecution(client, table, tenantId, executionId);
    if (!written) throw err;
    return { execution: written, created: false };
  }
}

function newExecution(
  tenantId: string,
  req: ValidNewExecution,
  requestHash: string,
  createdAt: Date,
  executionId: string,
  idempotencyKey: string | undefined,
): Execution {
  const iso = createdAt.toISOString();
  return {
    tenantId,
    executionId,
    agentId: req.agentId,
    agentVersion: req.agentVersion,
    status: 'PENDING',
    input: JSON.parse(req.inputJson) as unknown,
    priority: req.priority,
    attempts: 0,
    requestHash,
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    createdAt: iso,
    updatedAt: iso,
    expiresAt: expiresAtOf(createdAt),
  };
}

async function putExecution(client: DynamoDBClient, table: string, e: Execution, inputJson: string) {
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: executionItem(e, inputJson),
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

async function getExecution(
  client: DynamoDBClient,
  table: string,
  tenantId: string,
  executionId: string,
): Promise<Execution | undefined> {
  const out = await client.send(
    new GetItemCommand({
      TableName: table,
      Key: { PK: { S: tenantPk(tenantId) }, SK: { S: execSk(executionId) } },
      ConsistentRead: true,
    }),
  );
  return out.Item ? executionOf(out.Item) : undefined;
}
