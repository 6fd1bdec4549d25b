import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDbExecutionStore } from '../../../lib/adapters/aws/dynamodb-execution-store.js';
import { ensureTable } from '../../../lib/adapters/aws/dynamodb-table.js';
import { dynaliteClient, startDynalite } from '../../../lib/adapters/local/dynalite.js';
import { EXECUTION_TABLE } from '../../../lib/config/execution-table.js';

describe('startDynalite and ensureTable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dynalite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the table from the shared definition, idempotently, even when racing', async () => {
    const dynalite = await startDynalite();
    const client = dynaliteClient(dynalite.endpoint);
    try {
      await Promise.all([1, 2, 3].map(() => ensureTable(client, EXECUTION_TABLE, 'executions')));
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'executions' }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ]);
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual(['ByAgent', 'ByStatus']);
    } finally {
      client.destroy();
      await dynalite.close();
    }
  });

  it('keeps data across restarts when given a path', async () => {
    const tenant = randomUUID();
    const first = await startDynalite({ path: dir });
    const c1 = dynaliteClient(first.endpoint);
    await ensureTable(c1, EXECUTION_TABLE, 'executions');
    const store1 = new DynamoDbExecutionStore({ client: c1, tableName: 'executions' });
    const { execution } = await store1.create(tenant, { agentId: 'eudr', agentVersion: '1.0.0', input: {} });
    c1.destroy();
    await first.close();

    const second = await startDynalite({ path: dir });
    const c2 = dynaliteClient(second.endpoint);
    try {
      await ensureTable(c2, EXECUTION_TABLE, 'executions');
      const store2 = new DynamoDbExecutionStore({ client: c2, tableName: 'executions' });
      expect(await store2.get(tenant, execution.executionId)).toEqual(execution);
    } finally {
      c2.destroy();
      await second.close();
    }
  });
});
