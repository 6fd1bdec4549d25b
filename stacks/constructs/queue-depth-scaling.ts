/**
 * Step scaling of an ECS service on the backlog of the execution queues (sum of
 * ApproximateNumberOfMessagesVisible over P0..P3, metric math). Fast out: one minute above the
 * threshold adds tasks in big steps, 60 s cooldown. Slow in: fifteen minutes below the lower
 * threshold removes one task, then waits 10 minutes. Two alarms and two policies, because one
 * `scaleOnMetric` shares its cooldown and evaluation periods between both directions.
 */
import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Scale-out steps: messages above the threshold -> tasks added. */
export const SCALE_OUT_STEPS = [
  { overThreshold: 0, add: 2 },
  { overThreshold: 500, add: 5 },
  { overThreshold: 2000, add: 10 },
] as const;
export const SCALE_OUT_COOLDOWN = Duration.seconds(60);
export const SCALE_IN_COOLDOWN = Duration.minutes(10);
/** Minutes the backlog must stay low before a task is removed. */
export const SCALE_IN_MINUTES = 15;

export interface QueueDepthScalingProps {
  readonly service: ecs.FargateService;
  readonly cluster: ecs.ICluster;
  readonly queues: readonly sqs.IQueue[];
  readonly minTasks: number;
  readonly maxTasks: number;
  /** Backlog that triggers a scale-out. */
  readonly scaleOutBacklog: number;
  /** Backlog under which tasks are removed, one at a time. */
  readonly scaleInBacklog: number;
}

export class QueueDepthScaling extends Construct {
  /** Exposed for scheduled actions (non-production night scale-down). */
  readonly target: appscaling.ScalableTarget;
  readonly backlog: cloudwatch.MathExpression;
  readonly scaleOutAlarm: cloudwatch.Alarm;
  readonly scaleInAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: QueueDepthScalingProps) {
    super(scope, id);
    this.target = new appscaling.ScalableTarget(this, 'Target', {
      serviceNamespace: appscaling.ServiceNamespace.ECS,
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: `service/${props.cluster.clusterName}/${props.service.serviceName}`,
      minCapacity: props.minTasks,
      maxCapacity: props.maxTasks,
    });
    const usingMetrics = Object.fromEntries(
      props.queues.map((q, i) => [
        `q${i}`,
        q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      ]),
    );
    this.backlog = new cloudwatch.MathExpression({
      expression: Object.keys(usingMetrics).join(' + '),
      usingMetrics,
      label: 'Visible messages P0..P3',
      period: Duration.minutes(1),
    });

    const out = new appscaling.StepScalingAction(this, 'ScaleOut', {
      scalingTarget: this.target,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: SCALE_OUT_COOLDOWN,
      metricAggregationType: appscaling.MetricAggregationType.MAXIMUM,
    });
    SCALE_OUT_STEPS.forEach((s, i) =>
      out.addAdjustment({
        lowerBound: s.overThreshold,
        upperBound: SCALE_OUT_STEPS[i + 1]?.overThreshold,
        adjustment: s.add,
      }),
    );
    this.scaleOutAlarm = this.backlog.createAlarm(this, 'BacklogHigh', {
      alarmDescription: `Worker backlog >= ${props.scaleOutBacklog}: add Fargate tasks`,
      threshold: props.scaleOutBacklog,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.scaleOutAlarm.addAlarmAction(new actions.ApplicationScalingAction(out));

    const scaleIn = new appscaling.StepScalingAction(this, 'ScaleIn', {
      scalingTarget: this.target,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: SCALE_IN_COOLDOWN,
      metricAggregationType: appscaling.MetricAggregationType.MAXIMUM,
    });
    scaleIn.addAdjustment({ upperBound: 0, adjustment: -1 });
    this.scaleInAlarm = this.backlog.createAlarm(this, 'BacklogLow', {
      alarmDescription: `Worker backlog <= ${props.scaleInBacklog} for ${SCALE_IN_MINUTES} min: remove one task`,
      threshold: props.scaleInBacklog,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: SCALE_IN_MINUTES,
      // SQS stops publishing metrics for a queue idle for hours: no data means empty here.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.scaleInAlarm.addAlarmAction(new actions.ApplicationScalingAction(scaleIn));
  }
}
