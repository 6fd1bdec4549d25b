/**
 * ExecutionStore on DynamoDB (the same code runs against dynalite locally).
 * Executions and the state machine live here; usage counters and webhook deliveries
 * are delegated to their own modules over the same table.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NotFoundError } from '../../domain/errors.js';
import type { Execution, ExecutionError, NewExecution } from '../../domain/execution.js';
import { assertExecutionId, assertTenantId } from '../../domain/execution-ids.js';
import {
  parseExecutionError,
  parseLeaseMs,
  parseLeaseToken,
  payloadJson,
} from '../../domain/execution-request.js';
import type {
  CompleteOptions,
  CountResult,
  CreateOptions,
  CreateResult,
  ExecutionStore,
  LeaseProof,
  ListQuery,
  Page,
  UsageTotals,
  WebhookDelivery,
  WebhookDeliveryInput,
} from '../../ports/execution-store.js';
import { createExecution } from './dynamodb-create.js';
import { executionOf } from './dynamodb-execution-codec.js';
import { GetBatcher } from './dynamodb-get-batcher.js';
import { listExecutions } from './dynamodb-list.js';
import { transition } from './dynamodb-transition.js';
import { addUsage, countExecution, getUsage, uncountExecution } from './dynamodb-usage.js';
import { listWebhookDeliveries, recordWebhookDelivery } from './dynamodb-webhook-deliveries.js';

export interface DynamoDbExecutionStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Injected so tests can freeze time and expire leases. */
  readonly clock?: () => Date;
}

export class DynamoDbExecutionStore implements ExecutionStore {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly clock: () => Date;
  /** Reads made in the same turn share one BatchGetItem (a worker's received batch, say). */
  private readonly reads: GetBatcher;

  constructor(options: DynamoDbExecutionStoreOptions) {
    this.client = options.client;
    this.table = options.tableName;
    this.clock = options.clock ?? (() => new Date());
    this.reads = new GetBatcher(this.client, this.table);
  }

  async create(tenantId: string, request: NewExecution, options: CreateOptions = {}): Promise<CreateResult> {
    assertTenantId(tenantId);
    return createExecution(this.client, this.table, this.clock(), tenantId, request, options);
  }

  async get(tenantId: string, executionId: string): Promise<Execution> {
    assertTenantId(tenantId);
    assertExecutionId(executionId);
    const item = await this.reads.get(tenantId, executionId);
    if (!item) throw new NotFoundError('execution', executionId);
    return executionOf(item);
  }

  async list(tenantId: string, query: ListQuery = {}): Promise<Page<Execution>> {
    assertTenantId(tenantId);
    return listExecutions(this.client, this.table, tenantId, query);
  }

  async claim(tenantId: string, executionId: string, leaseMs: number): Promise<Execution> {
    this.ids(tenantId, executionId);
    const now = this.clock();
    const expires = new Date(now.getTime() + parseLeaseMs(leaseMs));
    return transition(this.client, this.table, {
      tenantId,
      executionId,
      to: 'RUNNING',
      now,
      set: { leaseToken: randomUUID(), leaseExpiresAt: expires.toISOString(), startedAt: now.toISOString() },
      incrementAttempts: true,
    });
  }

  async complete(
    tenantId: string,
    executionId: string,
    leaseToken: string,
    output: unknown,
    options: CompleteOptions = {},
  ): Promise<Execution> {
    this.ids(tenantId, executionId);
    return transition(this.client, this.table, {
      tenantId,
      executionId,
      to: 'COMPLETED',
      now: this.clock(),
      leaseToken: parseLeaseToken(leaseToken),
      set: {
        output: payloadJson(output, 'output'),
        finishedAt: this.clock().toISOString(),
        ...(options.servedFromCache === true ? { servedFromCache: true } : {}),
      },
      remove: ['leaseToken', 'leaseExpiresAt'],
    });
  }

  async fail(
    tenantId: string,
    executionId: string,
    leaseToken: string,
    error: ExecutionError,
  ): Promise<Execution> {
    this.ids(tenantId, executionId);
    return transition(this.client, this.table, {
      tenantId,
      executionId,
      to: 'FAILED',
      now: this.clock(),
      leaseToken: parseLeaseToken(leaseToken),
      set: { error: JSON.stringify(parseExecutionError(error)), finishedAt: this.clock().toISOString() },
      remove: ['leaseToken', 'leaseExpiresAt'],
    });
  }

  async timeOut(tenantId: string, executionId: string, proof: LeaseProof): Promise<Execution> {
    this.ids(tenantId, executionId);
    const error: ExecutionError = { code: 'timed_out', message: 'The execution exceeded its time budget' };
    return transition(this.client, this.table, {
      tenantId,
      executionId,
      to: 'TIMED_OUT',
      now: this.clock(),
      ...this.proof(proof),
      set: { error: JSON.stringify(error), finishedAt: this.clock().toISOString() },
      remove: ['leaseToken', 'leaseExpiresAt'],
    });
  }

  async release(tenantId: string, executionId: string, proof: LeaseProof): Promise<Execution> {
    this.ids(tenantId, executionId);
    return transition(this.client, this.table, {
      tenantId,
      executionId,
      to: 'PENDING',
      now: this.clock(),
      ...this.proof(proof),
      remove: ['leaseToken', 'leaseExpiresAt'],
    });
  }

  async cancel(tenantId: string, executionId: string): Promise<Execution> {
    this.ids(tenantId, executionId);
    return transition(this.client, this.table, {
      tenantId,
      executionId,
      to: 'CANCELLED',
      now: this.clock(),
      set: { finishedAt: this.clock().toISOString() },
      remove: ['leaseToken', 'leaseExpiresAt'],
    });
  }

  async addUsage(tenantId: string, month: string, delta: Partial<UsageTotals>): Promise<UsageTotals> {
    assertTenantId(tenantId);
    return addUsage(this.client, this.table, tenantId, month, delta);
  }

  async getUsage(tenantId: string, month: string): Promise<UsageTotals> {
    assertTenantId(tenantId);
    return getUsage(this.client, this.table, tenantId, month);
  }

  async countExecution(tenantId: string, month: string, limit: number): Promise<CountResult> {
    assertTenantId(tenantId);
    return countExecution(this.client, this.table, tenantId, month, limit);
  }

  async uncountExecution(tenantId: string, month: string): Promise<void> {
    assertTenantId(tenantId);
    return uncountExecution(this.client, this.table, tenantId, month);
  }

  async recordWebhookDelivery(
    tenantId: string,
    webhookId: string,
    delivery: WebhookDeliveryInput,
  ): Promise<WebhookDelivery> {
    assertTenantId(tenantId);
    return recordWebhookDelivery(this.client, this.table, this.clock(), tenantId, webhookId, delivery);
  }

  async listWebhookDeliveries(
    tenantId: string,
    webhookId: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<Page<WebhookDelivery>> {
    assertTenantId(tenantId);
    return listWebhookDeliveries(this.client, this.table, tenantId, webhookId, page);
  }

  private ids(tenantId: string, executionId: string): void {
    assertTenantId(tenantId);
    assertExecutionId(executionId);
  }

  private proof(proof: LeaseProof): { leaseToken?: string } {
    return proof.leaseToken === undefined ? {} : { leaseToken: parseLeaseToken(proof.leaseToken) };
  }
}
