/**
 * Listing a tenant's executions, newest first, with optional status/agent filters.
 * Status -> ByStatus index (agent as a filter); agent -> ByAgent index; neither -> the
 * base table (execution ids are UUIDv7, so SK order is creation order).
 */
import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { EXECUTION_STATUSES, type Execution } from '../../domain/execution.js';
import { assertAgentId } from '../../domain/execution-ids.js';
import { parseLimit, parseOrThrow } from '../../domain/execution-request.js';
import type { ListQuery, Page } from '../../ports/execution-store.js';
import { AGENT_INDEX, STATUS_INDEX } from '../../config/execution-table.js';
import { decodeCursor, encodeCursor } from './dynamodb-cursor.js';
import { executionOf } from './dynamodb-execution-codec.js';
import { agentPk, statusPk, tenantPk } from './dynamodb-keys.js';

/** A sparse filter can leave pages short; stop after this many round trips per page. */
const MAX_ROUND_TRIPS = 10;

interface Plan {
  readonly index?: string;
  readonly keyCondition: string;
  readonly values: Record<string, AttributeValue>;
  readonly filter?: string;
  readonly bounds: Record<string, { equals?: string; prefix?: string }>;
  readonly fingerprint: string;
}

function planOf(tenantId: string, query: ListQuery): Plan {
  const pk = tenantPk(tenantId);
  const base = { PK: { equals: pk }, SK: { prefix: 'EXEC#' } };
  if (query.status) {
    const gsiPk = statusPk(tenantId, query.status);
    return {
      index: STATUS_INDEX,
      keyCondition: 'GSI1PK = :pk',
      values: { ':pk': { S: gsiPk }, ...(query.agentId ? { ':agent': { S: query.agentId } } : {}) },
      ...(query.agentId ? { filter: 'agentId = :agent' } : {}),
      bounds: { ...base, GSI1PK: { equals: gsiPk }, GSI1SK: {} },
      fingerprint: `status=${query.status};agent=${query.agentId ?? ''}`,
    };
  }
  if (query.agentId) {
    const gsiPk = agentPk(tenantId, query.agentId);
    return {
      index: AGENT_INDEX,
      keyCondition: 'GSI2PK = :pk',
      values: { ':pk': { S: gsiPk } },
      bounds: { ...base, GSI2PK: { equals: gsiPk }, GSI2SK: {} },
      fingerprint: `agent=${query.agentId}`,
    };
  }
  return {
    keyCondition: 'PK = :pk AND begins_with(SK, :exec)',
    values: { ':pk': { S: pk }, ':exec': { S: 'EXEC#' } },
    bounds: base,
    fingerprint: 'all',
  };
}

export async function listExecutions(
  client: DynamoDBClient,
  table: string,
  tenantId: string,
  query: ListQuery,
): Promise<Page<Execution>> {
  if (query.status !== undefined) parseOrThrow(z.enum(EXECUTION_STATUSES), query.status, 'status');
  if (query.agentId !== undefined) assertAgentId(query.agentId);
  const limit = parseLimit(query.limit);
  const plan = planOf(tenantId, query);
  let startKey = decodeCursor(query.cursor, plan.fingerprint, plan.bounds);
  const items: Execution[] = [];
  for (let trip = 0; trip < MAX_ROUND_TRIPS; trip++) {
    const out = await client.send(
      new QueryCommand({
        TableName: table,
        ...(plan.index ? { IndexName: plan.index } : {}),
        KeyConditionExpression: plan.keyCondition,
        ...(plan.filter ? { FilterExpression: plan.filter } : {}),
        ExpressionAttributeValues: plan.values,
        ScanIndexForward: false,
        // Limit counts items read before the filter, so ask only for what is missing.
        Limit: limit - items.length,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of out.Items ?? []) items.push(executionOf(item));
    startKey = out.LastEvaluatedKey;
    if (!startKey || items.length >= limit) break;
  }
  const cursor = encodeCursor(plan.fingerprint, startKey);
  return cursor ? { items, cursor } : { items };
}
