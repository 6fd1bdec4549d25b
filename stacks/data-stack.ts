/**
 * Stateful data of one region. Primary region: the Aurora cluster (+ Global Database, RDS
 * Proxy, migrations), the execution table as a global table with its replicas, the Valkey
 * cache and the tenant-scoped role. Secondary region: the Aurora secondary that joins the
 * Global Database and a Valkey cache (the table replica is managed by the primary's table).
 */
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { AuroraPrimary, AuroraSecondary } from './constructs/aurora.js';
import { DatabaseMigration } from './constructs/database-migration.js';
import { ExecutionTable } from './constructs/execution-table.js';
import type { KmsKeys } from './constructs/kms-keys.js';
import { applyStackDefaults } from './constructs/stack-defaults.js';
import type { PlatformStackProps } from './constructs/stack-defaults.js';
import { TenantRole } from './constructs/tenant-role.js';
import { ValkeyCache } from './constructs/valkey-cache.js';

export interface DataStackProps extends PlatformStackProps {
  readonly vpc: ec2.IVpc;
  readonly keys: KmsKeys;
  /** `primary` owns the writer and the table; `secondary` joins the Global Database. */
  readonly role: 'primary' | 'secondary';
  /** Global Database id; absent in single-region deployments (silo tenants, no secondaries). */
  readonly globalClusterIdentifier?: string;
  /** Regions holding table replicas (primary only). @default none */
  readonly replicaRegions?: readonly string[];
}

/** IAM path of the API functions' roles; the tenant role trusts this path only. */
export function apiRolePath(envName: string): string {
  return `/glaf/${envName}/api/`;
}

export class DataStack extends Stack {
  readonly aurora?: AuroraPrimary;
  readonly auroraSecondary?: AuroraSecondary;
  readonly migration?: DatabaseMigration;
  readonly table?: dynamodb.TableV2;
  readonly tenantRole?: TenantRole;
  readonly cache: ValkeyCache;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    applyStackDefaults(this, props);
    const { config, keys, vpc } = props;

    if (props.role === 'primary') {
      this.aurora = new AuroraPrimary(this, 'Aurora', {
        config,
        vpc,
        key: keys.data,
        globalClusterIdentifier: props.globalClusterIdentifier,
      });
      this.migration = new DatabaseMigration(this, 'Migration', {
        cluster: this.aurora.cluster,
        vpc,
        rolePrefix: config.aurora.rolePrefix,
        logKey: keys.logs,
      });
      this.table = new ExecutionTable(this, 'Executions', {
        envName: config.name,
        key: keys.data,
        replicaRegions: props.replicaRegions ?? [],
        retain: config.protectData,
      }).table;
      this.tenantRole = new TenantRole(this, 'TenantRole', {
        trustedRolePath: apiRolePath(config.name),
        table: this.table,
        key: keys.data,
      });
      new CfnOutput(this, 'ProxyEndpoint', { value: this.aurora.proxy.endpoint });
      new CfnOutput(this, 'TableName', { value: this.table.tableName });
      new CfnOutput(this, 'TenantRoleArn', { value: this.tenantRole.role.roleArn });
    } else {
      if (!props.globalClusterIdentifier)
        throw new Error('A secondary data stack needs the Global Database id');
      this.auroraSecondary = new AuroraSecondary(this, 'Aurora', {
        config,
        vpc,
        key: keys.data,
        globalClusterIdentifier: props.globalClusterIdentifier,
      });
    }
    this.cache = new ValkeyCache(this, 'Cache', { vpc, key: keys.data });
    new CfnOutput(this, 'CacheEndpoint', { value: this.cache.cache.attrEndpointAddress });
  }
}
