/**
 * One state-machine transition as one conditional UpdateItem. The condition comes from
 * the domain table (`guardOf`): current status in the allowed sources, plus the lease
 * rule, so concurrent workers are serialised by DynamoDB itself, not by a read-then-write.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { NotFoundError } from '../../domain/errors.js';
import {
  ExecutionConflictError,
  conflictReason,
  guardOf,
  type Execution,
  type ExecutionStatus,
} from '../../domain/execution.js';
import { executionOf } from './dynamodb-execution-codec.js';
import { execSk, statusPk, tenantPk } from './dynamodb-keys.js';

export interface TransitionRequest {
  readonly tenantId: string;
  readonly executionId: string;
  readonly to: ExecutionStatus;
  readonly now: Date;
  readonly leaseToken?: string;
  /** Extra attributes to SET (strings, or booleans for flags). */
  readonly set?: Readonly<Record<string, string | boolean>>;
  readonly remove?: readonly string[];
  /** Count a claim. */
  readonly incrementAttempts?: boolean;
}

export async function transition(
  client: DynamoDBClient,
  tableName: string,
  req: TransitionRequest,
): Promise<Execution> {
  const guard = guardOf(req.to);
  const nowIso = req.now.toISOString();
  const values: Record<string, AttributeValue> = {
    ':to': { S: req.to },
    ':now': { S: nowIso },
    ':gsi1pk': { S: statusPk(req.tenantId, req.to) },
  };
  const names: Record<string, string> = { '#status': 'status' };
  const sets = ['#status = :to', 'updatedAt = :now', 'GSI1PK = :gsi1pk'];
  for (const [i, [name, value]] of Object.entries(req.set ?? {}).entries()) {
    names[`#s${i}`] = name;
    values[`:s${i}`] = typeof value === 'boolean' ? { BOOL: value } : { S: value };
    sets.push(`#s${i} = :s${i}`);
  }
  const froms = guard.from.map((f, i) => {
    values[`:from${i}`] = { S: f };
    return `:from${i}`;
  });
  const conditions = ['attribute_exists(PK)', `#status IN (${froms.join(', ')})`];
  if (guard.lease !== 'none') {
    if (req.leaseToken !== undefined) values[':lease'] = { S: req.leaseToken };
    if (guard.lease === 'holder') {
      // Without a token nobody holds the lease: the condition can never hold.
      conditions.push(req.leaseToken !== undefined ? 'leaseToken = :lease' : 'attribute_not_exists(PK)');
    } else {
      conditions.push(
        req.leaseToken !== undefined
          ? '(leaseToken = :lease OR leaseExpiresAt < :now)'
          : 'leaseExpiresAt < :now',
      );
    }
  }
  let update = `SET ${sets.join(', ')}`;
  if (req.incrementAttempts) {
    values[':one'] = { N: '1' };
    update += ' ADD attempts :one';
  }
  if (req.remove?.length) update += ` REMOVE ${req.remove.join(', ')}`;
  const key = { PK: { S: tenantPk(req.tenantId) }, SK: { S: execSk(req.executionId) } };
  try {
    const out = await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: update,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return executionOf(out.Attributes!);
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    // Read the winner's write to say why this caller lost.
    const now = await client.send(
      new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    if (!now.Item) throw new NotFoundError('execution', req.executionId);
    const actual = executionOf(now.Item);
    const leaseHeld = req.leaseToken === undefined ? undefined : actual.leaseToken === req.leaseToken;
    throw new ExecutionConflictError(
      req.executionId,
      req.to,
      actual.status,
      conflictReason(guard, actual.status, guard.lease === 'none' ? undefined : (leaseHeld ?? false)),
    );
  }
}
