import { DynamoDbExecutionStore } from '../../../lib/adapters/aws/dynamodb-execution-store.js';
import { ensureTable } from '../../../lib/adapters/aws/dynamodb-table.js';
import { dynaliteClient, startDynalite } from '../../../lib/adapters/local/dynalite.js';
import { EXECUTION_TABLE } from '../../../lib/config/execution-table.js';
import { executionStoreContract } from './execution-store.contract.js';

executionStoreContract('DynamoDB adapter on dynalite (in-memory)', async (clock) => {
  const dynalite = await startDynalite();
  const client = dynaliteClient(dynalite.endpoint);
  await ensureTable(client, EXECUTION_TABLE, 'executions');
  return {
    store: new DynamoDbExecutionStore({ client, tableName: 'executions', clock }),
    close: async () => {
      client.destroy();
      await dynalite.close();
    },
  };
});
