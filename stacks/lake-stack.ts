/**
 * The data lake of one stage (issue 6, "Lake"): S3 raw/processed/curated, the Glue catalog
 * with partition projection (tables from lib/lake/tables.ts), a Firehose stream per table
 * converting to Parquet, the Athena workgroup with the named queries of lib/lake/queries,
 * and Lake Formation (registered locations, tenant row filters).
 *
 * Stages:
 * - primary region: the whole lake; its buckets replicate to every secondary region.
 * - secondary region: the replica buckets only (replication target, same names by
 *   derivation). Deploy it before the primary's lake: S3 refuses a replication rule whose
 *   destination bucket does not exist yet.
 * - silo tenant: the whole lake in the tenant's account (no replication: single region), with
 *   the tenant's row filters granted to its analyst role.
 * Where the execution table is written (primary, silo) the stack also runs the table's stream
 * processor, which feeds the lake (and publishes the execution events). The primary region's
 * lake also onboards pool tenants into Lake Formation on `tenant.created` / `tenant.offboarded`
 * (stacks/constructs/lake-tenant-onboarding.ts).
 */
import { CfnOutput, Duration, Size, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { LAKE_SETTINGS } from '../lib/config/lake.js';
import { loadNamedQueries } from '../lib/lake/named-queries.js';
import { LAKE_TABLES } from '../lib/lake/tables.js';
import type { StageExtension } from './app-stage.js';
import type { KmsKeys } from './constructs/kms-keys.js';
import { LakeAthena } from './constructs/lake-athena.js';
import { LakeBuckets } from './constructs/lake-buckets.js';
import { LakeCatalog, lakeDatabaseName } from './constructs/lake-catalog.js';
import { LakeDelivery, lakeStreamPrefix } from './constructs/lake-delivery.js';
import { LakeGovernance } from './constructs/lake-governance.js';
import { acknowledgeBucketGrants } from './constructs/lake-nag.js';
import { LakeTenantOnboarding } from './constructs/lake-tenant-onboarding.js';
import type { PlatformFunction } from './constructs/platform-function.js';
import { applyStackDefaults } from './constructs/stack-defaults.js';
import type { PlatformStackProps } from './constructs/stack-defaults.js';
import { StreamProcessor } from './constructs/stream-processor.js';
import type { MskServerless } from './constructs/msk-serverless.js';

export interface LakeStackProps extends PlatformStackProps {
  readonly keys: KmsKeys;
  readonly role: 'primary' | 'secondary' | 'silo';
  /**
   * The execution table and bus: the stream processor consumes the table's stream into
   * execution events and lake rows. @default no stream processor
   */
  readonly feed?: {
    readonly table: dynamodb.ITableV2;
    readonly bus: events.IEventBus;
    /** The region's MSK: the execution events go to its agent_execution topic too. */
    readonly msk?: { readonly cluster: MskServerless; readonly vpc: ec2.IVpc };
  };
}

export class LakeStack extends Stack {
  readonly buckets: LakeBuckets;
  readonly catalog?: LakeCatalog;
  readonly delivery?: LakeDelivery;
  readonly athena?: LakeAthena;
  readonly governance?: LakeGovernance;
  /** Silo tenants: the role the tenant's analysts assume to query their lake. */
  readonly analystRole?: iam.Role;
  readonly streamProcessor?: StreamProcessor;
  /** Primary region: pool tenants' Lake Formation filters and grants on tenant events. */
  readonly tenantOnboarding?: LakeTenantOnboarding;
  private readonly envName: string;

  constructor(scope: Construct, id: string, props: LakeStackProps) {
    super(scope, id, props);
    applyStackDefaults(this, props);
    const { config, keys } = props;
    const settings = LAKE_SETTINGS[config.name];
    this.envName = config.name;
    this.buckets = new LakeBuckets(this, 'Buckets', {
      envName: config.name,
      key: keys.data,
      retain: config.protectData,
      accessLogDays: Math.max(config.logRetentionDays, 90),
      replicaRegions: props.role === 'primary' ? config.secondaryRegions : [],
    });
    if (props.role === 'secondary') return;

    const databaseName = lakeDatabaseName(config.name, props.tenantId);
    this.catalog = new LakeCatalog(this, 'Catalog', {
      databaseName,
      tables: LAKE_TABLES,
      bucket: this.buckets.processed,
      partitionStartDate: settings.partitionStartDate,
    });
    this.delivery = new LakeDelivery(this, 'Delivery', {
      envName: config.name,
      tables: LAKE_TABLES,
      schemaOf: (name) => this.catalog!.cfnTable(name),
      processed: this.buckets.processed,
      raw: this.buckets.raw,
      key: keys.data,
      logKey: keys.logs,
      logRetention: config.logRetentionDays,
      bufferSize: Size.mebibytes(settings.firehoseBufferMiB),
      bufferInterval: Duration.seconds(settings.firehoseBufferSeconds),
    });
    this.athena = new LakeAthena(this, 'Athena', {
      workGroupName: `glaf-${config.name}-lake`,
      databaseName,
      queries: loadNamedQueries(),
      key: keys.data,
      bytesScannedCutoffPerQuery: settings.bytesScannedCutoffPerQuery,
      resultsDays: settings.queryResultsDays,
      accessLogs: this.buckets.accessLogs,
      retain: config.protectData,
    });
    this.governance = new LakeGovernance(this, 'Governance', {
      locations: [this.buckets.processed, this.buckets.curated],
      key: keys.data,
      database: this.catalog.database,
      tables: this.catalog.tables,
    });
    for (const [table, role] of this.delivery.roles)
      this.governance.grantDescribe(`Firehose-${table}`, role.roleArn, table);
    if (props.feed) {
      this.streamProcessor = new StreamProcessor(this, 'StreamProcessor', {
        table: props.feed.table,
        tableKey: keys.data,
        bus: props.feed.bus,
        queueKey: keys.messaging,
        logKey: keys.logs,
        logRetention: config.logRetentionDays,
        ...(props.feed.msk ? { msk: props.feed.msk } : {}),
      });
      this.bindWriter(this.streamProcessor.function);
    }
    // Pool tenants are onboarded at run time; a silo stage's one tenant is granted below, at synth.
    if (props.role === 'primary' && props.feed) {
      this.tenantOnboarding = new LakeTenantOnboarding(this, 'TenantOnboarding', {
        bus: props.feed.bus,
        databaseName,
        tables: LAKE_TABLES.map((t) => t.name),
        queueKey: keys.messaging,
        logKey: keys.logs,
        logRetention: config.logRetentionDays,
      });
      this.governance.addAdmin(this.tenantOnboarding.function.role.roleArn);
    }
    if (props.tenantId) {
      this.analystRole = this.siloAnalyst(databaseName, keys);
      this.governance.grantTenant(props.tenantId, this.analystRole.roleArn);
    }
    new CfnOutput(this, 'WorkGroup', { value: this.athena.workGroup.ref });
    new CfnOutput(this, 'Database', { value: databaseName });
  }

  /** Lets a writer (the lake sink of the stream processor) put batches into the lake streams. */
  grantWrite(grantee: iam.IGrantable): iam.Grant {
    if (!this.delivery) throw new Error(`${this.stackName} has no delivery streams (replica region)`);
    return this.delivery.grantWrite(grantee);
  }

  /** The stream processor's lake settings: `LAKE_STREAM_PREFIX` and the write grant, together. */
  bindWriter(fn: PlatformFunction): PlatformFunction {
    this.grantWrite(fn.role);
    return fn.bindEnvironment('LAKE_STREAM_PREFIX', lakeStreamPrefix(this.envName));
  }

  /**
   * The silo tenant's analysts (principals of the tenant's own account) query through the
   * workgroup; Lake Formation vends the data, so the role holds no lake-bucket permission.
   */
  private siloAnalyst(databaseName: string, keys: KmsKeys): iam.Role {
    const role = new iam.Role(this, 'AnalystRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: "The tenant's analysts: Athena over the lake through Lake Formation row filters",
    });
    const workGroupArn = `arn:${this.partition}:athena:${this.region}:${this.account}:workgroup/${this.athena!.workGroup.ref}`;
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:StopQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:GetWorkGroup',
          'athena:ListNamedQueries',
          'athena:GetNamedQuery',
          'athena:BatchGetNamedQuery',
        ],
        resources: [workGroupArn],
      }),
    );
    const glueArn = (what: string) => `arn:${this.partition}:glue:${this.region}:${this.account}:${what}`;
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartitions'],
        resources: [
          glueArn('catalog'),
          glueArn(`database/${databaseName}`),
          ...LAKE_TABLES.map((t) => glueArn(`table/${databaseName}/${t.name}`)),
        ],
      }),
    );
    // GetDataAccess has no resource-level permission; Lake Formation grants decide what it vends.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] }));
    this.athena!.results.grantReadWrite(role);
    keys.data.grantEncryptDecrypt(role);
    acknowledgeBucketGrants(role, [this.athena!.results], 'Query results of this workgroup only (bucket/*)', [
      // GetDataAccess has no resource-level permission.
      'Resource::*',
    ]);
    return role;
  }
}

/** Adds the lake to every stage (replica buckets only in a secondary region): `plane.lake`. */
export const lakeStage: StageExtension = (stage, foundation, plane) => {
  plane.lake = new LakeStack(stage, 'Lake', {
    env: { account: foundation.data.account, region: foundation.region },
    config: foundation.config,
    tenantId: foundation.tenant?.tenantId,
    keys: foundation.keys.keys,
    role: foundation.role,
    // Only where the table is written: a replica's stream repeats the primary's changes.
    feed: foundation.data.table
      ? {
          table: foundation.data.table,
          bus: foundation.events.bus.bus,
          msk: { cluster: foundation.events.msk, vpc: foundation.network.vpc },
        }
      : undefined,
  });
};
