/**
 * Webhook delivery in the workers stack: the rule on the platform bus, its encrypted queue with
 * DLQ and alarms, the consumer function (VPC egress through NAT, partial batch responses) and
 * its least-privilege role; only where the region has a writer. Also the environment parity of
 * the function with WebhookDeliveryEnvSchema; and the API side: the webhook routes' secret
 * rights and the batch routes' queue.
 */
import { rmSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { WebhookDeliveryEnvSchema } from '../../lib/config/runtime-env.js';
import { WEBHOOK_DELIVERY, webhookSecretPrefix } from '../../lib/config/webhooks.js';
import { EVENT_SOURCE, EVENT_TYPES } from '../../lib/domain/events/catalogue.js';
import { addEnvironment, RegionStage, SiloTenantStage } from '../../stacks/app-stage.js';
import { WEBHOOK_TABLE_ACTIONS } from '../../stacks/constructs/webhook-delivery.js';
import { addWorkers, type WorkersStack } from '../../stacks/workers-stack.js';
import { apiStage, type ApiStack } from '../../stacks/api-stack.js';
import type { RouteGroup } from '../../lib/config/api.js';
import { assertHasResource, SILO_TENANTS, template, withSilos } from './helpers.js';

const app = new App();
const stages = addEnvironment(app, withSilos('prod'), [addWorkers]);
afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));
const regions = stages.filter((s): s is RegionStage => s instanceof RegionStage);
const primaryStage = regions.find((s) => s.foundation.role === 'primary')!;
const primary = primaryStage.plane.workers as WorkersStack;
const secondary = regions.find((s) => s.foundation.role === 'secondary')!.plane.workers as WorkersStack;
const silos = stages
  .filter((s): s is SiloTenantStage => s instanceof SiloTenantStage)
  .map((s) => s.plane.workers as WorkersStack);
const t = template(primary);

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
function webhookStatements(stack: Stack): Statement[] {
  return Object.entries(template(stack).findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('WebhooksFunctionRoleDefaultPolicy'))
    .flatMap(
      ([, p]) => (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
    );
}
const logicalId = (stack: Stack, c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as never);

describe('webhook delivery (workers stack)', () => {
  it("rules the catalogue's events of this account from the platform bus to the queue, failures to the DLQ", () => {
    const queue = logicalId(primary, primary.webhooks!.queue.queue);
    const dlq = logicalId(primary, primary.webhooks!.queue.deadLetterQueue);
    assertHasResource(t, 'AWS::Events::Rule', {
      EventBusName: { 'Fn::ImportValue': Match.stringLikeRegexp('EventsBus') },
      EventPattern: {
        source: [EVENT_SOURCE],
        'detail-type': [...EVENT_TYPES],
        account: [primary.account],
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queue, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        }),
      ],
    });
    // The bus writes exactly this source (lib/adapters/aws/eventbridge-bus.ts).
    expect(EVENT_SOURCE).toBe('glaf');
    // EventBridge may send to the queue and its DLQ for this rule only.
    const rule = logicalId(primary, primary.webhooks!.rule);
    assertHasResource(t, 'AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnNotEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } } },
          }),
        ]),
      },
      Queues: [{ Ref: queue }],
    });
    assertHasResource(t, 'AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } } },
          }),
        ]),
      },
      Queues: [{ Ref: dlq }],
    });
  });

  it('queues them encrypted, 3 receives before the DLQ, with the DLQ and age alarms of the other queues', () => {
    const queue = logicalId(primary, primary.webhooks!.queue.queue);
    const dlq = logicalId(primary, primary.webhooks!.queue.deadLetterQueue);
    const queues = t.findResources('AWS::SQS::Queue');
    expect(queues[queue]!.Properties).toMatchObject({
      KmsMasterKeyId: { 'Fn::ImportValue': expect.stringMatching(/Messaging/) as unknown },
      VisibilityTimeout: WEBHOOK_DELIVERY.visibilityTimeoutSeconds,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 3 },
    });
    expect(queues[dlq]!.Properties).toMatchObject({
      KmsMasterKeyId: expect.anything() as unknown,
      MessageRetentionPeriod: 14 * 86_400,
    });
    assertHasResource(t, 'AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    assertHasResource(t, 'AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: ENVIRONMENTS.prod.events.oldestMessageAlarmSeconds,
    });
    // The messaging key lets EventBridge write to encrypted queues (keys stack).
    const keys = primary.node.scope!.node.findChild('Keys') as Stack;
    expect(JSON.stringify(template(keys).toJSON())).toContain('events.amazonaws.com');
  });

  it('consumes them with a VPC function: partial batch responses, bounded concurrency, NAT egress to any port', () => {
    const fn = logicalId(primary, primary.webhooks!.handler.function);
    assertHasResource(t, 'AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fn },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(primary, primary.webhooks!.queue.queue), 'Arn'] },
      BatchSize: WEBHOOK_DELIVERY.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: WEBHOOK_DELIVERY.maxConcurrency },
    });
    const props = t.findResources('AWS::Lambda::Function')[fn]!.Properties as {
      Timeout: number;
      VpcConfig: { SubnetIds: unknown[] };
      Environment: { Variables: Record<string, unknown> };
    };
    expect(props.Timeout).toBe(WEBHOOK_DELIVERY.timeoutSeconds);
    expect(WEBHOOK_DELIVERY.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * props.Timeout);
    expect(JSON.stringify(props.VpcConfig.SubnetIds)).toMatch(/AppSubnet|Private/i);
    const sg = logicalId(primary, primary.webhooks!.securityGroup);
    assertHasResource(t, 'AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Webhook delivery'),
      SecurityGroupEgress: [
        { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, Description: Match.anyValue() },
      ],
    });
    assertHasResource(t, 'AWS::EC2::SecurityGroupIngress', {
      SourceSecurityGroupId: { 'Fn::GetAtt': [sg, 'GroupId'] },
      FromPort: 5432,
      ToPort: 5432,
    });
    // The private subnets reach the internet through NAT gateways in every environment.
    const network = primary.node.scope!.node.findChild('Network') as Stack;
    expect(Object.keys(template(network).findResources('AWS::EC2::NatGateway')).length).toBeGreaterThan(0);
  });

  it("its environment is WebhookDeliveryEnvSchema's: IAM auth as the app login user, the table, the secret prefix", () => {
    const fn = logicalId(primary, primary.webhooks!.handler.function);
    const vars = (
      t.findResources('AWS::Lambda::Function')[fn]!.Properties as {
        Environment: { Variables: Record<string, unknown> };
      }
    ).Environment.Variables;
    const readable = Object.fromEntries(
      Object.entries(vars).map(([k, v]) => [
        k,
        typeof v === 'string'
          ? v
          : k === 'DATABASE_URL'
            ? 'postgres://glaf_api@proxy.invalid:5432/glaf'
            : 'placeholder-name',
      ]),
    );
    const parsed = WebhookDeliveryEnvSchema.parse(readable);
    expect(parsed).toMatchObject({
      DB_IAM_AUTH: 'true',
      GLAF_DB_ROLE_PREFIX: ENVIRONMENTS.prod.aurora.rolePrefix,
      WEBHOOK_SECRET_PREFIX: webhookSecretPrefix('prod'),
    });
    expect(JSON.stringify(vars['DATABASE_URL'])).toContain(`${ENVIRONMENTS.prod.aurora.rolePrefix}_api@`);
    const platform = [
      'POWERTOOLS_SERVICE_NAME',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_LOG_LEVEL',
      'NODE_OPTIONS',
    ];
    expect(
      Object.keys(vars).filter((k) => !(k in WebhookDeliveryEnvSchema.shape) && !platform.includes(k)),
    ).toEqual([]);
  });

  it('has a least-privilege role: prefix-scoped secret reads, tenant-partition items, the app login user', () => {
    const statements = webhookStatements(primary);
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toEqual(['secretsmanager:GetSecretValue']);
    const secret = statements.find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))!;
    expect(JSON.stringify(secret.Resource)).toMatch(/:secret:glaf\/prod\/webhooks\/\*"/);
    const items = statements.find((s) => s.Sid === 'DeliveryLogAndLedger')!;
    expect(new Set(actionsOf(items))).toEqual(new Set(WEBHOOK_TABLE_ACTIONS));
    expect(items.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#*'] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    });
    expect(JSON.stringify(items.Resource)).not.toMatch(/index/);
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(
      [...WEBHOOK_TABLE_ACTIONS].sort(),
    );
    const connect = statements.filter((s) => actionsOf(s).includes('rds-db:connect'));
    expect(connect).toHaveLength(1);
    expect(JSON.stringify(connect[0]!.Resource)).toMatch(/dbuser:.*\/glaf_api"/);
    // kms through DynamoDB and Secrets Manager only, besides Decrypt of the queue's messages.
    for (const s of statements.filter((x) => actionsOf(x).some((a) => a.startsWith('kms:')))) {
      if (JSON.stringify(s.Condition ?? {}).includes('kms:ViaService')) continue;
      expect(actionsOf(s)).toEqual(['kms:Decrypt']);
      expect(JSON.stringify(s.Resource)).toMatch(/KeysMessaging/);
    }
    const services = new Set(actions.map((a) => a.split(':')[0]));
    expect(services).toEqual(new Set(['sqs', 'kms', 'dynamodb', 'secretsmanager', 'rds-db', 'logs', 'xray']));
    expect(actions).not.toContain('secretsmanager:CreateSecret');
    expect(actions).not.toContain('events:PutEvents');
  });

  it('runs where the region has a writer: primary and each silo, not the secondary region', () => {
    expect(primary.webhooks).toBeDefined();
    expect(silos).toHaveLength(SILO_TENANTS.length);
    for (const s of silos) expect(s.webhooks).toBeDefined();
    expect(secondary.webhooks).toBeUndefined();
    expect(JSON.stringify(template(secondary).toJSON())).not.toMatch(/webhook-delivery/);
  });
});

describe('the API side of webhooks and batches', () => {
  const apiApp = new App();
  const apiStages = addEnvironment(apiApp, ENVIRONMENTS.prod, [apiStage]);
  afterAll(() => rmSync(apiApp.outdir, { recursive: true, force: true }));
  const api = apiStages
    .filter((s): s is RegionStage => s instanceof RegionStage)
    .find((s) => s.foundation.role === 'primary')!.plane.api as ApiStack;
  const at = template(api);
  const fnOf = (group: RouteGroup) => logicalId(api, api.routeFunctions[group].function);
  const varsOf = (group: RouteGroup) =>
    (
      at.findResources('AWS::Lambda::Function')[fnOf(group)]!.Properties as {
        Environment: { Variables: Record<string, unknown> };
      }
    ).Environment.Variables;
  const statementsOf = (group: RouteGroup): Statement[] => {
    const role = logicalId(api, api.routeFunctions[group].role);
    return Object.values(at.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify((p.Properties as { Roles: unknown }).Roles).includes(role))
      .flatMap(
        (p) => (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
      );
  };

  it('the webhook routes (control) keep secrets under the prefix: created tenant-tagged, read, deleted; nothing else', () => {
    expect(varsOf('control')).toMatchObject({
      WEBHOOK_SECRET_PREFIX: webhookSecretPrefix('prod'),
      WEBHOOK_SECRET_KMS_KEY_ID: { 'Fn::ImportValue': expect.stringMatching(/KeysData/) as unknown },
    });
    const statements = statementsOf('control');
    const secrets = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    expect(secrets.flatMap(actionsOf).sort()).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:TagResource',
    ]);
    for (const s of secrets) expect(JSON.stringify(s.Resource)).toMatch(/:secret:glaf\/prod\/webhooks\/\*"/);
    const create = secrets.find((s) => actionsOf(s).includes('secretsmanager:CreateSecret'))!;
    expect(create.Condition).toEqual({
      Null: { 'aws:RequestTag/tenant_id': 'false' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant_id'] },
    });
    const key = statements.find((s) => s.Sid === 'SecretKeyViaSecretsManager')!;
    expect(key.Condition).toEqual({
      StringEquals: { 'kms:ViaService': `secretsmanager.${api.region}.amazonaws.com` },
    });
    // Only the webhook routes' function.
    for (const group of ['system', 'catalog', 'executions'] as const) {
      expect(varsOf(group)).not.toHaveProperty('WEBHOOK_SECRET_PREFIX');
      expect(
        statementsOf(group)
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('secretsmanager:')),
      ).toEqual([]);
    }
  });

  it("the batch routes' function (executions) may send to the batch queue and read its depth, not its DLQ", () => {
    const urls = JSON.stringify(varsOf('executions')['QUEUE_URLS']);
    expect(urls).toContain('"batch\\":');
    const send = statementsOf('executions').find((s) => s.Sid === 'EnqueueExecutions')!;
    expect(actionsOf(send).sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:SendMessage']);
    expect(JSON.stringify(send.Resource)).toMatch(/Queuesbatch/);
    expect(JSON.stringify(send.Resource)).not.toMatch(/dlq/i);
  });
});
