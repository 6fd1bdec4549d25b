/**
 * Scheduled jobs of a stage (lib/config/schedules.ts): factor sync daily, execution archive
 * hourly, audit export daily, metrics aggregation hourly, regulatory report monthly, audit
 * entries to the lake every five minutes. One
 * EventBridge Scheduler group, a CMK of the stack (schedule payloads, DLQs, the output
 * bucket), and per job a Lambda, a schedule with its retry policy and a DLQ (ScheduledJob).
 *
 * Stages: primary and silo. Not secondary: the jobs walk every tenant once per deployment;
 * the secondary region's Aurora is a read-only Global Database member and its table a replica.
 *
 * The jobs log in to the RDS Proxy as the control-plane login user with IAM auth tokens and
 * write to the job-output bucket of this stack (archives, metrics, reports), each job under
 * its own key prefix only; the audit-lake export writes to the lake's audit_events Firehose
 * stream only. The audit export is evidence, not a job output: it writes to the
 * backup stack's audit bucket (Object Lock, 7 years), under `audit/` only, which is why the
 * backup stack is built before this one (stacks/application-plane.ts).
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { JOB_SCHEDULES, type JobName } from '../lib/config/schedules.js';
import type { LakeTableName } from '../lib/lake/tables.js';
import { loginUsersFor } from '../lib/adapters/sql/roles.js';
import type { Foundation, StageExtension } from './app-stage.js';
import { DATABASE_NAME } from './constructs/aurora.js';
import { lakeStreamName, lakeStreamPrefix } from './constructs/lake-delivery.js';
import { ScheduledJob } from './constructs/scheduled-job.js';
import { applyStackDefaults } from './constructs/stack-defaults.js';
import type { PlatformStackProps } from './constructs/stack-defaults.js';
import { ingressRules } from './constructs/ingress-rule.js';

const POSTGRES_PORT = 5432;

/** The database login user of the admin role (created by the migration, lambdas/migrate). */
export function controlLoginUser(rolePrefix: string): string {
  return loginUsersFor(rolePrefix).control;
}

/** What each job reads and where it writes: the grants follow from this. */
const JOB_ACCESS: Readonly<
  Record<JobName, { table: boolean; prefix?: string; bucket?: 'outputs' | 'audit'; lake?: LakeTableName }>
> = {
  'factor-sync': { table: false },
  'execution-archive': { table: true, prefix: 'executions-archive/' },
  'audit-export': { table: false, prefix: 'audit/', bucket: 'audit' },
  'metrics-aggregation': { table: true, prefix: 'metrics/' },
  'regulatory-report': { table: true, prefix: 'reports/' },
  'audit-lake-export': { table: false, lake: 'audit_events' },
};

export interface SchedulesStackProps extends PlatformStackProps {
  readonly foundation: Foundation;
  /** The backup stack holding the audit bucket (Object Lock) and the key it is encrypted with. */
  readonly audit: { readonly stack: Stack; readonly bucketName: string; readonly key: kms.IKey };
  /** The lake stack whose Firehose streams (named by derivation) the audit-lake export writes to. */
  readonly lake: Stack;
}

export class SchedulesStack extends Stack {
  readonly key: kms.Key;
  readonly group: scheduler.ScheduleGroup;
  readonly outputs: s3.Bucket;
  readonly securityGroup: ec2.SecurityGroup;
  readonly jobs: Readonly<Record<JobName, ScheduledJob>>;
  private readonly envName: string;

  constructor(scope: Construct, id: string, props: SchedulesStackProps) {
    super(scope, id, props);
    applyStackDefaults(this, props);
    const { config, foundation } = props;
    this.envName = config.name;
    const { keys } = foundation.keys;
    const aurora = foundation.data.aurora;
    const table: dynamodb.ITableV2 | undefined = foundation.data.table;
    if (!aurora || !table)
      throw new Error(`${this.stackName}: the schedules need the Aurora writer and the table`);
    const retain = config.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, 'Key', {
      description: `GL Agent Factory ${config.name} scheduled jobs key (schedules, DLQs, job outputs)`,
      enableKeyRotation: true,
      removalPolicy: retain,
      pendingWindow: Duration.days(30),
    });
    this.group = new scheduler.ScheduleGroup(this, 'Group', { removalPolicy: RemovalPolicy.DESTROY });
    this.outputs = this.outputBucket(retain);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: foundation.network.vpc,
      description: 'Scheduled jobs: outbound to AWS endpoints and the RDS Proxy',
    });
    // Ingress rules live here, not in the data stack: the data stack must not depend on this one.
    ingressRules(this, 'ProxyIngress', {
      from: this.securityGroup,
      to: aurora.proxy.connections.securityGroups,
      port: POSTGRES_PORT,
      description: 'Scheduled jobs to the RDS Proxy (IAM auth, TLS)',
    });

    const user = controlLoginUser(config.aurora.rolePrefix);
    const url = new URL(`postgres://${user}@db.invalid:${POSTGRES_PORT}/${DATABASE_NAME}`);
    url.searchParams.set('sslmode', 'verify-full');
    const jobs: Partial<Record<JobName, ScheduledJob>> = {};
    for (const job of JOB_SCHEDULES) {
      const access = JOB_ACCESS[job.name];
      const pascal = job.name.replace(/(^|-)([a-z])/g, (_, _d: string, c: string) => c.toUpperCase());
      const scheduled = new ScheduledJob(this, pascal, {
        job,
        group: this.group,
        key: this.key,
        vpc: foundation.network.vpc,
        securityGroup: this.securityGroup,
        logKey: keys.logs,
        logRetention: config.logRetentionDays,
        environment: {
          DATABASE_URL: url.toString().replace('db.invalid', aurora.proxy.endpoint),
          DB_IAM_AUTH: 'true',
          GLAF_DB_ROLE_PREFIX: config.aurora.rolePrefix,
          // Node 20+ Lambda runtimes trust the RDS CA only when told to (verify-full TLS).
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        },
      });
      aurora.proxy.grantConnect(scheduled.handler.role, user);
      if (access.table) this.grantTableReads(scheduled, table, keys.data);
      if (access.prefix && access.bucket === 'audit')
        this.grantAuditWrites(scheduled, access.prefix, props.audit);
      else if (access.prefix) this.grantOutputs(scheduled, access.prefix);
      if (access.lake) this.grantLakeStream(scheduled, access.lake, props.lake);
      jobs[job.name] = scheduled;
    }
    this.jobs = jobs as Record<JobName, ScheduledJob>;
  }

  /**
   * Query on the base table and GetItem (usage counters), nothing else: the jobs list a
   * tenant's executions by partition key and read no index. (bindTable would grant every
   * read action on the table and its indexes.)
   */
  private grantTableReads(job: ScheduledJob, table: dynamodb.ITableV2, key: kms.IKey): void {
    job.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:GetItem'],
        resources: [table.tableArn],
      }),
    );
    key.grantDecrypt(job.handler.role);
    job.handler.bindEnvironment('EXECUTION_TABLE_NAME', table.tableName);
  }

  /** PutObject under the job's own prefix, and the data key to encrypt it. */
  private grantOutputs(job: ScheduledJob, prefix: string): void {
    job.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.outputs.arnForObjects(`${prefix}*`)],
      }),
    );
    job.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [this.key.keyArn] }),
    );
    Validations.of(job.handler.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.outputs.node.defaultChild as s3.CfnBucket)}.Arn>/${prefix}*]`,
      reason: 'Objects under this job own prefix of the job-output bucket; keys are per tenant and window',
    });
    job.handler.bindEnvironment('OUTPUT_BUCKET', this.outputs.bucketName);
  }

  /**
   * PutObject under `prefix` of the audit bucket and the data key to encrypt with. No delete and
   * no retention/legal-hold actions: each object gets the bucket's default Object Lock retention,
   * which nobody shortens (COMPLIANCE in production).
   */
  private grantAuditWrites(job: ScheduledJob, prefix: string, audit: SchedulesStackProps['audit']): void {
    // By name, not by reference: one literal ARN in the policy; the stack dependency orders the deploys.
    const bucket = s3.Bucket.fromBucketName(this, 'AuditBucket', audit.bucketName);
    this.addStackDependency(audit.stack, 'audit exports go to its Object Lock bucket');
    job.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${prefix}*`)] }),
    );
    job.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [audit.key.keyArn] }),
    );
    Validations.of(job.handler.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${audit.bucketName}/${prefix}*]`,
      reason: 'Objects under the audit/ prefix of the Object Lock audit bucket; keys are per tenant and day',
    });
    job.handler.bindEnvironment('OUTPUT_BUCKET', audit.bucketName);
  }

  /**
   * PutRecordBatch on one lake delivery stream, nothing else (the stream encrypts with its own
   * key; producers need no KMS permission). By name, not by reference: the lake stack derives
   * the same name (lakeStreamName), and the dependency deploys it first.
   */
  private grantLakeStream(job: ScheduledJob, table: LakeTableName, lake: Stack): void {
    this.addStackDependency(lake, 'the audit-lake export writes to its audit_events delivery stream');
    job.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['firehose:PutRecordBatch'],
        resources: [
          this.formatArn({
            service: 'firehose',
            resource: 'deliverystream',
            resourceName: lakeStreamName(this.envName, table),
          }),
        ],
      }),
    );
    job.handler.bindEnvironment('LAKE_STREAM_PREFIX', lakeStreamPrefix(this.envName));
  }

  /**
   * Job outputs: versioned (a re-run adds a version, never loses the earlier one), SSE-KMS
   * under the stack key, TLS only, no public access, access logs to a bucket of their own.
   */
  private outputBucket(removalPolicy: RemovalPolicy): s3.Bucket {
    const accessLogs = new s3.Bucket(this, 'OutputAccessLogs', {
      // S3 server access logging writes SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy,
      autoDeleteObjects: false,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log destination of the job-output bucket; logging it into itself would loop',
    });
    return new s3.Bucket(this, 'Outputs', {
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'outputs/',
      // Old versions of re-run windows are history, not evidence: keep them 90 days.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      removalPolicy,
    });
  }
}

/** Adds the schedules stack to the primary and silo stages (`plane.schedules`). */
export const addSchedules: StageExtension = (stage, foundation, plane) => {
  if (foundation.role === 'secondary') return;
  const backup = plane.backup;
  if (!backup?.auditBucketName)
    throw new Error('The schedules stack needs the backup stack (audit bucket) built first');
  if (!plane.lake)
    throw new Error('The schedules stack needs the lake stack (audit_events stream) built first');
  plane.schedules = new SchedulesStack(stage, 'Schedules', {
    env: { account: foundation.data.account, region: foundation.region },
    config: foundation.config,
    tenantId: foundation.tenant?.tenantId,
    foundation,
    audit: { stack: backup, bucketName: backup.auditBucketName, key: foundation.keys.keys.data },
    lake: plane.lake,
  });
};
