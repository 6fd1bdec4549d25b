/**
 * The lake's S3 buckets of one region: raw (Firehose's copy of the source JSON records),
 * processed (Parquet written by Firehose, the Glue tables' location) and curated (reports and
 * aggregates written by scheduled jobs), plus the server-access-log bucket they log to.
 *
 * Every lake bucket: the data CMK, public access blocked, TLS only, versioning, access logs,
 * lifecycle (Standard-IA after 30 days, Glacier after 90). Processed and curated move to
 * Glacier Instant Retrieval, because Athena skips objects in Glacier Flexible Retrieval and
 * old partitions must stay queryable; raw (never queried) goes to Glacier Flexible Retrieval.
 *
 * Replication: the primary region replicates each bucket to the bucket of the same purpose in
 * every secondary region. CloudFormation cannot reference across regions, so the names are
 * derived from configuration (`lakeBucketName`) and the destination's key is named by alias;
 * the secondary region's lake stack must be deployed first (S3 checks that the destination exists).
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { keyAlias, keyAliasArn } from './kms-keys.js';

export const LAKE_BUCKET_PURPOSES = ['raw', 'processed', 'curated'] as const;
export type LakeBucketPurpose = (typeof LAKE_BUCKET_PURPOSES)[number];

/** Lifecycle of every lake bucket (days after creation). */
export const LAKE_LIFECYCLE = { infrequentAccessDays: 30, glacierDays: 90, noncurrentDays: 90 } as const;

/** Same name in every region of the account: `glaf-<env>-lake-<purpose>-<account>-<region>`. */
export function lakeBucketName(envName: string, purpose: LakeBucketPurpose, account: string, region: string) {
  return `glaf-${envName}-lake-${purpose}-${account}-${region}`;
}

export interface LakeBucketsProps {
  readonly envName: string;
  /** Encrypts every lake bucket (the region's data CMK). */
  readonly key: kms.IKey;
  /** RETAIN the buckets on stack deletion (production). */
  readonly retain: boolean;
  /** Days the server access logs are kept. */
  readonly accessLogDays: number;
  /** Regions whose lake buckets receive a replica of every object. @default none */
  readonly replicaRegions?: readonly string[];
}

export class LakeBuckets extends Construct {
  readonly raw: s3.Bucket;
  readonly processed: s3.Bucket;
  readonly curated: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly replicationRole?: iam.Role;

  constructor(scope: Construct, id: string, props: LakeBucketsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    // Server access logs can only be delivered to an SSE-S3 bucket (not SSE-KMS).
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogDays) }],
      removalPolicy,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would loop',
    });

    const replicaRegions = props.replicaRegions ?? [];
    if (replicaRegions.length > 0) {
      this.replicationRole = new iam.Role(this, 'ReplicationRole', {
        assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
        description: 'S3 replication of the lake buckets to the secondary regions',
      });
    }
    const make = (purpose: LakeBucketPurpose, glacier: s3.StorageClass) =>
      this.bucket(purpose, glacier, props, removalPolicy, replicaRegions);
    this.raw = make('raw', s3.StorageClass.GLACIER);
    this.processed = make('processed', s3.StorageClass.GLACIER_INSTANT_RETRIEVAL);
    this.curated = make('curated', s3.StorageClass.GLACIER_INSTANT_RETRIEVAL);
    if (this.replicationRole) this.grantReplication(this.replicationRole, props, replicaRegions, stack);
  }

  get all(): readonly s3.Bucket[] {
    return [this.raw, this.processed, this.curated];
  }

  private bucket(
    purpose: LakeBucketPurpose,
    glacier: s3.StorageClass,
    props: LakeBucketsProps,
    removalPolicy: RemovalPolicy,
    replicaRegions: readonly string[],
  ): s3.Bucket {
    const stack = Stack.of(this);
    const id = purpose[0]!.toUpperCase() + purpose.slice(1);
    return new s3.Bucket(this, id, {
      bucketName: lakeBucketName(props.envName, purpose, stack.account, stack.region),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      // S3 Bucket Keys: one KMS call per bucket key instead of per object (Firehose writes many).
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: `${purpose}/`,
      lifecycleRules: [
        {
          id: 'tiering',
          transitions: [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(LAKE_LIFECYCLE.infrequentAccessDays),
            },
            { storageClass: glacier, transitionAfter: Duration.days(LAKE_LIFECYCLE.glacierDays) },
          ],
          noncurrentVersionExpiration: Duration.days(LAKE_LIFECYCLE.noncurrentDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      replicationRole: this.replicationRole,
      replicationRules:
        replicaRegions.length === 0
          ? undefined
          : replicaRegions.map((region, i) => ({
              id: `to-${region}`,
              priority: i,
              destination: s3.Bucket.fromBucketAttributes(this, `${id}Replica${i}`, {
                bucketName: lakeBucketName(props.envName, purpose, stack.account, region),
                region,
              }),
              // The replica is encrypted under the destination region's data key (named by alias).
              kmsKey: kms.Key.fromKeyArn(
                this,
                `${id}ReplicaKey${i}`,
                keyAliasArn(this, region, props.envName, 'data'),
              ),
              sseKmsEncryptedObjects: true,
              deleteMarkerReplication: true,
            })),
      removalPolicy,
    });
  }

  /** Exactly what S3 replication needs: read versions here, write replicas there, the two keys. */
  private grantReplication(
    role: iam.Role,
    props: LakeBucketsProps,
    replicaRegions: readonly string[],
    stack: Stack,
  ): void {
    const sources = this.all;
    const destinations = replicaRegions.flatMap((region) =>
      LAKE_BUCKET_PURPOSES.map(
        (p) => `arn:${stack.partition}:s3:::${lakeBucketName(props.envName, p, stack.account, region)}`,
      ),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        resources: sources.map((b) => b.bucketArn),
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionTagging',
        ],
        resources: sources.map((b) => `${b.bucketArn}/*`),
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
        resources: destinations.map((d) => `${d}/*`),
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
    // KMS authorizes by key ARN, not alias ARN: match the destination key by its alias instead.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: replicaRegions.map((r) => `arn:${stack.partition}:kms:${r}:${stack.account}:key/*`),
        conditions: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': keyAlias(props.envName, 'data') },
          StringLike: { 'kms:ViaService': replicaRegions.map((r) => `s3.${r}.amazonaws.com`) },
        },
      }),
    );
    const objects = [
      ...sources.map((b) => `<${stack.getLogicalId(b.node.defaultChild as s3.CfnBucket)}.Arn>/*`),
      ...replicaRegions.flatMap((region) =>
        LAKE_BUCKET_PURPOSES.map(
          (p) => `arn:<AWS::Partition>:s3:::${lakeBucketName(props.envName, p, stack.account, region)}/*`,
        ),
      ),
    ];
    Validations.of(role).acknowledge(
      ...objects.map((o) => ({
        id: `AwsSolutions-IAM5[Resource::${o}]`,
        reason: 'Replication reads and writes every object version of the lake bucket by design',
      })),
      ...replicaRegions.map((r) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:${r}:${stack.account}:key/*]`,
        reason:
          'The destination key is named by alias; kms:ResourceAliases narrows the grant to that one key',
      })),
    );
  }
}
