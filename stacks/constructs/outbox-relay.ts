/**
 * The outbox relay of a region where Aurora is written (primary, silo): lambdas/outbox-relay
 * invoked by EventBridge Scheduler every minute, relaying for ~50 s of its 60 s and polling
 * the outbox every second, so tenant.* and agent.* events reach EventBridge and MSK about a
 * second after their transaction commits (up to ~10 s when one lands in the gap between two
 * invocations). Scheduler's finest rate is one minute; a longer-lived poller (Fargate) would
 * close the gap at the price of a task per region.
 *
 * Failures need no DLQ: rows stay in the outbox until relayed, and the next minute's
 * invocation tries again (no Scheduler or Lambda retries that would pile up behind it). An
 * invocation in which not one round got through throws; the Errors alarm reports two such
 * minutes in five. Reserved concurrency 2: a slow invocation and the next one may overlap
 * (the relay's advisory lock lets one of them work), never more.
 *
 * Least privilege: the control-plane login user on the RDS Proxy (IAM token; the relay reads
 * every tenant's rows), PutEvents on the region's bus, and MSK Connect/WriteData on the
 * agent_lifecycle and tenant_lifecycle topics only.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import type { OutboxRelayEnvSchema } from '../../lib/config/events-env.js';
import { iamDatabaseEnv, type EnvOf } from '../../lib/config/runtime-env.js';
import { MSK_TOPICS, type MskTopic } from '../../lib/domain/events/topics.js';
import { loginUsersFor } from '../../lib/adapters/sql/roles.js';
import { DATABASE_NAME } from './aurora.js';
import type { MskServerless } from './msk-serverless.js';
import { PlatformFunction } from './platform-function.js';
import { ingressRules } from './ingress-rule.js';

const POSTGRES_PORT = 5432;

/** The families the outbox carries (tenant store, offboarding, agent registry). */
export const OUTBOX_TOPICS: readonly MskTopic[] = [MSK_TOPICS.tenant, MSK_TOPICS.agent];
export const OUTBOX_RELAY_SCHEDULE = 'rate(1 minute)';
export const OUTBOX_RELAY_TIMEOUT = Duration.seconds(60);
export const OUTBOX_RELAY_DRAIN_SECONDS = 50;
export const OUTBOX_RELAY_POLL_MS = 1_000;

export interface OutboxRelayProps {
  readonly vpc: ec2.IVpc;
  readonly bus: events.IEventBus;
  readonly proxy: rds.IDatabaseProxy;
  /** The proxy's security groups: the relay is admitted on the PostgreSQL port. */
  readonly proxySecurityGroups: readonly ec2.ISecurityGroup[];
  /** Database role prefix; the login user is `<prefix>_control` (created by the migration). */
  readonly rolePrefix: string;
  /** Absent = EventBridge only. */
  readonly msk?: MskServerless;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

export class OutboxRelayFunction extends Construct {
  readonly handler: PlatformFunction;
  readonly securityGroup: ec2.SecurityGroup;
  readonly schedule: scheduler.Schedule;
  readonly schedulerRole: iam.Role;
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Outbox relay: the RDS Proxy, MSK and AWS endpoints',
    });
    ingressRules(this, 'ProxyIngress', {
      from: this.securityGroup,
      to: props.proxySecurityGroups,
      port: POSTGRES_PORT,
      description: 'Outbox relay to the RDS Proxy (IAM auth, TLS)',
    });
    const user = loginUsersFor(props.rolePrefix).control;
    const environment = {
      ...iamDatabaseEnv({
        host: props.proxy.endpoint,
        port: POSTGRES_PORT,
        user,
        name: DATABASE_NAME,
        rolePrefix: props.rolePrefix,
      }),
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      RELAY_DRAIN_SECONDS: String(OUTBOX_RELAY_DRAIN_SECONDS),
      RELAY_POLL_MS: String(OUTBOX_RELAY_POLL_MS),
    } satisfies EnvOf<typeof OutboxRelayEnvSchema>;
    this.handler = new PlatformFunction(this, 'Handler', {
      entry: 'lambdas/outbox-relay/handler.ts',
      serviceName: 'outbox-relay',
      timeout: OUTBOX_RELAY_TIMEOUT,
      memorySize: 256,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      logKey: props.logKey,
      logRetention: props.logRetention,
      environment,
    }).bindEventBus('EVENT_BUS_NAME', props.bus);
    props.proxy.grantConnect(this.handler.role, user);
    props.msk?.bindProducer(this.handler, this.securityGroup, OUTBOX_TOPICS);
    const cfn = this.handler.function.node.defaultChild as lambda.CfnFunction;
    cfn.reservedConcurrentExecutions = 2;
    // The next minute's invocation is the retry; retries of this one would only queue behind it.
    this.handler.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });

    const stack = Stack.of(this);
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler invoking the outbox relay',
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Every minute: relay the SQL outbox (tenant.*, agent.*) to EventBridge and MSK for ~50 s',
      schedule: scheduler.ScheduleExpression.expression(OUTBOX_RELAY_SCHEDULE),
      timeWindow: scheduler.TimeWindow.off(),
      target: new targets.LambdaInvoke(this.handler.function, {
        role: this.schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({ job: 'outbox-relay' }),
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
      }),
    });
    Validations.of(this.schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(cfn)}.Arn>:*]`,
      reason: 'InvokeFunction on the versions and aliases of the relay function only (CDK grantInvoke)',
    });

    this.errorsAlarm = this.handler.function
      .metricErrors({ period: Duration.minutes(5) })
      .createAlarm(this, 'Errors', {
        alarmDescription:
          'Outbox relay: two or more minutes in five without a single relayed round (database or bus down); tenant and agent events are waiting',
        threshold: 2,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }
}
