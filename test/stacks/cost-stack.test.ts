import { rmSync } from 'node:fs';
import { App, CfnResource, Stack, Stage, TagManager, Tags } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { BILLING_REGION } from '../../lib/config/operations.js';
import { CostStack } from '../../stacks/cost-stack.js';
import { ScaleDownStack } from '../../stacks/scale-down-stack.js';
import {
  assertHasResource,
  assertResourceCount,
  buildEnvironment,
  SILO_TENANTS,
  template,
  withSilos,
} from './helpers.js';
import { buildOperations, nagErrors } from './operations-fixture.js';

const prod = buildOperations(withSilos('prod'));
const dev = buildOperations(withSilos('dev'));
const costOf = (plane: { cost?: CostStack }) => {
  expect(plane.cost).toBeInstanceOf(CostStack);
  return plane.cost!;
};
const scaleDownOf = (plane: { scaleDown?: ScaleDownStack }) => {
  expect(plane.scaleDown).toBeInstanceOf(ScaleDownStack);
  return plane.scaleDown!;
};
const t = template(costOf(prod.primary.plane));
type Resource = { Properties: Record<string, unknown> };

/** A CloudFormation string value as text: `Fn::Join` flattened, references as `import:`/`ref:`/`getatt:`. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(sep);
  }
  if ('Fn::ImportValue' in v) return `import:${text(v['Fn::ImportValue'])}`;
  if ('Ref' in v) return `ref:${String(v.Ref)}`;
  if ('Fn::GetAtt' in v) return `getatt:${(v['Fn::GetAtt'] as string[]).join('.')}`;
  throw new Error(`Unexpected value ${JSON.stringify(value)}`);
}

describe('CostStack', () => {
  it('is one per account, in the billing region: control plane (primary stage) and each silo tenant', () => {
    expect(costOf(prod.primary.plane)).toMatchObject({ region: BILLING_REGION, account: '333333333333' });
    expect(prod.secondary.plane.cost).toBeUndefined();
    prod.silos.forEach((s, i) =>
      expect(costOf(s.plane)).toMatchObject({ region: 'us-east-1', account: SILO_TENANTS[i]!.account }),
    );
  });

  it('budgets the month with actual-cost alerts at 80, 90 and 100 % to the alert topic', () => {
    const topic = Object.keys(t.findResources('AWS::SNS::Topic'));
    expect(topic).toHaveLength(1);
    assertHasResource(t, 'AWS::Budgets::Budget', {
      Budget: {
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: ENVIRONMENTS.prod.cost.monthlyBudgetUsd, Unit: 'USD' },
      },
      NotificationsWithSubscribers: [80, 90, 100].map((threshold) => ({
        Notification: {
          NotificationType: 'ACTUAL',
          ComparisonOperator: 'GREATER_THAN',
          Threshold: threshold,
          ThresholdType: 'PERCENTAGE',
        },
        Subscribers: [{ SubscriptionType: 'SNS', Address: { Ref: topic[0] } }],
      })),
    });
    assertHasResource(template(costOf(prod.silos[0]!.plane)), 'AWS::Budgets::Budget', {
      Budget: Match.objectLike({
        BudgetLimit: { Amount: ENVIRONMENTS.prod.cost.siloMonthlyBudgetUsd, Unit: 'USD' },
      }),
    });
  });

  it('watches AWS services for cost anomalies and sends those over the threshold at once', () => {
    assertHasResource(t, 'AWS::CE::AnomalyMonitor', {
      MonitorType: 'DIMENSIONAL',
      MonitorDimension: 'SERVICE',
    });
    const [subscription] = Object.values(t.findResources('AWS::CE::AnomalySubscription')) as Resource[];
    const [monitorId] = Object.keys(t.findResources('AWS::CE::AnomalyMonitor'));
    const [topicId] = Object.keys(t.findResources('AWS::SNS::Topic'));
    expect(subscription?.Properties).toMatchObject({
      Frequency: 'IMMEDIATE',
      MonitorArnList: [{ 'Fn::GetAtt': [monitorId, 'MonitorArn'] }],
      Subscribers: [{ Type: 'SNS', Address: { Ref: topicId } }],
    });
    expect(JSON.parse(subscription!.Properties.ThresholdExpression as string)).toEqual({
      Dimensions: {
        Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
        MatchOptions: ['GREATER_THAN_OR_EQUAL'],
        Values: [String(ENVIRONMENTS.prod.cost.anomalyThresholdUsd)],
      },
    });
  });

  it('lets only Budgets and Cost Anomaly Detection of this account publish, encrypted and over TLS', () => {
    const publishers = ['budgets.amazonaws.com', 'costalerts.amazonaws.com'];
    assertHasResource(t, 'AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: publishers },
            Condition: { StringEquals: { 'aws:SourceAccount': '333333333333' } },
          }),
        ]),
      }),
    });
    assertHasResource(t, 'AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    assertHasResource(t, 'AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: publishers },
            Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
            Condition: { StringEquals: { 'aws:SourceAccount': '333333333333' } },
          }),
        ]),
      }),
    });
    assertHasResource(t, 'AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: ENVIRONMENTS.prod.cost.alertEmails[0],
    });
  });

  it('passes cdk-nag AwsSolutions with zero errors', () => {
    const stacks = [prod.primary, ...prod.silos, dev.primary].map((s) => costOf(s.plane));
    const scaleDown = [dev.primary, dev.secondary, ...dev.silos].map((s) => scaleDownOf(s.plane));
    expect(nagErrors(prod.app, stacks.slice(0, 1 + prod.silos.length))).toEqual([]);
    expect(nagErrors(dev.app, [stacks.at(-1)!, ...scaleDown])).toEqual([]);
  });
});

describe('ScaleDownStack (non-production nights and weekends)', () => {
  const st = template(scaleDownOf(dev.primary.plane));
  const schedules = Object.values(st.findResources('AWS::Scheduler::Schedule')) as Resource[];
  const target = (s: Resource) => s.Properties.Target as { Arn: unknown; Input: unknown };
  const input = (s: Resource) => JSON.parse(text(target(s).Input)) as Record<string, unknown>;
  const byArn = (arn: string) => schedules.filter((s) => text(target(s).Arn) === arn);

  it('exists only where configured: every dev stage, no prod stage', () => {
    for (const s of [dev.primary, dev.secondary, ...dev.silos]) {
      expect(scaleDownOf(s.plane).region).toBe(s.foundation.region);
    }
    for (const s of [prod.primary, prod.secondary, ...prod.silos]) expect(s.plane.scaleDown).toBeUndefined();
  });

  it('caps Aurora at the night range at 20:00 and restores the day range at 07:00, weekdays, Dublin time', () => {
    const aurora = byArn('arn:ref:AWS::Partition:scheduler:::aws-sdk:rds:modifyDBCluster');
    expect(aurora).toHaveLength(2);
    const byTime: Record<string, Record<string, unknown>> = Object.fromEntries(
      aurora.map((s) => [String(s.Properties.ScheduleExpression), input(s)]),
    );
    expect(Object.keys(byTime).sort()).toEqual(['cron(0 20 ? * MON-FRI *)', 'cron(0 7 ? * MON-FRI *)']);
    for (const s of aurora) expect(s.Properties.ScheduleExpressionTimezone).toBe('Europe/Dublin');
    expect(byTime['cron(0 20 ? * MON-FRI *)']).toMatchObject({
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 1 },
      ApplyImmediately: true,
    });
    expect(byTime['cron(0 7 ? * MON-FRI *)']).toMatchObject({
      ServerlessV2ScalingConfiguration: {
        MinCapacity: ENVIRONMENTS.dev.aurora.minCapacity,
        MaxCapacity: ENVIRONMENTS.dev.aurora.maxCapacity,
      },
    });
    expect(byTime['cron(0 20 ? * MON-FRI *)']!.DBClusterIdentifier).toMatch(
      /^import:Dev-eu-west-1-Data:ExportsOutputRefAuroraCluster/,
    );
  });

  it("targets the secondary region's Global Database member there", () => {
    const secondary = template(scaleDownOf(dev.secondary.plane));
    const text = JSON.stringify(secondary.findResources('AWS::Scheduler::Schedule'));
    expect(text).toContain('modifyDBCluster');
    expect(text).toMatch(/Dev-eu-central-1-Data:ExportsOutputRefAuroraCluster/);
  });

  it('sets a fixed-count Fargate service to 0 at night and back to its deployed count', () => {
    const ecs = byArn('arn:ref:AWS::Partition:scheduler:::aws-sdk:ecs:updateService');
    expect(ecs).toHaveLength(2);
    const counts = ecs.map((s) => [s.Properties.ScheduleExpression, input(s).DesiredCount]);
    expect(counts.sort()).toEqual([
      ['cron(0 20 ? * MON-FRI *)', 0],
      ['cron(0 7 ? * MON-FRI *)', 2],
    ]);
  });

  it('schedules the autoscaled service through its scaling target (min = max = 0 at night)', () => {
    const workers = template(dev.primary.plane.workers as never);
    assertHasResource(workers, 'AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: 10,
      ScheduledActions: [
        {
          ScheduledActionName: Match.stringLikeRegexp('NightScaleDown'),
          Schedule: 'cron(0 20 ? * MON-FRI *)',
          Timezone: 'Europe/Dublin',
          ScalableTargetAction: { MinCapacity: 0, MaxCapacity: 0 },
        },
        {
          ScheduledActionName: Match.stringLikeRegexp('MorningRestore'),
          Schedule: 'cron(0 7 ? * MON-FRI *)',
          Timezone: 'Europe/Dublin',
          ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 10 },
        },
      ],
    });
  });

  it('runs as a role that may only modify that cluster and update that service', () => {
    assertResourceCount(st, 'AWS::IAM::Role', 1);
    assertHasResource(st, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ],
      }),
    });
    const statements = Object.values(st.findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Action: string; Resource: unknown }[] } } })
          .Properties.PolicyDocument.Statement,
    );
    expect(statements.map((s) => s.Action).sort()).toEqual(['ecs:UpdateService', 'rds:ModifyDBCluster']);
    for (const s of statements) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
  });
});

describe('cost allocation tags', () => {
  type Expected = Record<'team' | 'environment' | 'tenant', string>;

  /** Taggable resources of the stacks (synthesized: the tag aspects have run) missing an expected tag. */
  function untaggedIn(stacks: readonly Stack[], expected: Expected): { checked: number; missing: string[] } {
    let checked = 0;
    const missing: string[] = [];
    for (const stack of stacks) {
      for (const c of stack.node.findAll()) {
        if (!(c instanceof CfnResource)) continue;
        const manager = TagManager.isTaggable(c)
          ? c.tags
          : TagManager.isTaggableV2(c)
            ? c.cdkTagManager
            : undefined;
        if (!manager) continue;
        checked++;
        const values = manager.tagValues();
        const wrong = Object.entries(expected).filter(([k, v]) => values[k] !== v);
        if (wrong.length > 0)
          missing.push(`${c.node.path} (${c.cfnResourceType}): ${wrong.map(([k]) => k).join(', ')}`);
      }
    }
    return { checked, missing };
  }

  /** Every stack of every stage of the app, each with its stage's expected tags. */
  function untagged(built: ReturnType<typeof buildEnvironment>): { checked: number; missing: string[] } {
    built.app.synth();
    const results = built.app.node.children
      .filter((c): c is Stage => c instanceof Stage)
      .map((stage) => {
        const silo = built.config.siloTenants.find((x) =>
          stage.node.id.endsWith(`-Tenant-${x.tenantId.slice(0, 8)}`),
        );
        const stacks = stage.node.children.filter((c): c is Stack => c instanceof Stack);
        return untaggedIn(stacks, {
          team: 'gl-agent-factory',
          environment: built.config.name,
          tenant: silo?.tenantId ?? 'pool',
        });
      });
    return {
      checked: results.reduce((n, r) => n + r.checked, 0),
      missing: results.flatMap((r) => r.missing),
    };
  }

  // Built while collecting (no test timeout); the walk synthesizes the whole app, slow on a busy machine.
  const apps = {
    dev: buildEnvironment('dev', withSilos('dev')),
    prod: buildEnvironment('prod', withSilos('prod')),
  };
  afterAll(() => {
    for (const built of Object.values(apps)) rmSync(built.app.outdir, { recursive: true, force: true });
  });

  it.each(['dev', 'prod'] as const)(
    'are on every taggable resource of the %s app (3 silo tenants, every application-plane stack)',
    (name) => {
      const { checked, missing } = untagged(apps[name]);
      expect(missing).toEqual([]);
      // The walk saw the platform's resources (hundreds), not an empty tree.
      expect(checked).toBeGreaterThan(100);
    },
    120_000,
  );

  it('the walk reports a taggable resource that lost a tag', () => {
    // Prepare
    const app = new App();
    const stack = new Stack(app, 'Probe');
    new sns.Topic(stack, 'Tagged');
    const lost = new sns.Topic(stack, 'Lost');
    for (const [k, v] of Object.entries({ team: 'gl-agent-factory', environment: 'dev', tenant: 'pool' }))
      Tags.of(stack).add(k, v);
    Tags.of(lost).remove('tenant');

    // Act
    app.synth();
    const result = untaggedIn([stack], { team: 'gl-agent-factory', environment: 'dev', tenant: 'pool' });

    // Assess
    expect(result).toEqual({ checked: 2, missing: ['Probe/Lost/Resource (AWS::SNS::Topic): tenant'] });
  });
});
