/**
 * ExecutionStore and BatchStore that send each call with the credentials of the tenant it is
 * about (tenant-tables.ts), so the services above stay unchanged. The tenant comes from the
 * request's verified principal when there is one (`verifiedTenant`, the authorizer's verdict),
 * and a call about another tenant is refused before it is sent: a scoping bug surfaces as an
 * error, never as another tenant's data. Without a verified tenant (a platform admin) each call
 * still runs as the one tenant it names. Every method is async, so a refusal is a rejected
 * promise like any store error.
 */
import type { Execution, ExecutionError, NewExecution } from '../../domain/execution.js';
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
import type { Batch, BatchStore } from '../../services/batches.js';
import type { TenantTable, TenantTables } from './tenant-tables.js';

/** A call named a tenant other than the request's verified one: a tenant-scoping bug. */
export class TenantScopeViolationError extends Error {
  override readonly name = 'TenantScopeViolationError';
}

export interface TenantRoutingOptions {
  readonly tables: TenantTables;
  /** The verified tenant of the request being served; null/undefined = none (admin, background). */
  readonly verifiedTenant?: () => string | null | undefined;
}

function tableFor(options: TenantRoutingOptions, tenantId: string): TenantTable {
  const verified = options.verifiedTenant?.();
  if (verified && verified !== tenantId) {
    throw new TenantScopeViolationError(
      `A request verified for tenant ${verified} tried to reach tenant ${tenantId}'s items`,
    );
  }
  return options.tables.forTenant(tenantId);
}

export class TenantRoutedExecutionStore implements ExecutionStore {
  constructor(private readonly options: TenantRoutingOptions) {}

  private of(tenantId: string): ExecutionStore {
    return tableFor(this.options, tenantId).executions;
  }

  async create(tenantId: string, request: NewExecution, options?: CreateOptions): Promise<CreateResult> {
    return this.of(tenantId).create(tenantId, request, options);
  }
  async get(tenantId: string, executionId: string): Promise<Execution> {
    return this.of(tenantId).get(tenantId, executionId);
  }
  async list(tenantId: string, query?: ListQuery): Promise<Page<Execution>> {
    return this.of(tenantId).list(tenantId, query);
  }
  async claim(tenantId: string, executionId: string, leaseMs: number): Promise<Execution> {
    return this.of(tenantId).claim(tenantId, executionId, leaseMs);
  }
  async complete(
    tenantId: string,
    executionId: string,
    leaseToken: string,
    output: unknown,
    options?: CompleteOptions,
  ): Promise<Execution> {
    return this.of(tenantId).complete(tenantId, executionId, leaseToken, output, options);
  }
  async fail(
    tenantId: string,
    executionId: string,
    leaseToken: string,
    error: ExecutionError,
  ): Promise<Execution> {
    return this.of(tenantId).fail(tenantId, executionId, leaseToken, error);
  }
  async timeOut(tenantId: string, executionId: string, proof: LeaseProof): Promise<Execution> {
    return this.of(tenantId).timeOut(tenantId, executionId, proof);
  }
  async release(tenantId: string, executionId: string, proof: LeaseProof): Promise<Execution> {
    return this.of(tenantId).release(tenantId, executionId, proof);
  }
  async cancel(tenantId: string, executionId: string): Promise<Execution> {
    return this.of(tenantId).cancel(tenantId, executionId);
  }
  async addUsage(tenantId: string, month: string, delta: Partial<UsageTotals>): Promise<UsageTotals> {
    return this.of(tenantId).addUsage(tenantId, month, delta);
  }
  async getUsage(tenantId: string, month: string): Promise<UsageTotals> {
    return this.of(tenantId).getUsage(tenantId, month);
  }
  async countExecution(tenantId: string, month: string, limit: number): Promise<CountResult> {
    return this.of(tenantId).countExecution(tenantId, month, limit);
  }
  async uncountExecution(tenantId: string, month: string): Promise<void> {
    return this.of(tenantId).uncountExecution(tenantId, month);
  }
  async recordWebhookDelivery(
    tenantId: string,
    webhookId: string,
    delivery: WebhookDeliveryInput,
  ): Promise<WebhookDelivery> {
    return this.of(tenantId).recordWebhookDelivery(tenantId, webhookId, delivery);
  }
  async listWebhookDeliveries(
    tenantId: string,
    webhookId: string,
    page?: { limit?: number; cursor?: string },
  ): Promise<Page<WebhookDelivery>> {
    return this.of(tenantId).listWebhookDeliveries(tenantId, webhookId, page);
  }
}

export class TenantRoutedBatchStore implements BatchStore {
  constructor(private readonly options: TenantRoutingOptions) {}

  async put(batch: Batch): Promise<void> {
    return tableFor(this.options, batch.tenantId).batches.put(batch);
  }
  async get(tenantId: string, batchId: string): Promise<Batch> {
    return tableFor(this.options, tenantId).batches.get(tenantId, batchId);
  }
}
