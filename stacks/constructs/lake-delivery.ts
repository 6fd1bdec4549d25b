/**
 * One Firehose delivery stream per lake table (lib/adapters/aws/firehose-lake-sink.ts writes to
 * them): JSON records in, Parquet out, converted with the Glue table's schema; dynamic
 * partitioning reads `tenant_id` and `dt` from each record (the sink sets both) into the Hive
 * layout `<prefix>tenant_id=<id>/dt=<yyyy-MM-dd>/`, the same layout partition projection reads.
 *
 * Encryption: the stream (server-side, direct PUT) and the objects in S3 with the data CMK.
 * The source JSON is also kept in the raw bucket (backup mode ALL, gzip) so a schema fix can
 * be replayed; records Firehose cannot convert or partition land under `_errors/<table>/` in
 * the processed bucket, outside every table's location.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { Duration, Size } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { LakeTable } from '../../lib/lake/tables.js';
import { acknowledgeBucketGrants } from './lake-nag.js';

/**
 * Prefix of the lake's delivery stream names: the stream processor's `LAKE_STREAM_PREFIX`
 * (lib/lake/layout.ts `lakeStreamNames` appends the table name).
 */
export function lakeStreamPrefix(envName: string): string {
  return `glaf-${envName}-lake-`;
}

/** Delivery stream name of a lake table. */
export function lakeStreamName(envName: string, table: string): string {
  return `${lakeStreamPrefix(envName)}${table}`;
}

/** Firehose's Hive prefix from the record's own partition values. */
export function lakePartitionPrefix(table: LakeTable): string {
  return `${table.prefix}tenant_id=!{partitionKeyFromQuery:tenant_id}/dt=!{partitionKeyFromQuery:dt}/`;
}

export interface LakeDeliveryProps {
  readonly envName: string;
  readonly tables: readonly LakeTable[];
  /** Glue table of each lake table (schema of the Parquet conversion). */
  readonly schemaOf: (table: string) => glue.CfnTable;
  readonly processed: s3.IBucket;
  readonly raw: s3.IBucket;
  readonly key: kms.IKey;
  /** Encrypts each stream's delivery-error log group. */
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly bufferSize: Size;
  readonly bufferInterval: Duration;
}

export class LakeDelivery extends Construct {
  /** By lake table name. */
  readonly streams: ReadonlyMap<string, firehose.DeliveryStream>;
  /** The role each stream writes S3 and reads its Glue table with, by lake table name. */
  readonly roles: ReadonlyMap<string, iam.Role>;

  constructor(scope: Construct, id: string, props: LakeDeliveryProps) {
    super(scope, id);
    const streams = new Map<string, firehose.DeliveryStream>();
    const roles = new Map<string, iam.Role>();
    for (const t of props.tables) {
      // Our own role (not the destination's default) so Lake Formation can grant it the table.
      const role = new iam.Role(this, `${t.name}Role`, {
        assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com'),
        description: `Firehose delivery of the ${t.name} lake table`,
      });
      roles.set(t.name, role);
      // A log group per stream: Firehose names its log streams the same in every stream.
      const logGroup = new logs.LogGroup(this, `${t.name}Logs`, {
        retention: props.logRetention,
        encryptionKey: props.logKey,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const logging = new firehose.EnableLogging(logGroup);
      const destination = new firehose.S3Bucket(props.processed, {
        role,
        dataOutputPrefix: lakePartitionPrefix(t),
        errorOutputPrefix: `_errors/${t.name}/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/`,
        bufferingSize: props.bufferSize,
        bufferingInterval: props.bufferInterval,
        encryptionKey: props.key,
        loggingConfig: logging,
        dynamicPartitioning: { enabled: true },
        processors: [firehose.MetadataExtractionProcessor.jq16({ tenant_id: '.tenant_id', dt: '.dt' })],
        dataFormatConversion: {
          schemaConfiguration: firehose.SchemaConfiguration.fromCfnTable(props.schemaOf(t.name)),
          inputFormat: firehose.InputFormat.OPENX_JSON,
          outputFormat: new firehose.ParquetOutputFormat({
            compression: firehose.ParquetCompression.SNAPPY,
          }),
        },
        s3Backup: {
          mode: firehose.BackupMode.ALL,
          bucket: props.raw,
          dataOutputPrefix: `${t.prefix}!{timestamp:yyyy-MM-dd}/`,
          errorOutputPrefix: `_errors/${t.name}/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/`,
          compression: firehose.Compression.GZIP,
          encryptionKey: props.key,
          loggingConfig: logging,
        },
      });
      const stream = new firehose.DeliveryStream(this, t.name, {
        deliveryStreamName: lakeStreamName(props.envName, t.name),
        destination,
        encryption: firehose.StreamEncryption.customerManagedKey(props.key),
      });
      for (const scope of [stream, role])
        acknowledgeBucketGrants(
          scope,
          [props.processed, props.raw],
          "Firehose's own destination grants: objects under partition prefixes chosen per record, the data key for them",
          // Record format conversion reads the schema from Glue; GetSchemaVersion has no resource scope.
          ['Resource::*'],
        );
      streams.set(t.name, stream);
    }
    this.streams = streams;
    this.roles = roles;
  }

  /** Lets a writer (the lake sink) put record batches into every lake stream, nothing else. */
  grantWrite(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['firehose:PutRecordBatch'],
      resourceArns: [...this.streams.values()].map((s) => s.deliveryStreamArn),
    });
  }
}
