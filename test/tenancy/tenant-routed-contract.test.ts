/**
 * The ExecutionStore contract, unchanged, over TenantRoutedExecutionStore: every call goes
 * through the tenant's own client (credentials from the fake STS) to dynalite, outside any
 * request (no verified tenant), so routing changes nothing the services rely on.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import { ensureTable } from '../../lib/adapters/aws/dynamodb-table.js';
import { StsTenantCredentials } from '../../lib/adapters/aws/tenant-credentials.js';
import { TenantRoutedExecutionStore } from '../../lib/adapters/aws/tenant-routed-stores.js';
import { TenantTables } from '../../lib/adapters/aws/tenant-tables.js';
import { dynaliteClient, startDynalite } from '../../lib/adapters/local/dynalite.js';
import { EXECUTION_TABLE } from '../../lib/config/execution-table.js';
import { currentRequestTenant } from '../../lib/http/request-tenant.js';
import { executionStoreContract } from '../adapters/dynamodb/execution-store.contract.js';
import { startFakeSts } from './fake-sts.js';

executionStoreContract('tenant-routed, per-tenant clients with tenant-role credentials', async (clock) => {
  const sts = await startFakeSts();
  const dynalite = await startDynalite();
  const admin = dynaliteClient(dynalite.endpoint);
  await ensureTable(admin, EXECUTION_TABLE, 'executions');
  admin.destroy();
  const stsClient = new STSClient({
    region: 'eu-west-1',
    endpoint: sts.endpoint,
    credentials: { accessKeyId: 'AKIAFUNCTIONROLE', secretAccessKey: 'function-secret' },
  });
  const tables = new TenantTables({
    credentials: new StsTenantCredentials({ sts: stsClient, roleArn: 'arn:aws:iam::123456789012:role/T' }),
    tableName: 'executions',
    clock,
    createClient: (credentials) =>
      new DynamoDBClient({ region: 'eu-west-1', endpoint: dynalite.endpoint, credentials }),
  });
  return {
    store: new TenantRoutedExecutionStore({ tables, verifiedTenant: currentRequestTenant }),
    close: async () => {
      tables.close();
      stsClient.destroy();
      await dynalite.close();
      await sts.close();
    },
  };
});
