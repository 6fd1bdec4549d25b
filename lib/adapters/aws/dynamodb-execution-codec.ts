/**
 * Execution <-> DynamoDB item. Inputs and outputs are stored as canonical JSON strings:
 * exact numbers survive (no Number/Decimal round trip) and the item stays flat.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Execution, ExecutionStatus } from '../../domain/execution.js';
import { agentPk, createdSk, execSk, statusPk, tenantPk } from './dynamodb-keys.js';

type Item = Record<string, AttributeValue>;

const s = (v: string): AttributeValue => ({ S: v });
const n = (v: number): AttributeValue => ({ N: String(v) });

export function executionItem(e: Execution, inputJson: string): Item {
  const item: Item = {
    PK: s(tenantPk(e.tenantId)),
    SK: s(execSk(e.executionId)),
    type: s('EXEC'),
    tenantId: s(e.tenantId),
    executionId: s(e.executionId),
    agentId: s(e.agentId),
    agentVersion: s(e.agentVersion),
    status: s(e.status),
    input: s(inputJson),
    priority: n(e.priority),
    attempts: n(e.attempts),
    requestHash: s(e.requestHash),
    createdAt: s(e.createdAt),
    updatedAt: s(e.updatedAt),
    expiresAt: n(e.expiresAt),
    GSI1PK: s(statusPk(e.tenantId, e.status)),
    GSI1SK: s(createdSk(e.createdAt, e.executionId)),
    GSI2PK: s(agentPk(e.tenantId, e.agentId)),
    GSI2SK: s(createdSk(e.createdAt, e.executionId)),
  };
  if (e.idempotencyKey) item['idempotencyKey'] = s(e.idempotencyKey);
  return item;
}

function str(item: Item, name: string): string {
  const v = item[name]?.S;
  if (v === undefined) throw new TypeError(`execution item lacks string attribute ${name}`);
  return v;
}

function num(item: Item, name: string): number {
  const v = item[name]?.N;
  if (v === undefined) throw new TypeError(`execution item lacks number attribute ${name}`);
  return Number(v);
}

const optional = (item: Item, name: string): string | undefined => item[name]?.S;

export function executionOf(item: Item): Execution {
  const output = optional(item, 'output');
  const error = optional(item, 'error');
  const leaseToken = optional(item, 'leaseToken');
  const leaseExpiresAt = optional(item, 'leaseExpiresAt');
  const idempotencyKey = optional(item, 'idempotencyKey');
  const servedFromCache = item['servedFromCache']?.BOOL === true;
  return {
    tenantId: str(item, 'tenantId'),
    executionId: str(item, 'executionId'),
    agentId: str(item, 'agentId'),
    agentVersion: str(item, 'agentVersion'),
    status: str(item, 'status') as ExecutionStatus,
    input: JSON.parse(str(item, 'input')) as unknown,
    ...(output !== undefined ? { output: JSON.parse(output) as unknown } : {}),
    ...(error !== undefined ? { error: JSON.parse(error) as Execution['error'] } : {}),
    priority: num(item, 'priority'),
    attempts: num(item, 'attempts'),
    ...(leaseToken !== undefined ? { leaseToken } : {}),
    ...(leaseExpiresAt !== undefined ? { leaseExpiresAt } : {}),
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    ...(servedFromCache ? { servedFromCache } : {}),
    requestHash: str(item, 'requestHash'),
    createdAt: str(item, 'createdAt'),
    updatedAt: str(item, 'updatedAt'),
    expiresAt: num(item, 'expiresAt'),
  };
}
