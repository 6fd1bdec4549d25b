import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnOutput, Stack, Stage } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../lib/config/app-config.js';
import { addEnvironment } from '../../stacks/app-stage.js';
import type { StageExtension } from '../../stacks/app-stage.js';
import { PlatformFunction } from '../../stacks/constructs/platform-function.js';
import { SILO_TENANTS, assertHasResource, buildEnvironment, template, withSilos } from './helpers.js';

const STACKS = ['Keys', 'Network', 'Data', 'Events'];

function stacksOf(stage: Stage): Stack[] {
  return stage.node.children.filter((c): c is Stack => c instanceof Stack);
}

describe.each(ENVIRONMENT_NAMES)('the %s app with 3 silo tenants', (name) => {
  const built = buildEnvironment(name, withSilos(name));
  const stages = built.app.node.children.filter((c): c is Stage => c instanceof Stage);
  afterAll(() => rmSync(built.app.outdir, { recursive: true, force: true }));

  it('has a stage per region and per silo tenant, each with the foundation stacks', () => {
    const cap = `${name[0]!.toUpperCase()}${name.slice(1)}`;
    expect(stages.map((s) => s.node.id)).toEqual([
      `${cap}-eu-west-1`,
      `${cap}-eu-central-1`,
      ...SILO_TENANTS.map((t) => `${cap}-Tenant-${t.tenantId.slice(0, 8)}`),
    ]);
    for (const stage of stages) {
      // The foundation first, then the application-plane stacks (every stage has workers).
      const ids = stacksOf(stage).map((s) => s.node.id);
      expect(ids.slice(0, STACKS.length)).toEqual(STACKS);
      expect(ids).toContain('Api');
      expect(ids).toContain('Workers');
      // Operations: backup and observability everywhere, cost once per account, scale-down where configured.
      const account = !stage.node.id.endsWith(built.config.secondaryRegions[0]!);
      const ops = ['Backup', 'Observability', ...(account ? ['Cost'] : [])];
      if (built.config.cost.scaleDown) ops.push('ScaleDown');
      expect(ids.filter((id) => ['Backup', 'Observability', 'Cost', 'ScaleDown'].includes(id))).toEqual(ops);
    }
    expect(built.silos.map((s) => [s.data.account, s.data.region])).toEqual(
      SILO_TENANTS.map((t) => [t.account, t.homeRegion]),
    );
  });

  it('synthesizes every stage offline, without bundling', () => {
    for (const stage of stages) {
      const assembly = stage.synth();
      expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(
        stacksOf(stage)
          .map((s) => `${stage.stageName}-${s.node.id}`)
          .sort(),
      );
    }
    // Bundling was skipped (setup.ts): no esbuild output (index.mjs) among the assets.
    const assets = readdirSync(built.app.outdir).filter((d) => d.startsWith('asset.'));
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) expect(readdirSync(join(built.app.outdir, a))).not.toContain('index.mjs');
  });

  it('passes cdk-nag AwsSolutions with zero unacknowledged errors', () => {
    const report = new AwsSolutionsChecks(built.app).validateScope(built.app);
    const errors = report.violations
      .filter((v) => v.severity === 'error')
      .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(errors).toEqual([]);
  });

  it('encrypts every log group, queue, database, table, cache, bus and secret with a CMK', () => {
    const required: Record<string, (p: Record<string, unknown>) => boolean> = {
      'AWS::Logs::LogGroup': (p) => p.KmsKeyId !== undefined,
      'AWS::SQS::Queue': (p) => p.KmsMasterKeyId !== undefined,
      'AWS::RDS::DBCluster': (p) => p.StorageEncrypted === true && p.KmsKeyId !== undefined,
      'AWS::DynamoDB::GlobalTable': (p) =>
        (p.SSESpecification as { SSEType?: string } | undefined)?.SSEType === 'KMS',
      'AWS::ElastiCache::ServerlessCache': (p) => p.KmsKeyId !== undefined,
      'AWS::Events::EventBus': (p) => p.KmsKeyIdentifier !== undefined,
      'AWS::SecretsManager::Secret': (p) => p.KmsKeyId !== undefined,
    };
    const unencrypted: string[] = [];
    const seen = new Set<string>();
    for (const stage of stages) {
      for (const stack of stacksOf(stage)) {
        for (const [type, ok] of Object.entries(required)) {
          for (const [id, r] of Object.entries(template(stack).findResources(type))) {
            seen.add(type);
            if (!ok((r.Properties ?? {}) as Record<string, unknown>))
              unencrypted.push(`${stack.node.path}/${id}`);
          }
        }
      }
    }
    expect(unencrypted).toEqual([]);
    expect([...seen].sort()).toEqual(Object.keys(required).sort());
  });

  it('puts the permission boundary on every role and tags every stack', () => {
    for (const stage of stages) {
      for (const stack of stacksOf(stage)) {
        const t = template(stack);
        const roles = t.findResources('AWS::IAM::Role');
        for (const [id, role] of Object.entries(roles)) {
          expect({
            id,
            boundary: (role.Properties as { PermissionsBoundary?: unknown }).PermissionsBoundary,
          }).toEqual({
            id,
            boundary: { Ref: expect.stringMatching(/^PermissionBoundary/) as unknown },
          });
        }
        assertHasResource(t, 'AWS::IAM::ManagedPolicy', {
          Description: Match.stringLikeRegexp('permission boundary'),
        });
        const tenant = stage.node.id.includes('-Tenant-')
          ? SILO_TENANTS.find((x) => stage.node.id.endsWith(x.tenantId.slice(0, 8)))!.tenantId
          : 'pool';
        const text = JSON.stringify(t.toJSON());
        for (const tag of [
          { Key: 'environment', Value: name },
          { Key: 'team', Value: 'gl-agent-factory' },
          { Key: 'tenant', Value: tenant },
        ]) {
          // Tags render as a list ({Key, Value}) or, for some types, as a map.
          const forms = [JSON.stringify(tag), `"${tag.Key}":"${tag.Value}"`];
          expect(
            forms.some((f) => text.includes(f)),
            `${stack.node.path}: ${tag.Key}`,
          ).toBe(true);
        }
      }
    }
  });
});

describe('stage extensions', () => {
  it('receive each stage foundation and add their stacks to it', () => {
    // Prepare
    const seen: string[] = [];
    const extension: StageExtension = (stage, foundation) => {
      seen.push(`${stage.node.id}:${foundation.role}`);
      const api = new Stack(stage, 'Api', {
        env: { account: foundation.data.account, region: foundation.region },
      });
      if (foundation.data.table) new CfnOutput(api, 'Table', { value: foundation.data.table.tableName });
    };

    // Act
    const app = new App();
    const stages = addEnvironment(app, withSilos('dev', SILO_TENANTS.slice(0, 1)), [extension]);

    // Assess
    expect(seen).toEqual(['Dev-eu-west-1:primary', 'Dev-eu-central-1:secondary', 'Dev-Tenant-11111111:silo']);
    expect(stacksOf(stages[0]!).map((x) => x.node.id)).toEqual([...STACKS, 'Api']);
    const api = stacksOf(stages[0]!)[4]!;
    // The extension's stack references the data stack like any sibling stack.
    const output = JSON.stringify(Template.fromStack(api).toJSON().Outputs);
    expect(output).toMatch(/"Fn::ImportValue":"Dev-eu-west-1-Data:ExportsOutput/);
    expect(api.dependencies.map((d) => d.node.id)).toContain('Data');
  });
});

describe('the platform function', () => {
  const t = template(buildEnvironment('dev').primary.data);

  it('is arm64 Node 22 with tracing, JSON logs, source maps and Powertools settings', () => {
    assertHasResource(t, 'AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: Match.anyValue() }),
      Environment: {
        Variables: Match.objectLike({
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'migrate',
          POWERTOOLS_METRICS_NAMESPACE: 'GlAgentFactory',
        }),
      },
    });
  });

  it('binds a table and a queue: environment variable and grant together, role on the given path', () => {
    // Prepare
    const app = new App();
    const stack = new Stack(app, 'Fn', { env: { account: '123456789012', region: 'eu-west-1' } });
    const table = new dynamodb.TableV2(stack, 'Table', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
    });
    const queue = new sqs.Queue(stack, 'Queue');

    // Act
    new PlatformFunction(stack, 'Api', {
      entry: 'lambdas/migrate/handler.ts',
      serviceName: 'api',
      rolePath: '/glaf/dev/api/',
    })
      .bindTable('TABLE_NAME', table, 'read')
      .bindQueue('QUEUE_URL', queue, 'send');

    // Assess
    const t = Template.fromStack(stack);
    assertHasResource(t, 'AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: Match.anyValue() },
          QUEUE_URL: { Ref: Match.anyValue() },
        }),
      },
    });
    assertHasResource(t, 'AWS::IAM::Role', { Path: '/glaf/dev/api/' });
    const policy = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(policy).toContain('dynamodb:GetItem');
    expect(policy).not.toContain('dynamodb:PutItem');
    expect(policy).toContain('sqs:SendMessage');
    expect(policy).not.toContain('sqs:DeleteMessage');
  });

  it('writes to its own encrypted log group with retention', () => {
    assertHasResource(t, 'AWS::Logs::LogGroup', { RetentionInDays: 30, KmsKeyId: Match.anyValue() });
  });
});
