/**
 * The AWS event publishers in the stacks: the outbox relay (events stack, where Aurora is
 * written) and the stream processor's MSK side (lake stack). Schedule and retries, the env each
 * runtime parses (OutboxRelayEnvSchema, StreamProcessorEnvSchema, nothing it does not read),
 * least-privilege IAM (MSK topics by name, the control login on the proxy), network paths,
 * alarm, cdk-nag.
 */
import { App, type Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { OutboxRelayEnvSchema, StreamProcessorEnvSchema } from '../../lib/config/events-env.js';
import { addEnvironment, RegionStage, SiloTenantStage } from '../../stacks/app-stage.js';
import { MSK_IAM_PORT } from '../../stacks/constructs/msk-serverless.js';
import { OUTBOX_RELAY_SCHEDULE, OutboxRelayFunction } from '../../stacks/constructs/outbox-relay.js';
import { lakeStage } from '../../stacks/lake-stack.js';
import { assertHasResource, SILO_TENANTS, template, withSilos } from './helpers.js';

const app = new App();
const stages = addEnvironment(app, withSilos('prod', SILO_TENANTS.slice(0, 1)), [lakeStage]);
const [primary, secondary] = stages.filter((s): s is RegionStage => s instanceof RegionStage);
const silo = stages.find((s): s is SiloTenantStage => s instanceof SiloTenantStage)!;
const events = primary!.foundation.events;
const lake = primary!.plane.lake!;
const t = template(events);

type Resource = { Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
const resources = (stack: Stack, type: string) =>
  Object.entries(template(stack).findResources(type)) as [string, Resource][];
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** The statements of the policies attached to the role whose logical id starts with `rolePrefix`. */
function statementsOf(stack: Stack, rolePrefix: string): Statement[] {
  return resources(stack, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(rolePrefix))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

function functionOf(stack: Stack, service: string): [string, Resource] {
  const found = resources(stack, 'AWS::Lambda::Function').filter(([, f]) =>
    JSON.stringify(f.Properties.Environment ?? {}).includes(`"POWERTOOLS_SERVICE_NAME":"${service}"`),
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The function's variables with tokens replaced by values of the shape the stack resolves them to. */
function resolvedVars(fn: Resource): Record<string, string> {
  const raw = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  const resolve = (name: string, v: unknown): string => {
    if (typeof v === 'string') return v;
    if (name === 'MSK_BOOTSTRAP_BROKERS') return 'b-1.msk.example:9098,b-2.msk.example:9098';
    if (name === 'DATABASE_URL') {
      const parts = (v as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      return parts.map((p) => (typeof p === 'string' ? p : 'proxy.example')).join('');
    }
    return `token-${name.toLowerCase()}`;
  };
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, resolve(k, v)]));
}

const PLATFORM_VARS = new Set([
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'NODE_OPTIONS',
]);

function assertRuntimeReads(schema: z.ZodObject, vars: Record<string, string>) {
  const parsed = schema.safeParse(vars);
  expect(parsed.error?.issues ?? []).toEqual([]);
  expect(Object.keys(vars).filter((k) => !(k in schema.shape) && !PLATFORM_VARS.has(k))).toEqual([]);
  return parsed.data as Record<string, unknown>;
}

describe('outbox relay (events stack)', () => {
  it('runs where Aurora is written: primary and silo, not the secondary region', () => {
    expect(events.outboxRelay).toBeInstanceOf(OutboxRelayFunction);
    expect(silo.foundation.events.outboxRelay).toBeInstanceOf(OutboxRelayFunction);
    expect(secondary!.foundation.events.outboxRelay).toBeUndefined();
    expect(resources(secondary!.foundation.events, 'AWS::Scheduler::Schedule')).toEqual([]);
  });

  it('is invoked every minute, without retries or a DLQ (the next minute is the retry)', () => {
    const [fnId] = functionOf(events, 'outbox-relay');
    const schedules = resources(events, 'AWS::Scheduler::Schedule').map(([, r]) => r.Properties);
    expect(schedules).toHaveLength(1);
    expect(OUTBOX_RELAY_SCHEDULE).toBe('rate(1 minute)');
    expect(schedules[0]).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      },
    });
    expect((schedules[0]!.Target as Record<string, unknown>).DeadLetterConfig).toBeUndefined();
    assertHasResource(t, 'AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
  });

  it('drains 50 s of its 60 s, polling every second, as the control login over the proxy with IAM tokens', () => {
    const [, fn] = functionOf(events, 'outbox-relay');
    expect(fn.Properties).toMatchObject({
      Timeout: 60,
      ReservedConcurrentExecutions: 2,
      Runtime: 'nodejs22.x',
      VpcConfig: { SecurityGroupIds: [expect.anything()] },
    });
    const env = assertRuntimeReads(OutboxRelayEnvSchema, resolvedVars(fn));
    expect(env).toMatchObject({ RELAY_DRAIN_SECONDS: 50, RELAY_POLL_MS: 1000, DB_IAM_AUTH: 'true' });
    const url = new URL(env.DATABASE_URL as string);
    expect(url.username).toBe('glaf_control');
    expect(url.password).toBe('');
    expect(url.searchParams.get('sslmode')).toBe('verify-full');
    expect(env.MSK_BOOTSTRAP_BROKERS).toBeDefined();
    expect(env.EVENT_DLQ_URL).toBeUndefined();
  });

  it('may connect as the control login, put events on its bus, and write the tenant and agent topics only', () => {
    const statements = statementsOf(events, 'OutboxRelayHandlerRole');
    const all = statements.flatMap(actions);
    expect(all).toContain('rds-db:connect');
    expect(JSON.stringify(statements)).toMatch(/glaf_control/);
    expect(all).toContain('events:PutEvents');
    const kafka = statements.filter((s) => actions(s).some((a) => a.startsWith('kafka-cluster:')));
    expect(kafka.map((s) => actions(s).sort())).toEqual([
      ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'],
      ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
    ]);
    expect(kafka[0]!.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^MskCluster/), 'Arn'] });
    const topics = JSON.stringify(kafka[1]!.Resource);
    expect(topics).toMatch(/\/tenant_lifecycle"/);
    expect(topics).toMatch(/\/agent_lifecycle"/);
    expect(topics).not.toMatch(/agent_execution|\*/);
    expect((kafka[1]!.Resource as unknown[]).length).toBe(2);
    expect(
      all.some((a) =>
        /^(kafka-cluster:\*|kafka-cluster:(Create|Alter|Delete)|kafka-cluster:ReadData)/.test(a),
      ),
    ).toBe(false);
    expect(all).not.toContain('*');
  });

  it('reaches the RDS Proxy on 5432 and the MSK IAM listener on 9098 from its own security group', () => {
    const [, fn] = functionOf(events, 'outbox-relay');
    const sg = (fn.Properties.VpcConfig as { SecurityGroupIds: [{ 'Fn::GetAtt': [string, string] }] })
      .SecurityGroupIds[0]['Fn::GetAtt'][0];
    assertHasResource(t, 'AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      ToPort: 5432,
      SourceSecurityGroupId: { 'Fn::GetAtt': [sg, 'GroupId'] },
    });
    assertHasResource(t, 'AWS::EC2::SecurityGroupIngress', {
      FromPort: MSK_IAM_PORT,
      ToPort: MSK_IAM_PORT,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MskSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [sg, 'GroupId'] },
    });
  });

  it('alarms when two minutes in five relayed nothing', () => {
    const [fnId] = functionOf(events, 'outbox-relay');
    assertHasResource(t, 'AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      Threshold: 2,
      Period: 300,
    });
  });
});

describe('stream processor MSK side (lake stack)', () => {
  it('produces to agent_execution only, from the VPC, admitted to the MSK listener from its own stack', () => {
    const [, fn] = functionOf(lake, 'stream-processor');
    expect(fn.Properties.VpcConfig).toBeDefined();
    const env = assertRuntimeReads(StreamProcessorEnvSchema, resolvedVars(fn));
    expect(env.MSK_BOOTSTRAP_BROKERS).toBeDefined();
    expect(env.LAKE_STREAM_PREFIX).toBeDefined();
    const statements = statementsOf(lake, 'StreamProcessorFunctionRole');
    const write = statements.find((s) => actions(s).includes('kafka-cluster:WriteData'))!;
    expect(JSON.stringify(write.Resource)).toMatch(/\/agent_execution"\]/);
    expect((write.Resource as unknown[]).length ?? 1).toBe(1);
    // The ingress rule lives with the producer, so the events stack does not depend on the lake.
    assertHasResource(template(lake), 'AWS::EC2::SecurityGroupIngress', {
      FromPort: MSK_IAM_PORT,
      GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('MskSecurityGroup') },
    });
    expect(events.dependencies).not.toContain(lake);
  });
});

describe('cdk-nag', () => {
  it.each([
    ['primary events', () => events],
    ['silo events', () => silo.foundation.events as Stack],
    ['primary lake', () => lake as Stack],
  ] as const)('AwsSolutions: zero unacknowledged errors (%s)', (_, of) => {
    const report = new AwsSolutionsChecks(app).validateScope(of());
    const errors = report.violations
      .filter((v) => v.severity === 'error')
      .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(errors).toEqual([]);
  });
});
