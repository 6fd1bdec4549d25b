import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App, FileSystem, IgnoreMode } from 'aws-cdk-lib';
import type { CfnResource } from 'aws-cdk-lib';
import type { Stack, Stage } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { allAgents } from '../../lib/agents/index.js';
import { EnvironmentConfigSchema } from '../../lib/config/app-config.js';
import type { EnvironmentConfig } from '../../lib/config/app-config.js';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { BATCH_QUEUE, PRIORITIES, SHUTDOWN_GRACE_MS } from '../../lib/config/queues.js';
import { LAMBDA_AGENT_BUDGET_MS, LAMBDA_EVENT_SOURCES, workerFleetFor } from '../../lib/config/workers.js';
import { addEnvironment, RegionStage, SiloTenantStage } from '../../stacks/app-stage.js';
import type { ApplicationPlane } from '../../stacks/app-stage.js';
import { WORKER_IMAGE_EXCLUDE } from '../../stacks/constructs/worker-image.js';
import { addWorkers } from '../../stacks/workers-stack.js';
import type { WorkersStack } from '../../stacks/workers-stack.js';
import { assertHasResource, SILO_TENANTS, template, withSilos } from './helpers.js';

/** The foundation plus the workers only: other application-plane stacks are not under test here. */
function build(config: EnvironmentConfig) {
  const app = new App();
  const stages = addEnvironment(app, config, [addWorkers]);
  const workersOf = (s: Stage) => (s as RegionStage | SiloTenantStage).plane.workers as WorkersStack;
  const regions = stages.filter((s): s is RegionStage => s instanceof RegionStage);
  return {
    app,
    primary: workersOf(regions.find((s) => s.foundation.role === 'primary')!),
    secondary: workersOf(regions.find((s) => s.foundation.role === 'secondary')!),
    silos: stages.filter((s) => s instanceof SiloTenantStage).map(workersOf),
    planes: stages.map((s) => (s as RegionStage).plane),
  };
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
function statementsOf(stack: Stack, roleLogicalIdPrefix: string): Statement[] {
  const policies = template(stack).findResources('AWS::IAM::Policy');
  return Object.entries(policies)
    .filter(([id]) => id.startsWith(roleLogicalIdPrefix))
    .flatMap(
      ([, p]) => (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
    );
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

const prod = ENVIRONMENTS.prod;
const built = build(withSilos('prod'));
afterAll(() => rmSync(built.app.outdir, { recursive: true, force: true }));
const t = template(built.primary);

describe('WorkersStack', () => {
  it('is on the plane of every stage: primary, secondary and each silo tenant', () => {
    expect(built.planes.every((p: ApplicationPlane) => p.workers !== undefined)).toBe(true);
    expect(built.silos).toHaveLength(SILO_TENANTS.length);
    expect(built.secondary.region).toBe('eu-central-1');
  });

  describe('Fargate fleet', () => {
    it('runs in a cluster with Container Insights', () => {
      assertHasResource(t, 'AWS::ECS::Cluster', {
        ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
      });
    });

    it('mixes FARGATE_SPOT over an on-demand FARGATE base, from config', () => {
      const { onDemandBase, spotWeight, minTasks } = prod.workers.fargate;
      assertHasResource(t, 'AWS::ECS::Service', {
        CapacityProviderStrategy: [
          { CapacityProvider: 'FARGATE', Base: onDemandBase, Weight: 1 },
          { CapacityProvider: 'FARGATE_SPOT', Weight: spotWeight },
        ],
        DesiredCount: minTasks,
        LaunchType: Match.absent(),
        // Spot for ARM64 tasks needs platform 1.4.0 or later.
        PlatformVersion: '1.4.0',
      });
      expect(onDemandBase).toBeGreaterThan(0);
      expect(spotWeight).toBeGreaterThan(1);
    });

    it('has no public IP and runs in the private (App) subnets', () => {
      const services = Object.values(t.findResources('AWS::ECS::Service'));
      expect(services).toHaveLength(1);
      const net = (
        services[0]!.Properties as {
          NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: string; Subnets: unknown[] } };
        }
      ).NetworkConfiguration.AwsvpcConfiguration;
      expect(net.AssignPublicIp).toBe('DISABLED');
      expect(net.Subnets).toHaveLength(3);
      for (const s of net.Subnets) {
        expect(JSON.stringify(s)).toMatch(/AppSubnet/);
        expect(JSON.stringify(s)).not.toMatch(/PublicSubnet/);
      }
    });

    it('runs arm64 with a 30 s stop timeout, read-only root, unprivileged user, encrypted logs', () => {
      expect(SHUTDOWN_GRACE_MS).toBe(30_000);
      assertHasResource(t, 'AWS::ECS::TaskDefinition', {
        RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
        Cpu: String(prod.workers.fargate.cpu),
        Memory: String(prod.workers.fargate.memoryMiB),
        Volumes: [{ Name: 'tmp' }],
        ContainerDefinitions: [
          Match.objectLike({
            StopTimeout: 30,
            ReadonlyRootFilesystem: true,
            User: 'node',
            MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }],
            Command: [
              'node',
              'bin/agent-factory.js',
              'worker',
              '--concurrency',
              String(prod.workers.fargate.concurrency),
            ],
            LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
          }),
        ],
      });
      assertHasResource(t, 'AWS::Logs::LogGroup', {
        KmsKeyId: Match.anyValue(),
        RetentionInDays: prod.logRetentionDays,
      });
    });
  });

  describe('queue-depth scaling', () => {
    const { minTasks, maxTasks, scaleOutBacklog, scaleInBacklog } = prod.workers.fargate;

    it('targets the service with the configured min and max', () => {
      assertHasResource(t, 'AWS::ApplicationAutoScaling::ScalableTarget', {
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: minTasks,
        MaxCapacity: maxTasks,
      });
    });

    it('scales out fast: 60 s cooldown, +2/+5/+10 steps after one minute above the threshold', () => {
      assertHasResource(t, 'AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'StepScaling',
        StepScalingPolicyConfiguration: {
          AdjustmentType: 'ChangeInCapacity',
          Cooldown: 60,
          MetricAggregationType: 'Maximum',
          StepAdjustments: [
            { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 500, ScalingAdjustment: 2 },
            { MetricIntervalLowerBound: 500, MetricIntervalUpperBound: 2000, ScalingAdjustment: 5 },
            { MetricIntervalLowerBound: 2000, ScalingAdjustment: 10 },
          ],
        },
      });
      assertHasResource(t, 'AWS::CloudWatch::Alarm', {
        Threshold: scaleOutBacklog,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
      });
    });

    it('scales in slowly: one task at a time, 10 min cooldown, after 15 low minutes', () => {
      assertHasResource(t, 'AWS::ApplicationAutoScaling::ScalingPolicy', {
        StepScalingPolicyConfiguration: Match.objectLike({
          Cooldown: 600,
          StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }],
        }),
      });
      assertHasResource(t, 'AWS::CloudWatch::Alarm', {
        Threshold: scaleInBacklog,
        ComparisonOperator: 'LessThanOrEqualToThreshold',
        EvaluationPeriods: 15,
        TreatMissingData: 'breaching',
      });
    });

    it('measures the backlog as the sum of visible messages over P0..P3', () => {
      // The scaling alarms (metric math); the webhook queue's own alarms are single metrics.
      const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).filter(
        (a) => (a.Properties as { Metrics?: unknown }).Metrics,
      );
      expect(alarms).toHaveLength(2);
      for (const a of alarms) {
        const metrics = (
          a.Properties as {
            Metrics: { Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
          }
        ).Metrics;
        expect(metrics.find((m) => m.Expression)?.Expression).toBe('q0 + q1 + q2 + q3');
        const names = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric.MetricName);
        expect(names).toEqual(Array(4).fill('ApproximateNumberOfMessagesVisible'));
      }
    });
  });

  describe('Lambda fleet', () => {
    it('is arm64 Node 22 with the 60 s worker timeout, in the VPC', () => {
      assertHasResource(t, 'AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Timeout: 60,
        MemorySize: prod.workers.lambda.memoryMiB,
        VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: 'glaf-worker',
            EXECUTION_TABLE_NAME: Match.anyValue(),
            QUEUE_URLS: Match.anyValue(),
            VISIBILITY_TIMEOUT_SECONDS: '360',
          }),
        },
      });
    });

    it('has one event source per priority with partial batch responses and its own max concurrency', () => {
      const worker = built.primary.lambda.handler.function.node.defaultChild as CfnResource;
      const mappings = Object.values(t.findResources('AWS::Lambda::EventSourceMapping')).filter((m) =>
        JSON.stringify(m).includes(built.primary.getLogicalId(worker)),
      );
      expect(mappings).toHaveLength(PRIORITIES.length + 1); // P0..P3 and the batch queue
      for (const p of PRIORITIES) {
        const s = LAMBDA_EVENT_SOURCES[p];
        assertHasResource(t, 'AWS::Lambda::EventSourceMapping', {
          EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp(`Queues${p}`) },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: prod.workers.lambda.maxConcurrency[p] },
          BatchSize: s.batchSize,
          MaximumBatchingWindowInSeconds:
            s.maxBatchingWindowSeconds > 0 ? s.maxBatchingWindowSeconds : Match.absent(),
        });
      }
      const caps = PRIORITIES.map((p) => prod.workers.lambda.maxConcurrency[p]);
      expect(caps[0]).toBe(Math.max(...caps));
      expect([...caps].sort((a, b) => b - a)).toEqual(caps);
    });

    it('aggregates the batch queue: up to 100 records or 60 s per invocation, partial batch responses, capped like P3', () => {
      assertHasResource(t, 'AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('Queuesbatch') },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: BATCH_QUEUE.batchSize,
        MaximumBatchingWindowInSeconds: BATCH_QUEUE.maxBatchingWindowSeconds,
        ScalingConfig: { MaximumConcurrency: prod.workers.lambda.maxConcurrency.P3 },
      });
      expect(BATCH_QUEUE).toEqual({ batchSize: 100, maxBatchingWindowSeconds: 60 });
    });

    it('the Lambda fleet consumes the batch queue, the Fargate fleet does not', () => {
      const consumes = (prefix: string) =>
        statementsOf(built.primary, prefix)
          .filter((s) => actionsOf(s).includes('sqs:ReceiveMessage'))
          .flatMap((s) => JSON.stringify(s.Resource).match(/Queues(P[0-3]|batch)/g) ?? []);
      expect(new Set(consumes('LambdaWorkerRoleDefaultPolicy'))).toEqual(
        new Set(['QueuesP0', 'QueuesP1', 'QueuesP2', 'QueuesP3', 'Queuesbatch']),
      );
      expect(new Set(consumes('FargateTaskTaskRoleDefaultPolicy'))).toEqual(
        new Set(['QueuesP0', 'QueuesP1', 'QueuesP2', 'QueuesP3']),
      );
    });

    it('reads queues whose visibility is at least 6 x its timeout', () => {
      const events = template(built.primary.node.scope!.node.findChild('Events') as Stack);
      const consumed = Object.values(events.findResources('AWS::SQS::Queue'))
        .map((q) => q.Properties as { VisibilityTimeout?: number; RedrivePolicy?: unknown })
        .filter((p) => p.RedrivePolicy);
      expect(consumed.length).toBeGreaterThanOrEqual(PRIORITIES.length);
      for (const p of consumed) expect(p.VisibilityTimeout).toBeGreaterThanOrEqual(6 * 60);
    });
  });

  describe('least privilege', () => {
    const roles = { lambda: 'LambdaWorkerRoleDefaultPolicy', task: 'FargateTaskTaskRoleDefaultPolicy' };

    it.each(Object.entries(roles))('%s role: only the worker actions, no wildcards on data', (_, prefix) => {
      const statements = statementsOf(built.primary, prefix);
      const actions = statements.flatMap(actionsOf);
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      expect(new Set(actions.filter((a) => a.startsWith('dynamodb:')))).toEqual(
        new Set(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
      );
      expect(new Set(actions.filter((a) => a.startsWith('sqs:')))).toEqual(
        new Set([
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueUrl',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ]),
      );
      expect(actions).toContain('events:PutEvents');
      // Data actions apply to the table itself, never to `*` or its indexes.
      for (const s of statements.filter((x) => actionsOf(x).some((a) => a.startsWith('dynamodb:')))) {
        expect(JSON.stringify(s.Resource)).toMatch(/ExecutionsTable/);
        expect(JSON.stringify(s.Resource)).not.toMatch(/index/);
      }
      // The database as the app login user (RLS applies), never the control-plane admin user.
      const connect = statements.filter((s) => actionsOf(s).includes('rds-db:connect'));
      expect(connect).toHaveLength(1);
      expect(JSON.stringify(connect[0]!.Resource)).toMatch(/dbuser:.*\/glaf_api"/);
      expect(JSON.stringify(statements)).not.toMatch(/glaf_control/);
    });

    it('grants the Fargate task role nothing else beyond the worker actions', () => {
      const actions = statementsOf(built.primary, roles.task).flatMap(actionsOf);
      const services = new Set(actions.map((a) => a.split(':')[0]));
      expect(services).toEqual(new Set(['sqs', 'kms', 'dynamodb', 'events', 'rds-db']));
    });

    it('in a secondary region uses the table replica by its derived name and has no proxy access', () => {
      const statements = statementsOf(built.secondary, roles.lambda);
      const table = statements.find((s) => actionsOf(s).includes('dynamodb:GetItem'))!;
      expect(JSON.stringify(table.Resource)).toContain(
        ':dynamodb:eu-central-1:333333333333:table/glaf-prod-executions',
      );
      expect(statements.flatMap(actionsOf)).not.toContain('rds-db:connect');
      assertHasResource(template(built.secondary), 'AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ EXECUTION_TABLE_NAME: 'glaf-prod-executions' }) },
      });
    });

    it('opens the cache and the proxy to the workers security group from this stack only', () => {
      assertHasResource(t, 'AWS::EC2::SecurityGroupIngress', {
        IpProtocol: 'tcp',
        FromPort: 6379,
        ToPort: 6379,
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecurityGroup'), 'GroupId'] },
      });
      assertHasResource(t, 'AWS::EC2::SecurityGroupIngress', { FromPort: 5432, ToPort: 5432 });
      const data = built.primary.node.scope!.node.findChild('Data') as Stack;
      expect(JSON.stringify(template(data).toJSON())).not.toMatch(/Workers/);
    });
  });

  it('passes cdk-nag AwsSolutions with zero unacknowledged errors in every stage', () => {
    const report = new AwsSolutionsChecks(built.app).validateScope(built.app);
    const errors = report.violations
      .filter((v) => v.severity === 'error')
      .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(errors).toEqual([]);
  });
});

describe('the worker image asset', () => {
  it('stages only the allow-listed context: small, no node_modules, no .data', () => {
    const stage = built.primary.node.scope as Stage;
    const assembly = stage.synth();
    const images = assembly.artifacts
      .filter((a): a is cxapi.AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact)
      .filter((a) => a.id.startsWith(built.primary.artifactId))
      .flatMap((a) => Object.values(a.contents.dockerImages ?? {}));
    expect(images).toHaveLength(1);
    expect(images[0]!.source.dockerFile).toBe('stacks/assets/worker/Dockerfile');
    expect(images[0]!.source.platform).toBe('linux/arm64');
    const dir = join(assembly.directory, images[0]!.source.directory!);
    expect(readdirSync(dir).sort()).toEqual([
      'bin',
      'lib',
      'package-lock.json',
      'package.json',
      'stacks',
      'tsconfig.json',
    ]);
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else files.push(join(d, e.name));
      }
    };
    walk(dir);
    const inside = files.map((f) => relative(dir, f));
    expect(inside.filter((f) => /node_modules|(^|[/])\.data[/]|cdk\.out|\.test\.ts$/.test(f))).toEqual([]);
    expect(readdirSync(join(dir, 'stacks'), { recursive: true })).toEqual([
      'assets',
      'assets/worker',
      'assets/worker/Dockerfile',
    ]);
    const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
  });

  describe('its fingerprint (a fixture repository)', () => {
    const root = mkdtempSync(join(tmpdir(), 'glaf-image-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const put = (path: string, text: string) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    for (const f of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'bin/agent-factory.js',
      'lib/a.ts',
    ])
      put(f, f);
    put('stacks/assets/worker/Dockerfile', 'FROM scratch');
    put('stacks/app-stage.ts', 'cdk code');
    put('node_modules/x/index.js', 'dependency');
    put('.data/pglite/base', 'database');
    put('test/a.test.ts', 'test');
    const opts = { exclude: [...WORKER_IMAGE_EXCLUDE], ignoreMode: IgnoreMode.DOCKER };
    const first = FileSystem.fingerprint(root, opts);

    it('ignores node_modules, .data, cdk.out and tests, and changes with the sources', () => {
      put('node_modules/y/index.js', 'another dependency');
      put('.data/pglite/wal', 'more data');
      put('cdk.out/asset.x/file', 'old output');
      put('test/b.test.ts', 'another test');
      put('lib/.data/leftover', 'local data under lib');
      expect(FileSystem.fingerprint(root, opts)).toBe(first);
      put('lib/a.ts', 'changed source');
      expect(FileSystem.fingerprint(root, opts)).not.toBe(first);
    });
  });
});

describe('worker fleet routing and sizing (lib/config/workers.ts)', () => {
  it('runs an agent on Lambda only when its manifest timeout fits the Lambda budget', () => {
    expect(LAMBDA_AGENT_BUDGET_MS).toBe(50_000);
    expect(workerFleetFor(30_000)).toBe('lambda');
    expect(workerFleetFor(50_000)).toBe('lambda');
    expect(workerFleetFor(50_001)).toBe('fargate');
  });

  it('every shipped agent fits the Lambda budget (a longer one needs its own Fargate route first)', () => {
    const agents = allAgents();
    expect(agents.length).toBeGreaterThan(4);
    expect(agents.filter((a) => workerFleetFor(a.manifest.timeoutMs) !== 'lambda').map((a) => a.id)).toEqual(
      [],
    );
  });

  it('refuses a P3 concurrency above P0 and a scale-in threshold at or above scale-out', () => {
    const w = prod.workers;
    const bad = EnvironmentConfigSchema.safeParse({
      ...prod,
      workers: {
        lambda: {
          ...w.lambda,
          maxConcurrency: { ...w.lambda.maxConcurrency, P3: w.lambda.maxConcurrency.P0 + 1 },
        },
        fargate: { ...w.fargate, scaleInBacklog: w.fargate.scaleOutBacklog },
      },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['workers.lambda.maxConcurrency', 'workers.fargate.scaleInBacklog']),
    );
    expect(EnvironmentConfigSchema.safeParse(prod).success).toBe(true);
  });
});
