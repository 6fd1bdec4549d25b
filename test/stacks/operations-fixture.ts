/**
 * The operations stacks (backup, observability, cost) over a stage whose plane has a small
 * API (a REST API with one route) and workers (a worker function and a Fargate service),
 * so their alarms and schedules can be asserted whatever state the real API and workers
 * stacks are in. The full app (every real extension) is covered by app.test.ts.
 */
import { App, Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { EnvironmentConfig } from '../../lib/config/app-config.js';
import { addEnvironment, RegionStage, SiloTenantStage } from '../../stacks/app-stage.js';
import type { ApplicationPlane, Foundation, StageExtension } from '../../stacks/app-stage.js';
import { addBackup } from '../../stacks/backup-stack.js';
import { PlatformFunction } from '../../stacks/constructs/platform-function.js';
import { addCost } from '../../stacks/cost-stack.js';
import { addObservability } from '../../stacks/observability-stack.js';

/** Stand-ins for the API and workers stacks: the constructs the operations stacks look for. */
export const standIns: StageExtension = (stage, foundation, plane) => {
  const env = { account: foundation.data.account, region: foundation.region };
  const api = new Stack(stage, 'Api', { env });
  const rest = new apigateway.RestApi(api, 'Rest', { restApiName: `glaf-${foundation.config.name}-api` });
  rest.root.addMethod('GET', new apigateway.MockIntegration());
  plane.api = api as never;
  const workers = new Stack(stage, 'Workers', { env });
  new PlatformFunction(workers, 'P0', { entry: 'lambdas/migrate/handler.ts', serviceName: 'worker-p0' });
  const cluster = new ecs.Cluster(workers, 'Cluster', { vpc: foundation.network.vpc });
  const task = new ecs.FargateTaskDefinition(workers, 'Task');
  task.addContainer('Worker', { image: ecs.ContainerImage.fromRegistry('worker') });
  // One service with a fixed count and one under Application Auto Scaling (as the workers stack has).
  new ecs.FargateService(workers, 'Long', { cluster, taskDefinition: task, desiredCount: 2 });
  new ecs.FargateService(workers, 'Scaled', { cluster, taskDefinition: task, desiredCount: 1 })
    .autoScaleTaskCount({ minCapacity: 1, maxCapacity: 10 })
    .scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 70 });
  // One alarm nobody acts on (the observability stack must pick it up) and one with an action.
  const fn = workers.node.findChild('P0') as PlatformFunction;
  fn.function.metricDuration().createAlarm(workers, 'Silent', { threshold: 1000, evaluationPeriods: 1 });
  fn.function
    .metricErrors()
    .createAlarm(workers, 'Acted', { threshold: 1, evaluationPeriods: 1 })
    .addAlarmAction({ bind: () => ({ alarmActionArn: 'arn:aws:sns:eu-west-1:111111111111:elsewhere' }) });
  plane.workers = workers as never;
};

export const OPERATIONS: readonly StageExtension[] = [standIns, addBackup, addObservability, addCost];

export interface OperationsStage {
  readonly stage: Stage;
  readonly foundation: Foundation;
  readonly plane: ApplicationPlane;
}

export interface OperationsApp {
  readonly app: App;
  readonly primary: OperationsStage;
  readonly secondary: OperationsStage;
  readonly silos: OperationsStage[];
}

const cache = new Map<string, OperationsApp>();

export function buildOperations(config: EnvironmentConfig, extensions = OPERATIONS): OperationsApp {
  const key = `${config.name}:${config.siloTenants.length}:${extensions.length}:${JSON.stringify(config.observability)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const app = new App();
  const stages = addEnvironment(app, config, extensions);
  const of = (s: RegionStage | SiloTenantStage): OperationsStage => ({
    stage: s,
    foundation: s.foundation,
    plane: s.plane,
  });
  const regions = stages.filter((s): s is RegionStage => s instanceof RegionStage);
  const built: OperationsApp = {
    app,
    primary: of(regions.find((s) => s.foundation.role === 'primary')!),
    secondary: of(regions.find((s) => s.foundation.role === 'secondary')!),
    silos: stages.filter((s): s is SiloTenantStage => s instanceof SiloTenantStage).map(of),
  };
  cache.set(key, built);
  return built;
}

/** cdk-nag AwsSolutions errors (unacknowledged) in the given stacks. */
export function nagErrors(app: App, stacks: readonly Stack[]): string[] {
  const checks = new AwsSolutionsChecks(app);
  return stacks.flatMap((stack) =>
    checks
      .validateScope(stack)
      .violations.filter((v) => v.severity === 'error')
      .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
  );
}
