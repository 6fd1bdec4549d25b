/**
 * Dashboard and alarms of one stage (every stage type: primary, secondary, silo; each region
 * watches its own API, queues, workers and database):
 * - API: 5xx rate (metric math 5XXError / Count), p95 latency, and the 99.99 % availability
 *   SLO as multi-window burn-rate alerts (constructs/burn-rate-alarms.ts has the math), and
 *   optionally the same SLO in Application Signals (constructs/application-signals-slo.ts);
 * - queues: one composite over the foundation's per-queue DLQ-depth > 0 alarms and one over
 *   its oldest-message-age alarms (events stack), so every queue notifies without duplicates;
 * - Aurora: Global Database replication lag (secondary) or reader replica lag (a primary with
 *   readers) over the configured 100 ms;
 * - workers: errors and throttles of every worker function;
 * - every other alarm of the plane's stacks that notifies nobody (e.g. the scheduled jobs'
 *   DLQ alarms): one composite over them, so no alarm of the app is silent;
 * - backups (stages with a backup stack): failed, aborted or expired backup and copy jobs
 *   (AWS Backup job events on the default bus, an EventBridge rule to the topic).
 * Alarms notify an SNS topic (messaging CMK, TLS only) with the on-call emails subscribed.
 * The API and workers come from the plane (`plane.api`, `plane.workers`); when a stage has
 * none, their alarms are left out and the rest still stands.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { API_AVAILABILITY_SLO } from '../lib/config/slo.js';
import type { Foundation, StageExtension } from './app-stage.js';
import { AlertTopic } from './constructs/alert-topic.js';
import { ApplicationSignalsSlo } from './constructs/application-signals-slo.js';
import { BurnRateAlarms } from './constructs/burn-rate-alarms.js';
import { constructsOf } from './constructs/plane-lookup.js';
import { PlatformFunction } from './constructs/platform-function.js';
import { applyStackDefaults } from './constructs/stack-defaults.js';
import type { PlatformStackProps } from './constructs/stack-defaults.js';

/** A 5xx rate above this for 3 minutes is an outage, whatever the SLO budget says. */
export const API_5XX_RATE_PERCENT = 1;

export interface ObservabilityStackProps extends PlatformStackProps {
  readonly foundation: Foundation;
  /** The stage's REST API. @default no API alarms */
  readonly api?: apigateway.RestApiBase;
  /** Worker functions (errors, throttles). @default none */
  readonly workerFunctions?: readonly lambda.IFunction[];
  /** Alarms of other plane stacks without any action: notified through one composite. @default none */
  readonly silentAlarms?: readonly cloudwatch.IAlarm[];
  /** Notify failed AWS Backup jobs (the stage has a backup plan or copy target). @default false */
  readonly watchBackups?: boolean;
}

export class ObservabilityStack extends Stack {
  readonly alarmTopic: AlertTopic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly slo?: BurnRateAlarms;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    applyStackDefaults(this, props);
    const { foundation } = props;
    const o = props.config.observability;
    this.alarmTopic = new AlertTopic(this, 'Alarms', {
      displayName: `GL Agent Factory ${props.config.name} ${this.region} alarms`,
      key: foundation.keys.keys.messaging,
      emails: o.alarmEmails,
    });
    const action = new actions.SnsAction(this.alarmTopic.topic);
    const notify = <T extends cloudwatch.AlarmBase>(alarm: T): T => {
      alarm.addAlarmAction(action);
      return alarm;
    };
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
    });
    const minute = Duration.minutes(1);

    const api = props.api;
    if (api) {
      const requests = (period: Duration) => api.metricCount({ statistic: 'Sum', period });
      const errors = (period: Duration) => api.metricServerError({ statistic: 'Sum', period });
      const rate = new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: { errors: errors(minute), requests: requests(minute) },
        period: minute,
        label: '5xx rate (%)',
      });
      notify(
        rate.createAlarm(this, 'Api5xxRate', {
          alarmDescription: `API 5xx responses above ${API_5XX_RATE_PERCENT} % of requests for 3 minutes`,
          threshold: API_5XX_RATE_PERCENT,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
      const p95 = api.metricLatency({ statistic: 'p95', period: Duration.minutes(5) });
      notify(
        p95.createAlarm(this, 'ApiLatencyP95', {
          alarmDescription: `API p95 latency above ${o.apiLatencyP95Ms} ms for 15 minutes`,
          threshold: o.apiLatencyP95Ms,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
      this.slo = new BurnRateAlarms(this, 'Slo', { slo: API_AVAILABILITY_SLO, requests, errors, action });
      if (o.applicationSignalsSlo) {
        new ApplicationSignalsSlo(this, 'ApplicationSignals', {
          slo: API_AVAILABILITY_SLO,
          name: `glaf-${props.config.name}-${props.tenantId?.slice(0, 8) ?? 'pool'}-${API_AVAILABILITY_SLO.name}`,
          apiName: api.restApiName,
        });
      }
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({ title: 'API requests', left: [requests(minute)], width: 8 }),
        new cloudwatch.GraphWidget({ title: 'API 5xx rate (%)', left: [rate], width: 8 }),
        new cloudwatch.GraphWidget({ title: 'API latency p95 (ms)', left: [p95], width: 8 }),
        new cloudwatch.AlarmStatusWidget({
          title: `SLO ${API_AVAILABILITY_SLO.name} burn rate`,
          alarms: this.slo.alerts.map((a) => a.alert),
          width: 24,
          height: 3,
        }),
      );
    }

    const queues = Object.entries(foundation.events.queues.queues);
    notify(
      new cloudwatch.CompositeAlarm(this, 'DeadLetters', {
        alarmDescription: 'A message reached a dead-letter queue (an execution failed 3 times)',
        alarmRule: cloudwatch.AlarmRule.anyOf(...queues.map(([, q]) => q.dlqAlarm)),
      }),
    );
    notify(
      new cloudwatch.CompositeAlarm(this, 'QueueBacklog', {
        alarmDescription: 'The oldest message of an execution queue waits too long',
        alarmRule: cloudwatch.AlarmRule.anyOf(...queues.map(([, q]) => q.ageAlarm)),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Oldest message age (s)',
        left: queues.map(([name, q]) => q.queue.metricApproximateAgeOfOldestMessage({ label: name })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue depth',
        left: queues.map(([name, q]) =>
          q.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: `${name} DLQ` }),
        ),
        width: 12,
      }),
    );

    const lag = this.replicaLag(foundation);
    if (lag) {
      notify(
        lag.createAlarm(this, 'AuroraReplicaLag', {
          alarmDescription: `Aurora ${lag.metricName} above ${o.replicaLagMs} ms for 3 minutes`,
          threshold: o.replicaLagMs,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.MISSING,
        }),
      );
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({ title: 'Aurora replica lag (ms)', left: [lag], width: 24 }),
      );
    }

    const silent = props.silentAlarms ?? [];
    if (silent.length > 0) {
      notify(
        new cloudwatch.CompositeAlarm(this, 'PlaneAlarms', {
          alarmDescription:
            'An alarm of the API, workers, lake or scheduled jobs fired (see the triggering alarm)',
          alarmRule: cloudwatch.AlarmRule.anyOf(...silent),
        }),
      );
    }

    if (props.watchBackups) {
      new events.Rule(this, 'BackupJobFailures', {
        description: 'AWS Backup and copy jobs that failed, aborted or expired',
        eventPattern: {
          source: ['aws.backup'],
          detailType: ['Backup Job State Change', 'Copy Job State Change'],
          detail: { state: ['FAILED', 'ABORTED', 'EXPIRED'] },
        },
        targets: [new targets.SnsTopic(this.alarmTopic.topic)],
      });
    }

    const workers = props.workerFunctions ?? [];
    workers.forEach((fn, i) => {
      notify(
        fn
          .metricErrors({ statistic: 'Sum', period: Duration.minutes(5) })
          .createAlarm(this, `WorkerErrors${i}`, {
            alarmDescription: `Worker function errors: ${o.workerErrorsPer5Min} or more in 5 minutes`,
            threshold: o.workerErrorsPer5Min,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      );
      notify(
        fn
          .metricThrottles({ statistic: 'Sum', period: Duration.minutes(5) })
          .createAlarm(this, `WorkerThrottles${i}`, {
            alarmDescription:
              'Worker function throttled (concurrency exhausted) in two 5-minute periods running',
            threshold: 0,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 2,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      );
    });
    if (workers.length > 0) {
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'Worker errors and throttles',
          left: workers.map((fn) => fn.metricErrors({ statistic: 'Sum' })),
          right: workers.map((fn) => fn.metricThrottles({ statistic: 'Sum' })),
          width: 24,
        }),
      );
    }
  }

  /** Secondary: Global Database replication lag. Elsewhere: the readers' lag, if any. */
  private replicaLag(foundation: Foundation): cloudwatch.Metric | undefined {
    const metric = (metricName: string, cluster: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { DBClusterIdentifier: cluster },
        statistic: 'Maximum',
        period: Duration.minutes(1),
      });
    const secondary = foundation.data.auroraSecondary;
    if (secondary) return metric('AuroraGlobalDBReplicationLag', secondary.cluster.ref);
    const primary = foundation.data.aurora;
    if (primary && foundation.config.aurora.readers > 0)
      return metric('AuroraReplicaLagMaximum', primary.cluster.clusterIdentifier);
    return undefined;
  }
}

/** Every stage gets one: each region and each silo account watches its own resources. */
export const addObservability: StageExtension = (stage, foundation, plane) => {
  plane.observability = new ObservabilityStack(stage, 'Observability', {
    env: { account: foundation.data.account, region: foundation.region },
    config: foundation.config,
    tenantId: foundation.tenant?.tenantId,
    foundation,
    api: constructsOf(plane.api, apigateway.RestApiBase)[0],
    workerFunctions: constructsOf(plane.workers, PlatformFunction).map((f) => f.function),
    watchBackups: plane.backup !== undefined,
    // Same region only: a composite alarm cannot watch another region's alarms.
    silentAlarms: Object.values(plane).flatMap((stack) =>
      constructsOf(stack, cloudwatch.Alarm).filter(
        (alarm) => Stack.of(alarm).region === foundation.region && !hasActions(alarm),
      ),
    ),
  });
};

/** Whether anything (SNS, scaling, ...) acts on the alarm; alarm actions render lazily. */
function hasActions(alarm: cloudwatch.Alarm): boolean {
  const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
  const actions: unknown = Stack.of(alarm).resolve(cfn.alarmActions);
  return Array.isArray(actions) && actions.length > 0;
}
