/**
 * The Fargate worker fleet: an ECS cluster with Container Insights and one service running
 * `agent-factory worker` (arm64), Spot above an on-demand base, in private subnets without a
 * public IP. The container has a read-only root filesystem (only /tmp is writable, a task
 * bind mount), runs as the image's unprivileged user, logs to an encrypted log group, and
 * gets 30 s between SIGTERM and SIGKILL: the worker's drain/release grace (SHUTDOWN_GRACE_MS).
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SHUTDOWN_GRACE_MS } from '../../lib/config/queues.js';
import type { WorkersConfig } from '../../lib/config/workers.js';
import { workerImage } from './worker-image.js';

/** ECS caps stopTimeout at 120 s on Fargate; ours is the worker's own grace. */
export const WORKER_STOP_TIMEOUT = Duration.millis(SHUTDOWN_GRACE_MS);
export const WORKER_CONTAINER = 'worker';

export interface FargateWorkersProps {
  readonly vpc: ec2.IVpc;
  readonly sizing: WorkersConfig['fargate'];
  readonly environment: Readonly<Record<string, string>>;
  readonly logKey: kms.IKey;
  readonly logRetentionDays: number;
  readonly securityGroup: ec2.ISecurityGroup;
}

export class FargateWorkers extends Construct {
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: FargateWorkersProps) {
    super(scope, id);
    const { sizing } = props;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
      enableFargateCapacityProviders: true,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logKey,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: sizing.cpu,
      memoryLimitMiB: sizing.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      volumes: [{ name: 'tmp' }],
    });
    const container = this.taskDefinition.addContainer(WORKER_CONTAINER, {
      image: workerImage(),
      command: ['node', 'bin/agent-factory.js', 'worker', '--concurrency', String(sizing.concurrency)],
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'worker' }),
      readonlyRootFilesystem: true,
      user: 'node',
      stopTimeout: WORKER_STOP_TIMEOUT,
      essential: true,
    });
    // tsx keeps its compile cache in the temp directory; the image declares VOLUME /tmp (mode 1777).
    container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });

    const onDemand = { capacityProvider: 'FARGATE', base: sizing.onDemandBase, weight: 1 };
    const spot = { capacityProvider: 'FARGATE_SPOT', weight: sizing.spotWeight };
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: sizing.minTasks,
      capacityProviderStrategies: sizing.spotWeight > 0 ? [onDemand, spot] : [onDemand],
      // FARGATE_SPOT runs ARM64 tasks from platform 1.4.0 on (ECS CapacityProviderStrategyItem docs).
      // A Spot interruption sends SIGTERM two minutes ahead: the 30 s drain fits inside it.
      platformVersion: ecs.FargatePlatformVersion.VERSION1_4,
      assignPublicIp: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.securityGroup],
      circuitBreaker: { rollback: true },
      // Workers hold no connections to drain behind a load balancer: replace in place.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      enableExecuteCommand: false,
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'Plain environment holds resource names, URLs and sizes only; the worker reads no secret from it',
    });
    const executionRole = this.taskDefinition.obtainExecutionRole();
    Validations.of(executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken has no resource-level permissions; image pulls are scoped to the asset repository',
    });
  }
}
