/**
 * WebhookDeliveryLedger on the execution table: one item per (webhook, event) in the tenant's
 * partition (`TENANT#<id>` / `WEBHOOK#<webhookId>#EVENT#<eventId>`), so the consumer's
 * `dynamodb:LeadingKeys` ceiling covers it like the delivery log. A claim is a conditional
 * put (absent, or still SENDING with an expired lease); settling flips SENDING to the outcome
 * and never overwrites an earlier settlement. Items expire with the table's hot window.
 */
import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../../domain/errors.js';
import { expiresAtOf } from '../../domain/execution.js';
import { assertTenantId, assertWebhookId } from '../../domain/execution-ids.js';
import type { LedgerClaim, SettledOutcome, WebhookDeliveryLedger } from '../../ports/webhook-ledger.js';
import { tenantPk, webhookEventSk } from './dynamodb-keys.js';

export interface DynamoDbWebhookLedgerOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly clock?: () => Date;
}

/** Event ids are UUIDs (envelope.ts); anything else could forge a sort key. */
const EVENT_ID = /^[A-Za-z0-9-]{1,64}$/;
const SENDING = 'SENDING';
const SETTLED: Readonly<Record<string, SettledOutcome>> = { DELIVERED: 'delivered', FAILED: 'failed' };

const isConditionFailure = (err: unknown): boolean => err instanceof ConditionalCheckFailedException;

export class DynamoDbWebhookLedger implements WebhookDeliveryLedger {
  private readonly clock: () => Date;

  constructor(private readonly o: DynamoDbWebhookLedgerOptions) {
    this.clock = o.clock ?? (() => new Date());
  }

  async claim(tenantId: string, webhookId: string, eventId: string, leaseMs: number): Promise<LedgerClaim> {
    const key = this.key(tenantId, webhookId, eventId);
    const now = this.clock();
    const token = randomUUID();
    try {
      await this.o.client.send(
        new PutItemCommand({
          TableName: this.o.tableName,
          Item: {
            ...key,
            type: { S: 'WEBHOOK_SETTLEMENT' },
            state: { S: SENDING },
            token: { S: token },
            leaseUntil: { N: String(now.getTime() + leaseMs) },
            expiresAt: { N: String(expiresAtOf(now)) },
          },
          ConditionExpression: 'attribute_not_exists(PK) OR (#state = :sending AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':sending': { S: SENDING }, ':now': { N: String(now.getTime()) } },
        }),
      );
      return { status: 'claimed', token };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    const current = await this.o.client.send(
      new GetItemCommand({ TableName: this.o.tableName, Key: key, ConsistentRead: true }),
    );
    const outcome = SETTLED[current.Item?.['state']?.S ?? ''];
    // Still SENDING under a live lease, or released between the two calls: come back later.
    return outcome ? { status: 'settled', outcome } : { status: 'busy' };
  }

  async settle(tenantId: string, webhookId: string, eventId: string, outcome: SettledOutcome): Promise<void> {
    const now = this.clock();
    try {
      await this.o.client.send(
        new UpdateItemCommand({
          TableName: this.o.tableName,
          Key: this.key(tenantId, webhookId, eventId),
          UpdateExpression:
            'SET #state = :outcome, #type = :type, settledAt = :at, expiresAt = :exp REMOVE leaseUntil, #token',
          ConditionExpression: 'attribute_not_exists(PK) OR #state = :sending',
          ExpressionAttributeNames: { '#state': 'state', '#type': 'type', '#token': 'token' },
          ExpressionAttributeValues: {
            ':outcome': { S: outcome === 'delivered' ? 'DELIVERED' : 'FAILED' },
            ':type': { S: 'WEBHOOK_SETTLEMENT' },
            ':sending': { S: SENDING },
            ':at': { S: now.toISOString() },
            ':exp': { N: String(expiresAtOf(now)) },
          },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err; // settled already: the first settlement stands
    }
  }

  async release(tenantId: string, webhookId: string, eventId: string, token: string): Promise<void> {
    try {
      await this.o.client.send(
        new DeleteItemCommand({
          TableName: this.o.tableName,
          Key: this.key(tenantId, webhookId, eventId),
          ConditionExpression: '#state = :sending AND #token = :token',
          ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
          ExpressionAttributeValues: { ':sending': { S: SENDING }, ':token': { S: token } },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err; // not ours any more (lease taken over, or settled)
    }
  }

  private key(tenantId: string, webhookId: string, eventId: string) {
    assertTenantId(tenantId);
    assertWebhookId(webhookId);
    if (!EVENT_ID.test(eventId)) {
      throw new ValidationError([
        { path: 'eventId', message: `Invalid eventId '${eventId.slice(0, 80)}': expected an event UUID` },
      ]);
    }
    return { PK: { S: tenantPk(tenantId) }, SK: { S: webhookEventSk(webhookId, eventId) } };
  }
}
