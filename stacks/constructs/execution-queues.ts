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
import { deadLetterAlarm } from './dead-letter-alarm.js';

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

/** One queue of the platform: its DLQ, both alarms, and what the alarms say it carries. */
export interface QueueWithDeadLetterProps extends ExecutionQueuesProps {
  /** Construct ids (stable: they name the CloudFormation resources). */
  readonly id: string;
  readonly deadLetterId: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly deadLetterRetentionDays: number;
  /** Names the queue in the alarm descriptions. */
  readonly label: string;
  /** What a message in the DLQ means, e.g. "an execution failed 3 times". */
  readonly deadLetterMeaning: string;
}

/**
 * A standard queue with its DLQ (redrive after `maxReceiveCount` receives), SSE-KMS, TLS only,
 * and two alarms: anything in the DLQ, and the oldest message getting too old. Every queue of
 * the platform is made here, so they cannot differ in encryption or alarming.
 */
export function queueWithDeadLetter(scope: Construct, p: QueueWithDeadLetterProps): ExecutionQueue {
  const removalPolicy = p.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
  const deadLetterQueue = new sqs.Queue(scope, p.deadLetterId, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: p.key,
    enforceSSL: true,
    retentionPeriod: Duration.days(p.deadLetterRetentionDays),
    removalPolicy,
  });
  const queue = new sqs.Queue(scope, p.id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: p.key,
    // Reuse the data key for 5 minutes: fewer KMS calls at high message rates.
    dataKeyReuse: Duration.minutes(5),
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(p.visibilityTimeoutSeconds),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: p.maxReceiveCount },
    removalPolicy,
  });
  const dlqAlarm = deadLetterAlarm(
    scope,
    `${p.deadLetterId}-depth`,
    deadLetterQueue,
    `${p.label}: messages in the dead-letter queue (${p.deadLetterMeaning})`,
  );
  const ageAlarm = queue
    .metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1) })
    .createAlarm(scope, `${p.id}-oldest-age`, {
      alarmDescription: `${p.label}: oldest message waits longer than ${p.oldestMessageAlarmSeconds} s`,
      threshold: p.oldestMessageAlarmSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  return { queue, deadLetterQueue, dlqAlarm, ageAlarm };
}

export class ExecutionQueues extends Construct {
  readonly queues: Readonly<Record<QueueName, ExecutionQueue>>;

  constructor(scope: Construct, id: string, props: ExecutionQueuesProps) {
    super(scope, id);
    const entries = QUEUE_NAMES.map((name): [QueueName, ExecutionQueue] => {
      const def = QUEUES[name];
      return [
        name,
        queueWithDeadLetter(this, {
          ...props,
          ...def,
          // Lambda consumers need >= 6 x their timeout (FIELD-NOTES); Fargate workers extend it.
          visibilityTimeoutSeconds: Math.max(def.visibilityTimeoutSeconds, LAMBDA_QUEUE_VISIBILITY_SECONDS),
          label: name,
          deadLetterMeaning: `an execution failed ${def.maxReceiveCount} times`,
        }),
      ];
    });
    this.queues = Object.fromEntries(entries) as Record<QueueName, ExecutionQueue>;
  }
}
