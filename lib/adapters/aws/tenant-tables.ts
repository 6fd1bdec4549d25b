/**
 * The execution table as each tenant may reach it: per tenant, a DynamoDB client signing with
 * that tenant's credentials of the tenant role (tenant-credentials.ts) and the stores over it.
 * A bug in tenant scoping above can then not read or write another tenant's items: IAM
 * (`dynamodb:LeadingKeys` = `TENANT#${aws:PrincipalTag/tenant_id}`) refuses the call.
 *
 * Bounded LRU of tenants; an evicted tenant's client is destroyed (its sockets closed).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LRUCache } from 'lru-cache';
import { assertTenantId } from '../../domain/execution-ids.js';
import { DynamoDbBatchStore } from './dynamodb-batch-store.js';
import { DynamoDbExecutionStore } from './dynamodb-execution-store.js';
import type { TenantCredentialsValue } from './tenant-credentials.js';

/** A credentials provider as the SDK clients take it (`credentials: provider`). */
export type TenantCredentialsProvider = () => Promise<TenantCredentialsValue>;

export interface TenantTablesOptions {
  readonly credentials: { get(tenantId: string): Promise<TenantCredentialsValue> };
  /** A DynamoDB client that signs with `credentials` (region, endpoint and so on are the caller's). */
  readonly createClient: (credentials: TenantCredentialsProvider) => DynamoDBClient;
  readonly tableName: string;
  readonly clock?: () => Date;
  /** Tenants kept at once. @default 200 */
  readonly maxTenants?: number;
}

export interface TenantTable {
  readonly client: DynamoDBClient;
  readonly executions: DynamoDbExecutionStore;
  readonly batches: DynamoDbBatchStore;
}

export class TenantTables {
  private readonly tables: LRUCache<string, TenantTable>;

  constructor(private readonly options: TenantTablesOptions) {
    this.tables = new LRUCache<string, TenantTable>({
      max: options.maxTenants ?? 200,
      dispose: (table) => table.client.destroy(),
    });
  }

  /** The tenant's client and stores (created on first use). */
  forTenant(tenantId: string): TenantTable {
    assertTenantId(tenantId);
    const known = this.tables.get(tenantId);
    if (known) return known;
    const { credentials, createClient, tableName, clock } = this.options;
    const client = createClient(() => credentials.get(tenantId));
    const table: TenantTable = {
      client,
      executions: new DynamoDbExecutionStore({ client, tableName, ...(clock ? { clock } : {}) }),
      batches: new DynamoDbBatchStore({ client, tableName }),
    };
    this.tables.set(tenantId, table);
    return table;
  }

  get size(): number {
    return this.tables.size;
  }

  /** Destroys every tenant's client. */
  close(): void {
    this.tables.clear();
  }
}
