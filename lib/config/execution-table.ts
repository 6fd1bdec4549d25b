/**
 * The execution table as plain data: the CDK stack (TableV2) and the local bootstrap
 * (dynalite `CreateTable`) both read this, so keys and indexes cannot drift apart.
 * No SDK or CDK imports here on purpose.
 *
 * Items (all in the tenant's partition, so IAM `dynamodb:LeadingKeys` on `TENANT#<id>`
 * confines a tenant-scoped role to its own data):
 *   PK = TENANT#<tenantId>
 *   SK = EXEC#<executionId>                 execution (state machine)
 *        IDEMP#<idempotencyKey>             idempotency record (request hash -> execution id)
 *        USAGE#<YYYY-MM>                    monthly usage counters (atomic ADD)
 *        WEBHOOK#<webhookId>#SEQ            delivery number allocator
 *        WEBHOOK#<webhookId>#DELIVERY#<n>   one delivery attempt (n zero-padded to sort)
 *        WEBHOOK#<webhookId>#EVENT#<eventId> the event's settlement at the webhook (sent once)
 */

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** ALL: list pages render without a second read per item. */
  readonly projection: 'ALL' | 'KEYS_ONLY';
  readonly purpose: string;
}

export interface TableDefinition {
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly GlobalIndexDefinition[];
  readonly timeToLiveAttribute: string;
  readonly stream: 'NEW_AND_OLD_IMAGES';
  readonly billing: 'PAY_PER_REQUEST';
  readonly pointInTimeRecovery: boolean;
}

export const EXECUTION_TABLE = {
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'ByStatus',
      partitionKey: { name: 'GSI1PK', type: 'S' }, // TENANT#<id>#STATUS#<status>
      sortKey: { name: 'GSI1SK', type: 'S' }, // <createdAt ISO>#<executionId>
      projection: 'ALL',
      purpose: "A tenant's executions in one status, by creation time (dashboards, sweepers).",
    },
    {
      indexName: 'ByAgent',
      partitionKey: { name: 'GSI2PK', type: 'S' }, // TENANT#<id>#AGENT#<agentId>
      sortKey: { name: 'GSI2SK', type: 'S' }, // <createdAt ISO>#<executionId>
      projection: 'ALL',
      purpose: "A tenant's executions of one agent, by creation time.",
    },
  ],
  // 90-day hot window; older executions live in the lake (S3/Athena).
  timeToLiveAttribute: 'expiresAt',
  // Old and new images: consumers see the transition (PENDING -> COMPLETED), not just the result.
  stream: 'NEW_AND_OLD_IMAGES',
  billing: 'PAY_PER_REQUEST',
  pointInTimeRecovery: true,
} as const satisfies TableDefinition;

export const STATUS_INDEX = 'ByStatus';
export const AGENT_INDEX = 'ByAgent';
