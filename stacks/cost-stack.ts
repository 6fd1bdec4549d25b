/**
 * Account-level cost controls, deployed to the billing region (us-east-1: AWS Budgets and
 * Cost Anomaly Detection are global services there, and CloudFormation has the `AWS::CE::*`
 * types there only). One per account: the primary stage of the control plane (the secondary
 * region shares its account) and each silo tenant (its own account and budget).
 * - a monthly cost budget with actual-cost notifications at 80/90/100 % (configuration);
 * - a Cost Anomaly Detection monitor over AWS services with an immediate subscription for
 *   anomalies whose total impact reaches the configured amount;
 * - both notify an SNS topic (own CMK whose policy lets Budgets and Cost Anomaly Detection
 *   encrypt, TLS only) with the FinOps emails subscribed.
 * Cost allocation: every resource of the app carries the `team`, `environment` and `tenant`
 * tags (stack defaults); activate them as cost allocation tags in the payer account.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as ce from 'aws-cdk-lib/aws-ce';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { BILLING_REGION } from '../lib/config/operations.js';
import type { StageExtension } from './app-stage.js';
import { AlertTopic } from './constructs/alert-topic.js';
import { constructsOf } from './constructs/plane-lookup.js';
import { applyStackDefaults } from './constructs/stack-defaults.js';
import type { PlatformStackProps } from './constructs/stack-defaults.js';
import { ScaleDownStack } from './scale-down-stack.js';

/** Service principals that publish cost alerts. */
export const COST_ALERT_PUBLISHERS = ['budgets.amazonaws.com', 'costalerts.amazonaws.com'] as const;

export class CostStack extends Stack {
  readonly alerts: AlertTopic;
  readonly budget: budgets.CfnBudget;
  readonly anomalyMonitor: ce.CfnAnomalyMonitor;
  readonly anomalySubscription: ce.CfnAnomalySubscription;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    applyStackDefaults(this, props);
    const { config, tenantId } = props;
    const cost = config.cost;
    const label = tenantId ? `${config.name} tenant ${tenantId}` : config.name;

    const key = new kms.Key(this, 'AlertKey', {
      description: `GL Agent Factory ${label} cost alerts`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      // Alerts are transient notifications: nothing stays encrypted under this key.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CostAlertPublishers',
        principals: COST_ALERT_PUBLISHERS.map((p) => new iam.ServicePrincipal(p)),
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.alerts = new AlertTopic(this, 'Alerts', {
      displayName: `GL Agent Factory ${label} cost alerts`,
      key,
      emails: cost.alertEmails,
      servicePublishers: COST_ALERT_PUBLISHERS,
    });
    const topicArn = this.alerts.topic.topicArn;

    this.budget = new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: tenantId ? cost.siloMonthlyBudgetUsd : cost.monthlyBudgetUsd, unit: 'USD' },
      },
      notificationsWithSubscribers: cost.budgetAlertPercents.map((threshold) => ({
        notification: {
          notificationType: 'ACTUAL',
          comparisonOperator: 'GREATER_THAN',
          threshold,
          thresholdType: 'PERCENTAGE',
        },
        subscribers: [{ subscriptionType: 'SNS', address: topicArn }],
      })),
    });
    // Budgets checks that it may publish when the notification is created.
    this.budget.node.addDependency(this.alerts.topic);

    const name = tenantId ? `glaf-${config.name}-${tenantId.slice(0, 8)}` : `glaf-${config.name}`;
    this.anomalyMonitor = new ce.CfnAnomalyMonitor(this, 'AnomalyMonitor', {
      monitorName: `${name}-services`,
      monitorType: 'DIMENSIONAL',
      monitorDimension: 'SERVICE',
    });
    this.anomalySubscription = new ce.CfnAnomalySubscription(this, 'AnomalySubscription', {
      subscriptionName: `${name}-anomalies`,
      monitorArnList: [this.anomalyMonitor.attrMonitorArn],
      // IMMEDIATE delivery goes to SNS only (email subscribers get DAILY/WEEKLY digests).
      frequency: 'IMMEDIATE',
      subscribers: [{ type: 'SNS', address: topicArn }],
      thresholdExpression: JSON.stringify({
        Dimensions: {
          Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
          MatchOptions: ['GREATER_THAN_OR_EQUAL'],
          Values: [String(cost.anomalyThresholdUsd)],
        },
      }),
    });
    this.anomalySubscription.node.addDependency(this.alerts.topic);
  }
}

/**
 * Cost stack (billing region) for each account: primary and silo stages. Scale-down stack
 * for every stage of an environment that configures it (its resources' own region).
 */
export const addCost: StageExtension = (stage, foundation, plane) => {
  const { config } = foundation;
  const common = { config, tenantId: foundation.tenant?.tenantId };
  if (foundation.role !== 'secondary') {
    plane.cost = new CostStack(stage, 'Cost', {
      ...common,
      env: { account: foundation.data.account, region: BILLING_REGION },
    });
  }
  if (config.cost.scaleDown) {
    plane.scaleDown = new ScaleDownStack(stage, 'ScaleDown', {
      ...common,
      env: { account: foundation.data.account, region: foundation.region },
      foundation,
      scaleDown: config.cost.scaleDown,
      services: constructsOf(plane.workers, ecs.CfnService),
      scalableTargets: constructsOf(plane.workers, appscaling.ScalableTarget),
    });
  }
};
