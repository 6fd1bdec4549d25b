/**
 * The execution table from `lib/config/execution-table.ts` as a TableV2 global table: one
 * replica per secondary region, PITR everywhere, TTL, NEW_AND_OLD_IMAGES stream, and the
 * region's data CMK (replicas use their own region's data key, named by alias).
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EXECUTION_TABLE } from '../../lib/config/execution-table.js';
import type { KeyAttribute } from '../../lib/config/execution-table.js';
import { keyAliasArn } from './kms-keys.js';

function attr(a: KeyAttribute): dynamodb.Attribute {
  return {
    name: a.name,
    type: a.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
  };
}

/**
 * The table's name, derived from the environment: a global table has one name in every
 * region, and the stacks of a secondary region (API, workers) must name their replica
 * without a cross-region reference. Silo tenants have accounts of their own, so no clash.
 */
export function executionTableName(envName: string): string {
  return `glaf-${envName}-executions`;
}

export interface ExecutionTableProps {
  readonly envName: string;
  readonly key: kms.IKey;
  readonly replicaRegions: readonly string[];
  readonly retain: boolean;
}

export class ExecutionTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: ExecutionTableProps) {
    super(scope, id);
    const pitr = { pointInTimeRecoveryEnabled: EXECUTION_TABLE.pointInTimeRecovery };
    const replicaKeys = Object.fromEntries(
      props.replicaRegions.map((r) => [r, keyAliasArn(this, r, props.envName, 'data')]),
    );
    this.table = new dynamodb.TableV2(this, 'Table', {
      tableName: executionTableName(props.envName),
      partitionKey: attr(EXECUTION_TABLE.partitionKey),
      sortKey: attr(EXECUTION_TABLE.sortKey),
      globalSecondaryIndexes: EXECUTION_TABLE.globalSecondaryIndexes.map((g) => ({
        indexName: g.indexName,
        partitionKey: attr(g.partitionKey),
        sortKey: attr(g.sortKey),
        projectionType:
          g.projection === 'ALL' ? dynamodb.ProjectionType.ALL : dynamodb.ProjectionType.KEYS_ONLY,
      })),
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: EXECUTION_TABLE.timeToLiveAttribute,
      dynamoStream: dynamodb.StreamViewType[EXECUTION_TABLE.stream],
      pointInTimeRecoverySpecification: pitr,
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.key, replicaKeys),
      replicas: props.replicaRegions.map((region) => ({ region, pointInTimeRecoverySpecification: pitr })),
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    if (props.replicaRegions.includes(Stack.of(this).region)) {
      throw new Error('A replica region cannot be the table region');
    }
  }
}
