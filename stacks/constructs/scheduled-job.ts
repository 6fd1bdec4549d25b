/**
 * One scheduled job: its handler (PlatformFunction), an EventBridge Scheduler schedule in the
 * stack's group invoking it, and a dead-letter queue with an alarm on any message.
 *
 * Two failure paths both end in the job's DLQ:
 * - the schedule cannot invoke the function (throttled, function missing): Scheduler retries
 *   per the target's retry policy, then sends the event to the DLQ;
 * - the function runs and throws: Scheduler invokes Lambda asynchronously, so the retries
 *   are Lambda's (the async invoke config below) and its on-failure destination is the DLQ.
 * The payload carries the schedule's `scheduledTime`, so every retry covers the same window.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { jobEntry, type JobSchedule } from '../../lib/config/schedules.js';
import { PlatformFunction } from './platform-function.js';
import { deadLetterAlarm } from './dead-letter-alarm.js';

/** Attempts after the first, for both paths (Lambda async invoke allows at most 2). */
export const JOB_RETRY_ATTEMPTS = 2;
/** An event not delivered within this age goes to the DLQ (an hourly job's window is stale by then). */
export const JOB_MAX_EVENT_AGE = Duration.hours(1);

export interface ScheduledJobProps {
  readonly job: JobSchedule;
  readonly group: scheduler.IScheduleGroup;
  /** Encrypts the schedule's payload and the DLQ. */
  readonly key: kms.IKey;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly environment: Readonly<Record<string, string>>;
}

export class ScheduledJob extends Construct {
  readonly handler: PlatformFunction;
  readonly schedule: scheduler.Schedule;
  /** The role the schedule invokes the function with. */
  readonly schedulerRole: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  readonly dlqAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    const { job } = props;
    this.deadLetterQueue = new sqs.Queue(this, 'Dlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the job schedule and of its function async invokes',
    });

    this.handler = new PlatformFunction(this, 'Handler', {
      entry: jobEntry(job.name),
      serviceName: `job-${job.name}`,
      timeout: Duration.seconds(job.timeoutSeconds),
      memorySize: 1024,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.securityGroup],
      logKey: props.logKey,
      logRetention: props.logRetention,
      environment: props.environment,
    });
    this.handler.function.configureAsyncInvoke({
      retryAttempts: JOB_RETRY_ATTEMPTS,
      maxEventAge: JOB_MAX_EVENT_AGE,
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });

    const stack = Stack.of(this);
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `EventBridge Scheduler invoking the ${job.name} job`,
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: job.description,
      scheduleGroup: props.group,
      schedule: scheduler.ScheduleExpression.expression(job.expression),
      timeWindow: scheduler.TimeWindow.off(),
      key: props.key,
      target: new targets.LambdaInvoke(this.handler.function, {
        role: this.schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({
          job: job.name,
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: JOB_RETRY_ATTEMPTS,
        maxEventAge: JOB_MAX_EVENT_AGE,
      }),
    });

    const fnArn = `<${stack.getLogicalId(this.handler.function.node.defaultChild as never)}.Arn>`;
    Validations.of(this.schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${fnArn}:*]`,
      reason: 'InvokeFunction on the versions and aliases of this one job function (CDK grantInvoke)',
    });
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(this.handler.role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: 'SendMessage to the KMS-encrypted DLQ (CDK grant), on the one key of this stack only',
      });
    }

    this.dlqAlarm = deadLetterAlarm(
      this,
      'DlqDepth',
      this.deadLetterQueue,
      `Scheduled job ${job.name}: a run failed after its retries (message in the DLQ)`,
    );
  }
}
