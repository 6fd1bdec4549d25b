/**
 * The execution queues from `lib/config/queues.ts`: P0..P3 and batch, each with its own DLQ
 * (redrive after MAX_RECEIVE_COUNT receives), SSE-KMS with the messaging key, TLS enforced,
 * and two alarms per queue: anything in the DLQ, and the oldest message getting too old.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAMBDA_QUEUE_VISIBILITY_SECONDS, QUEUE_NAMES, QUEUES } from '../../lib/config/queues.js';
import type { QueueName } from '../../lib/config/queues.js';

export interface ExecutionQueue {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly dlqAlarm: cloudwatch.Alarm;
  readonly ageAlarm: cloudwatch.Alarm;
}

export interface ExecutionQueuesProps {
  readonly key: kms.IKey;
  /** Alarm threshold of ApproximateAgeOfOldestMessage. */
  readonly oldestMessageAlarmSeconds: number;
  readonly retain: boolean;
}

export class ExecutionQueues extends Construct {
  readonly queues: Readonly<Record<QueueName, ExecutionQueue>>;

  constructor(scope: Construct, id: string, props: ExecutionQueuesProps) {
    super(scope, id);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const entries = QUEUE_NAMES.map((name): [QueueName, ExecutionQueue] => {
      const def = QUEUES[name];
      const deadLetterQueue = new sqs.Queue(this, def.deadLetterId, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: props.key,
        enforceSSL: true,
        retentionPeriod: Duration.days(def.deadLetterRetentionDays),
        removalPolicy,
      });
      const queue = new sqs.Queue(this, def.id, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: props.key,
        // Reuse the data key for 5 minutes: fewer KMS calls at high message rates.
        dataKeyReuse: Duration.minutes(5),
        enforceSSL: true,
        // Lambda consumers need >= 6 x their timeout (FIELD-NOTES); Fargate workers extend it.
        visibilityTimeout: Duration.seconds(
          Math.max(def.visibilityTimeoutSeconds, LAMBDA_QUEUE_VISIBILITY_SECONDS),
        ),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: def.maxReceiveCount },
        removalPolicy,
      });
      const dlqAlarm = deadLetterQueue
        .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) })
        .createAlarm(this, `${def.deadLetterId}-depth`, {
          alarmDescription: `${name}: messages in the dead-letter queue (an execution failed ${def.maxReceiveCount} times)`,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      const ageAlarm = queue
        .metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1) })
        .createAlarm(this, `${def.id}-oldest-age`, {
          alarmDescription: `${name}: oldest message waits longer than ${props.oldestMessageAlarmSeconds} s`,
          threshold: props.oldestMessageAlarmSeconds,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      return [name, { queue, deadLetterQueue, dlqAlarm, ageAlarm }];
    });
    this.queues = Object.fromEntries(entries) as Record<QueueName, ExecutionQueue>;
  }
}
