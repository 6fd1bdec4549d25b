import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../lib/config/queues.js';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { ObservabilityStack } from '../../stacks/observability-stack.js';
import { assertHasResource, assertResourceCount, template, withSilos } from './helpers.js';
import { buildOperations, nagErrors, OPERATIONS } from './operations-fixture.js';

const staging = buildOperations(withSilos('staging'));
const observabilityOf = (plane: { observability?: ObservabilityStack }) => {
  expect(plane.observability).toBeInstanceOf(ObservabilityStack);
  return plane.observability!;
};
const primary = observabilityOf(staging.primary.plane);
const t = template(primary);

type Resource = { Properties: Record<string, unknown> };
const alarms = (tpl: Template) => Object.values(tpl.findResources('AWS::CloudWatch::Alarm')) as Resource[];
const composites = (tpl: Template) =>
  Object.values(tpl.findResources('AWS::CloudWatch::CompositeAlarm')) as Resource[];
const topicRef = () => ({
  Ref: primary.getLogicalId(primary.alarmTopic.topic.node.defaultChild as CfnElement),
});
/** The metric-math alarm whose expression is `expression`, with its metrics by id. */
function mathAlarm(tpl: Template, expression: string, periodSeconds: number) {
  return alarms(tpl).filter((a) => {
    const metrics = a.Properties.Metrics as { Expression?: string; Id: string }[] | undefined;
    const expr = metrics?.find((m) => m.Expression === expression);
    const stats = metrics?.filter((m) => !m.Expression) as { MetricStat: { Period: number } }[] | undefined;
    return expr !== undefined && stats?.every((s) => s.MetricStat.Period === periodSeconds);
  });
}

describe('ObservabilityStack', () => {
  it('notifies an encrypted, TLS-only SNS topic with the on-call emails subscribed', () => {
    assertHasResource(t, 'AWS::SNS::Topic', {
      KmsMasterKeyId: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('KeysMessaging') }),
    });
    assertHasResource(t, 'AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
    assertHasResource(t, 'AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: ENVIRONMENTS.staging.observability.alarmEmails[0],
    });
  });

  describe('API', () => {
    it('alarms on the 5xx rate: metric math 5XXError / Count over the API', () => {
      const [rate] = mathAlarm(t, 'IF(requests > 0, 100 * errors / requests, 0)', 60);
      expect(rate?.Properties).toMatchObject({
        Threshold: 1,
        EvaluationPeriods: 3,
        AlarmActions: [topicRef()],
      });
      const names = (rate!.Properties.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[])
        .map((m) => m.MetricStat?.Metric.MetricName)
        .filter(Boolean)
        .sort();
      expect(names).toEqual(['5XXError', 'Count']);
      expect(JSON.stringify(rate)).toContain('"Name":"ApiName","Value":"glaf-staging-api"');
    });

    it('alarms on p95 latency above the configured threshold', () => {
      assertHasResource(t, 'AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ApiGateway',
        MetricName: 'Latency',
        ExtendedStatistic: 'p95',
        Threshold: ENVIRONMENTS.staging.observability.apiLatencyP95Ms,
        AlarmActions: [topicRef()],
      });
    });

    it('expresses the 99.99 % SLO as 1 h / 6 h burn-rate alerts, each long AND short window', () => {
      const expression = 'IF(requests > 0, errors / requests, 0)';
      const windows = [
        { long: 3600, short: 300, threshold: 14.4 * 0.0001 },
        { long: 21600, short: 1800, threshold: 6 * 0.0001 },
      ];
      for (const w of windows) {
        for (const period of [w.long, w.short]) {
          const [alarm] = mathAlarm(t, expression, period);
          expect(alarm, `window ${period} s`).toBeDefined();
          expect(alarm!.Properties.Threshold as number).toBeCloseTo(w.threshold, 12);
          expect(alarm!.Properties).toMatchObject({
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
            EvaluationPeriods: 1,
            TreatMissingData: 'notBreaching',
          });
          // Window alarms feed the composites; only the composites notify.
          expect(alarm!.Properties.AlarmActions).toBeUndefined();
        }
      }
      const slo = composites(t).filter((c) =>
        String(c.Properties.AlarmDescription).startsWith('api-availability'),
      );
      expect(slo).toHaveLength(2);
      for (const c of slo) {
        expect(JSON.stringify(c.Properties.AlarmRule)).toMatch(/ALARM\(.*\) AND ALARM\(.*\)/);
        expect(c.Properties.AlarmActions).toEqual([topicRef()]);
      }
    });
  });

  it("notifies on every queue's DLQ-depth and oldest-age alarm of the events stack", () => {
    const byDescription = (text: string) =>
      composites(t).find((c) => String(c.Properties.AlarmDescription).includes(text))!;
    for (const [text, suffix] of [
      ['dead-letter queue', 'dlqdepth'],
      ['oldest message', 'oldestage'],
    ] as const) {
      const composite = byDescription(text);
      const rule = JSON.stringify(composite.Properties.AlarmRule);
      expect(rule.match(/ALARM\(/g)).toHaveLength(QUEUE_NAMES.length);
      expect(rule.match(/ OR /g)).toHaveLength(QUEUE_NAMES.length - 1);
      for (const name of QUEUE_NAMES) {
        expect(rule.toLowerCase()).toMatch(new RegExp(`queues${name}\\w*${suffix}`.toLowerCase()));
      }
      expect(composite.Properties.AlarmActions).toEqual([topicRef()]);
    }
    // The foundation alarms fire on any DLQ message.
    assertHasResource(template(staging.primary.foundation.events), 'AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  describe('Aurora replica lag', () => {
    it('alarms on the Global Database replication lag of the secondary above 100 ms', () => {
      assertHasResource(template(observabilityOf(staging.secondary.plane)), 'AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/RDS',
        MetricName: 'AuroraGlobalDBReplicationLag',
        Threshold: 100,
        ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: Match.anyValue() }],
        AlarmActions: [Match.anyValue()],
      });
    });

    it("alarms on the readers' lag of a primary with readers, and not without readers", () => {
      assertHasResource(t, 'AWS::CloudWatch::Alarm', {
        MetricName: 'AuroraReplicaLagMaximum',
        Threshold: 100,
      });
      const dev = buildOperations(ENVIRONMENTS.dev);
      expect(ENVIRONMENTS.dev.aurora.readers).toBe(0);
      const lag = alarms(template(observabilityOf(dev.primary.plane))).filter((a) =>
        String(a.Properties.MetricName).startsWith('Aurora'),
      );
      expect(lag).toEqual([]);
    });
  });

  it('alarms on worker function errors and throttles', () => {
    assertHasResource(t, 'AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Threshold: ENVIRONMENTS.staging.observability.workerErrorsPer5Min,
      Dimensions: [{ Name: 'FunctionName', Value: { 'Fn::ImportValue': Match.stringLikeRegexp('Workers') } }],
    });
    assertHasResource(t, 'AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('sends failed, aborted and expired backup and copy jobs to the alarm topic', () => {
    assertHasResource(t, 'AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.backup'],
        'detail-type': ['Backup Job State Change', 'Copy Job State Change'],
        detail: { state: ['FAILED', 'ABORTED', 'EXPIRED'] },
      },
      Targets: [Match.objectLike({ Arn: topicRef() })],
    });
    // EventBridge may publish to the topic (its key already trusts events.amazonaws.com).
    assertHasResource(t, 'AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sns:Publish', Principal: { Service: 'events.amazonaws.com' } }),
        ]),
      }),
    });
  });

  it('notifies, through one composite, every plane alarm that has no action of its own', () => {
    const composite = composites(t).find((c) =>
      String(c.Properties.AlarmDescription).includes('API, workers'),
    );
    const rule = JSON.stringify(composite?.Properties.AlarmRule);
    expect(rule).toMatch(/Workers:ExportsOutputFnGetAttSilent\w*Arn/);
    expect(rule).not.toMatch(/Acted/);
    expect(composite?.Properties.AlarmActions).toEqual([topicRef()]);
  });

  describe('Application Signals SLO (opt-in)', () => {
    it('is off by default', () => {
      expect(ENVIRONMENTS.staging.observability.applicationSignalsSlo).toBe(false);
      assertResourceCount(t, 'AWS::ApplicationSignals::ServiceLevelObjective', 0);
    });

    it('tracks 99.99 % of API requests without 5xx over a rolling 30 days, burn rates over 1 h and 6 h', () => {
      const config = {
        ...ENVIRONMENTS.staging,
        observability: { ...ENVIRONMENTS.staging.observability, applicationSignalsSlo: true },
      };
      const built = buildOperations(config);
      const tpl = template(observabilityOf(built.primary.plane));
      const query = (id: string, metricName: string) => ({
        Id: id,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/ApiGateway',
            MetricName: metricName,
            Dimensions: [{ Name: 'ApiName', Value: 'glaf-staging-api' }],
          },
          Period: 60,
          Stat: 'Sum',
        },
        ReturnData: true,
      });
      assertHasResource(tpl, 'AWS::ApplicationSignals::ServiceLevelObjective', {
        Name: 'glaf-staging-pool-api-availability',
        RequestBasedSli: {
          RequestBasedSliMetric: {
            TotalRequestCountMetric: [query('total', 'Count')],
            MonitoredRequestCountMetric: { BadCountMetric: [query('bad', '5XXError')] },
          },
        },
        Goal: { AttainmentGoal: 99.99, Interval: { RollingInterval: { Duration: 30, DurationUnit: 'DAY' } } },
        BurnRateConfigurations: [{ LookBackWindowMinutes: 60 }, { LookBackWindowMinutes: 360 }],
      });
      const [slo] = Object.values(tpl.findResources('AWS::ApplicationSignals::ServiceLevelObjective'));
      const [discovery] = Object.keys(tpl.findResources('AWS::ApplicationSignals::Discovery'));
      expect(slo?.DependsOn).toEqual([discovery]);
      expect(nagErrors(built.app, [observabilityOf(built.primary.plane)])).toEqual([]);
    });
  });

  it('has one dashboard', () => {
    assertResourceCount(t, 'AWS::CloudWatch::Dashboard', 1);
  });

  it('stands without an API, workers or backups: queue and database alarms only', () => {
    const bare = buildOperations(ENVIRONMENTS.staging, OPERATIONS.slice(2));
    const tpl = template(observabilityOf(bare.primary.plane));
    expect(alarms(tpl).filter((a) => a.Properties.Namespace === 'AWS/ApiGateway')).toEqual([]);
    expect(alarms(tpl).filter((a) => a.Properties.Namespace === 'AWS/Lambda')).toEqual([]);
    expect(composites(tpl)).toHaveLength(2);
    // Without a backup stack in the plane there is no backup job rule either.
    assertResourceCount(tpl, 'AWS::Events::Rule', 0);
  });

  it('is in every stage: primary, secondary and each silo tenant', () => {
    for (const s of [staging.primary, staging.secondary, ...staging.silos]) {
      expect(observabilityOf(s.plane).region).toBe(s.foundation.region);
    }
  });

  it('passes cdk-nag AwsSolutions with zero errors', () => {
    const stacks = [staging.primary, staging.secondary, ...staging.silos].map((s) =>
      observabilityOf(s.plane),
    );
    expect(nagErrors(staging.app, stacks)).toEqual([]);
  });
});
