/**
 * Night and weekend scale-down of a non-production region (only when `cost.scaleDown` is
 * configured; the configuration refuses it where data is protected, i.e. production).
 * EventBridge Scheduler calls the AWS APIs directly (universal targets, no function):
 * - Aurora Serverless v2: the capacity range drops to the night range at `downAt` and goes
 *   back to the day range (`aurora` config) at `upAt`. The night minimum stays >= 0.5 ACU
 *   because auto-pause (0 ACU) is not available to Global Database members;
 * - Fargate worker services with an autoscaling target: scheduled actions on that target
 *   (min = max = 0 at night, the deployed min/max in the morning), so queue-depth scaling
 *   cannot undo the scale-down. These actions live on the target, in the workers stack;
 * - Fargate services without one: `UpdateService` to desired count 0, back to the deployed count.
 * Weekdays only: Friday's scale-down holds until Monday morning. Times are in the
 * configured IANA zone, so daylight-saving changes need no edits. A deploy during the night
 * restores the day settings (CloudFormation owns them); the next `downAt` lowers them again.
 */
import { Stack, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import type { ScaleDownConfig } from '../lib/config/operations.js';
import type { Foundation } from './app-stage.js';
import { applyStackDefaults } from './constructs/stack-defaults.js';
import type { PlatformStackProps } from './constructs/stack-defaults.js';

export interface ScaleDownStackProps extends PlatformStackProps {
  readonly foundation: Foundation;
  readonly scaleDown: ScaleDownConfig;
  /** Fargate services of the stage's workers. @default none */
  readonly services?: readonly ecs.CfnService[];
  /** Autoscaling targets of those services (their scaling bounds take the schedule). @default none */
  readonly scalableTargets?: readonly appscaling.ScalableTarget[];
}

export class ScaleDownStack extends Stack {
  readonly schedules: scheduler.Schedule[] = [];
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ScaleDownStackProps) {
    super(scope, id, props);
    applyStackDefaults(this, props);
    const { foundation, scaleDown } = props;
    this.role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'EventBridge Scheduler: night scale-down of non-production capacity',
    });
    const at = (time: string) => {
      const [hour, minute] = time.split(':');
      return scheduler.ScheduleExpression.cron({
        minute: String(Number(minute)),
        hour: String(Number(hour)),
        weekDay: 'MON-FRI',
        timeZone: TimeZone.of(scaleDown.timeZone),
      });
    };
    const pair = (name: string, target: (night: boolean) => targets.Universal) => {
      for (const night of [true, false]) {
        this.schedules.push(
          new scheduler.Schedule(this, `${name}${night ? 'Down' : 'Up'}`, {
            description: `${night ? 'Night scale-down' : 'Morning restore'}: ${name}`,
            schedule: at(night ? scaleDown.downAt : scaleDown.upAt),
            target: target(night),
          }),
        );
      }
    };

    const cluster =
      foundation.data.aurora?.cluster.clusterIdentifier ?? foundation.data.auroraSecondary?.cluster.ref;
    if (cluster) {
      const day = foundation.config.aurora;
      const clusterArn = `arn:${this.partition}:rds:${this.region}:${this.account}:cluster:${cluster}`;
      pair('Aurora', (night) => {
        const range = night ? scaleDown.auroraNight : day;
        return new targets.Universal({
          service: 'rds',
          action: 'modifyDBCluster',
          role: this.role,
          policyStatements: [
            new iam.PolicyStatement({ actions: ['rds:ModifyDBCluster'], resources: [clusterArn] }),
          ],
          input: scheduler.ScheduleTargetInput.fromObject({
            DBClusterIdentifier: cluster,
            ServerlessV2ScalingConfiguration: {
              MinCapacity: range.minCapacity,
              MaxCapacity: range.maxCapacity,
            },
            ApplyImmediately: true,
          }),
          retryAttempts: 3,
        });
      });
    }

    const targetsOf = (props.scalableTargets ?? []).filter(
      (t) => (t.node.defaultChild as appscaling.CfnScalableTarget).serviceNamespace === 'ecs',
    );
    targetsOf.forEach((target) => this.scheduleTarget(target, scaleDown));
    // A service whose autoscaling target is scheduled needs no UpdateService of its own.
    const scaled = (service: ecs.CfnService) =>
      targetsOf.some((t) => {
        const resourceId: unknown = Stack.of(t).resolve(
          (t.node.defaultChild as appscaling.CfnScalableTarget).resourceId,
        );
        return JSON.stringify(resourceId).includes(`"${Stack.of(service).getLogicalId(service)}"`);
      });
    (props.services ?? [])
      .filter((s) => !scaled(s))
      .forEach((service, i) => {
        pair(`Service${i}`, (night) => {
          return new targets.Universal({
            service: 'ecs',
            action: 'updateService',
            role: this.role,
            policyStatements: [
              new iam.PolicyStatement({
                actions: ['ecs:UpdateService'],
                resources: [service.attrServiceArn],
              }),
            ],
            input: scheduler.ScheduleTargetInput.fromObject({
              Cluster: service.cluster,
              Service: service.attrName,
              DesiredCount: night ? 0 : (service.desiredCount ?? 1),
            }),
            retryAttempts: 3,
          });
        });
      });
  }

  /** Scheduled actions on the target itself (they render in the target's stack). */
  private scheduleTarget(target: appscaling.ScalableTarget, scaleDown: ScaleDownConfig): void {
    const cfn = target.node.defaultChild as appscaling.CfnScalableTarget;
    const cron = (time: string) => {
      const [hour, minute] = time.split(':');
      return appscaling.Schedule.cron({
        minute: String(Number(minute)),
        hour: String(Number(hour)),
        weekDay: 'MON-FRI',
      });
    };
    const timeZone = TimeZone.of(scaleDown.timeZone);
    target.scaleOnSchedule('NightScaleDown', {
      schedule: cron(scaleDown.downAt),
      timeZone,
      minCapacity: 0,
      maxCapacity: 0,
    });
    target.scaleOnSchedule('MorningRestore', {
      schedule: cron(scaleDown.upAt),
      timeZone,
      minCapacity: cfn.minCapacity,
      maxCapacity: cfn.maxCapacity,
    });
  }
}
