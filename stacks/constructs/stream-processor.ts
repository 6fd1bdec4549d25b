/**
 * The execution table's stream consumer (lambdas/stream-processor): each item change becomes
 * an execution event on the bus, and terminal executions become lake rows through the
 * Firehose streams (`bindWriter` of the lake). Partial batch responses: only the failed
 * records are retried; a batch that keeps failing is split, and what still fails after the
 * retries is described in an encrypted on-failure queue (records stay in the stream 24 h).
 *
 * Only where the table is written (primary region, silo tenant): a secondary region's replica
 * stream repeats the primary's changes, and consuming both would publish every event twice.
 *
 * With MSK, the function runs in the VPC (private subnets with egress: EventBridge and Firehose
 * stay reachable) and also produces to the agent_execution topic, keyed by tenant; a record is
 * retried when either bus failed its event.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MSK_TOPICS } from '../../lib/domain/events/topics.js';
import type { MskServerless } from './msk-serverless.js';
import { PlatformFunction } from './platform-function.js';

export interface StreamProcessorProps {
  readonly table: dynamodb.ITableV2;
  /** The table's key: stream records are encrypted with it. */
  readonly tableKey: kms.IKey;
  readonly bus: events.IEventBus;
  /** Encrypts the on-failure queue. */
  readonly queueKey: kms.IKey;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** Publish to MSK too (agent_execution). @default EventBridge only */
  readonly msk?: { readonly cluster: MskServerless; readonly vpc: ec2.IVpc };
}

export class StreamProcessor extends Construct {
  readonly function: PlatformFunction;
  readonly failures: sqs.Queue;
  /** With MSK: the function's security group (admitted to the MSK IAM listener). */
  readonly securityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: StreamProcessorProps) {
    super(scope, id);
    const msk = props.msk;
    if (msk) {
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: msk.vpc,
        description: 'Stream processor: MSK and AWS endpoints',
      });
    }
    this.function = new PlatformFunction(this, 'Function', {
      entry: 'lambdas/stream-processor/handler.ts',
      serviceName: 'stream-processor',
      timeout: Duration.seconds(60),
      logKey: props.logKey,
      logRetention: props.logRetention,
      ...(msk && this.securityGroup
        ? {
            vpc: msk.vpc,
            vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: [this.securityGroup],
          }
        : {}),
    }).bindEventBus('EVENT_BUS_NAME', props.bus);
    if (msk && this.securityGroup)
      msk.cluster.bindProducer(this.function, this.securityGroup, [MSK_TOPICS.execution]);
    props.tableKey.grantDecrypt(this.function.role);

    this.failures = new sqs.Queue(this, 'Failures', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.queueKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the on-failure destination of the stream event source',
    });
    this.function.function.addEventSource(
      new sources.DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 5,
        reportBatchItemFailures: true,
        onFailure: new sources.SqsDlq(this.failures),
      }),
    );
    Validations.of(this.function.role).acknowledge(
      ...['kms:ReEncrypt*', 'kms:GenerateDataKey*'].map((a) => ({
        id: `AwsSolutions-IAM5[Action::${a}]`,
        reason: "CDK's send grant on the KMS-encrypted on-failure queue, limited to that queue's key",
      })),
    );
  }
}
