/**
 * Creates a table from its plain-data definition if it does not exist. In AWS the CDK
 * stack owns the table; this is the local bootstrap (and test setup) path.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { KeyAttribute, TableDefinition } from '../../config/execution-table.js';

export async function ensureTable(
  client: DynamoDBClient,
  definition: TableDefinition,
  tableName: string,
): Promise<void> {
  if (await tableExists(client, tableName)) return;
  const attributes = new Map<string, KeyAttribute>();
  for (const k of [definition.partitionKey, definition.sortKey]) attributes.set(k.name, k);
  for (const gsi of definition.globalSecondaryIndexes) {
    attributes.set(gsi.partitionKey.name, gsi.partitionKey);
    attributes.set(gsi.sortKey.name, gsi.sortKey);
  }
  const attributeDefinitions: AttributeDefinition[] = [...attributes.values()].map((a) => ({
    AttributeName: a.name,
    AttributeType: a.type,
  }));
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: definition.billing,
        AttributeDefinitions: attributeDefinitions,
        KeySchema: [
          { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((gsi) => ({
          IndexName: gsi.indexName,
          KeySchema: [
            { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: gsi.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: gsi.projection },
        })),
        StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream },
      }),
    );
  } catch (err) {
    // Two processes bootstrapping at once: the loser finds the table created.
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await enableTtl(client, tableName, definition.timeToLiveAttribute);
}

async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return false;
    throw err;
  }
}

async function enableTtl(client: DynamoDBClient, tableName: string, attribute: string): Promise<void> {
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: attribute },
      }),
    );
  } catch (err) {
    // dynalite does not implement UpdateTimeToLive (nor expire items); the store
    // treats expired idempotency records as absent, so local behaviour matches AWS.
    if ((err as { name?: string }).name !== 'UnknownOperationException') throw err;
  }
}
