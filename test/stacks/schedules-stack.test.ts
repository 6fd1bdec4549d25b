import type { Stack } from 'aws-cdk-lib';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { JOB_NAMES, JOB_SCHEDULES, jobEntry } from '../../lib/config/schedules.js';
import { addEnvironment, RegionStage, SiloTenantStage } from '../../stacks/app-stage.js';
import { addBackup } from '../../stacks/backup-stack.js';
import { lakeStreamName } from '../../stacks/constructs/lake-delivery.js';
import { lakeStage } from '../../stacks/lake-stack.js';
import { addSchedules, SchedulesStack } from '../../stacks/schedules-stack.js';
import {
  SILO_TENANTS,
  assertAllResources,
  assertHasResource,
  assertResourceCount,
  template,
  withSilos,
} from './helpers.js';

// This extension, the lake whose audit_events stream it feeds and the backup stack it writes
// audit exports to: the test pins the schedules stack, whatever else the plane holds.
const app = new App();
const stages = addEnvironment(app, withSilos('prod', SILO_TENANTS.slice(0, 1)), [
  lakeStage,
  addBackup,
  addSchedules,
]);
const [primary, secondary] = stages.filter((s): s is RegionStage => s instanceof RegionStage);
const silo = stages.find((s): s is SiloTenantStage => s instanceof SiloTenantStage)!;
const stack = primary!.plane.schedules as SchedulesStack;
const t = template(stack);

type Resource = { Properties: Record<string, unknown> };
const byLogicalId = (type: string) => t.findResources(type) as Record<string, Resource>;

describe('SchedulesStack', () => {
  it('is in the primary and silo stages, not the secondary', () => {
    expect(stack).toBeInstanceOf(SchedulesStack);
    expect(silo.plane.schedules).toBeInstanceOf(SchedulesStack);
    expect((silo.plane.schedules as Stack).account).toBe(SILO_TENANTS[0]!.account);
    expect(secondary!.plane.schedules).toBeUndefined();
  });

  it('has one schedule per job, in its group, with the expressions of lib/config/schedules', () => {
    assertResourceCount(t, 'AWS::Scheduler::ScheduleGroup', 1);
    const schedules = Object.values(byLogicalId('AWS::Scheduler::Schedule')).map((r) => r.Properties);
    expect(schedules).toHaveLength(6);
    expect(schedules.map((s) => s.ScheduleExpression).sort()).toEqual(
      [
        'cron(0 4 1 * ? *)', // regulatory report, monthly on the 1st
        'cron(10 * * * ? *)', // metrics aggregation, hourly
        'cron(15 2 * * ? *)', // factor sync, daily
        'cron(30 1 * * ? *)', // audit export, daily
        'cron(5 * * * ? *)', // execution archive, hourly
        'cron(0/5 * * * ? *)', // audit entries to the lake, every 5 minutes
      ].sort(),
    );
    expect(JOB_SCHEDULES.map((j) => j.name)).toEqual([...JOB_NAMES]);
    const group = Object.values(byLogicalId('AWS::Scheduler::ScheduleGroup'))[0]!.Properties.Name;
    expect(group).toEqual(expect.stringMatching(/Schedules-Group/));
    assertAllResources(t, 'AWS::Scheduler::Schedule', {
      GroupName: group,
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
  });

  it("targets each job's own function with the job name and the scheduled time as payload", () => {
    const functions = byLogicalId('AWS::Lambda::Function');
    for (const job of JOB_SCHEDULES) {
      const pascal = job.name.replace(/(^|-)([a-z])/g, (_, _d: string, c: string) => c.toUpperCase());
      const fnId = Object.keys(functions).find((id) => id.startsWith(`${pascal}Handler`))!;
      expect(functions[fnId]!.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Timeout: job.timeoutSeconds,
        VpcConfig: expect.objectContaining({ SecurityGroupIds: expect.any(Array) as unknown }) as unknown,
      });
      assertHasResource(t, 'AWS::Scheduler::Schedule', {
        Description: job.description,
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          Input: JSON.stringify({ job: job.name, scheduledTime: '<aws.scheduler.scheduled-time>' }),
        }),
      });
      expect(jobEntry(job.name)).toBe(`lambdas/scheduled/${job.name}/handler.ts`);
    }
  });

  it('gives every target a retry policy and its own encrypted DLQ, also for function errors', () => {
    const queues = byLogicalId('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(6);
    assertAllResources(t, 'AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    const dlqs = new Set<string>();
    for (const s of Object.values(byLogicalId('AWS::Scheduler::Schedule'))) {
      const target = s.Properties.Target as {
        RetryPolicy: unknown;
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [string, string] } };
      };
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
      dlqs.add(target.DeadLetterConfig.Arn['Fn::GetAtt'][0]);
    }
    expect([...dlqs].sort()).toEqual(Object.keys(queues).sort());
    // Scheduler invokes Lambda asynchronously: a throwing job is retried by Lambda, then lands in the same DLQ.
    const invokeConfigs = Object.values(byLogicalId('AWS::Lambda::EventInvokeConfig')).map(
      (r) => r.Properties,
    );
    expect(invokeConfigs).toHaveLength(6);
    for (const c of invokeConfigs) {
      expect(c).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
      const onFailure = (c.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string] } } })
        .OnFailure.Destination['Fn::GetAtt'][0];
      expect(dlqs.has(onFailure)).toBe(true);
    }
    const alarms = Object.values(byLogicalId('AWS::CloudWatch::Alarm')).map((r) => r.Properties);
    expect(
      alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Threshold === 0),
    ).toHaveLength(6);
  });

  it('lets the schedules invoke only their function, read their payload key, and reach the DLQ', () => {
    const roles = byLogicalId('AWS::IAM::Role');
    const schedulerRoles = Object.entries(roles).filter(([, r]) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    );
    expect(schedulerRoles.length).toBeGreaterThan(0);
    const policies = Object.values(byLogicalId('AWS::IAM::Policy')).filter((p) =>
      schedulerRoles.some(([id]) => JSON.stringify(p.Properties.Roles).includes(id)),
    );
    const text = JSON.stringify(policies);
    expect(text).toContain('lambda:InvokeFunction');
    expect(text).toContain('sqs:SendMessage');
    expect(text).toContain('kms:Decrypt');
    expect(text).not.toMatch(/"Action":"\*"|"lambda:\*"/);
  });

  it('grants each job what it uses: the proxy login, the table read-only where needed, and its own output prefix', () => {
    const policies = Object.entries(byLogicalId('AWS::IAM::Policy'));
    const policyOf = (pascal: string) =>
      JSON.stringify(policies.filter(([id]) => id.startsWith(`${pascal}HandlerRole`)).map(([, p]) => p));
    const archive = policyOf('ExecutionArchive');
    expect(archive).toContain('rds-db:connect');
    expect(archive).toMatch(/glaf_control/);
    expect(archive).toContain('dynamodb:Query');
    expect(archive).not.toContain('dynamodb:PutItem');
    expect(archive).not.toContain('dynamodb:Scan');
    expect(archive).not.toContain('/index/');
    expect(archive).toMatch(/executions-archive\/\*/);
    expect(archive).not.toMatch(/audit\/\*/);
    const audit = policyOf('AuditExport');
    expect(audit).toMatch(/audit\/\*/);
    expect(audit).not.toContain('dynamodb:');
    expect(audit).not.toMatch(
      /s3:(DeleteObject|PutObjectRetention|PutObjectLegalHold|BypassGovernanceRetention)/,
    );
    const factors = policyOf('FactorSync');
    expect(factors).toContain('rds-db:connect');
    expect(factors).not.toContain('s3:PutObject');
    expect(factors).not.toContain('dynamodb:');
    assertHasResource(t, 'AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          DB_IAM_AUTH: 'true',
          DATABASE_URL: {
            'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^postgres://glaf_control@')])],
          },
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        }),
      },
    });
    assertHasResource(t, 'AWS::EC2::SecurityGroupIngress', { FromPort: 5432, ToPort: 5432 });
  });

  it("writes audit exports to the backup stack's Object Lock audit bucket, not the job-output bucket", () => {
    const backup = primary!.plane.backup!;
    const name = backup.auditBucketName!;
    expect(name).toBe(`glaf-prod-audit-${stack.account}-${stack.region}`);
    template(backup).hasResourceProperties('AWS::S3::Bucket', { BucketName: name, ObjectLockEnabled: true });
    const fn = Object.entries(byLogicalId('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('AuditExportHandler'),
    );
    const vars = (fn![1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(vars.OUTPUT_BUCKET).toBe(name);
    type Statement = { Action: unknown; Resource: unknown };
    const statements = Object.entries(byLogicalId('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('AuditExportHandlerRole'))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const put = statements.filter((s) => s.Action === 's3:PutObject');
    expect(put.map((s) => s.Resource)).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${name}/audit/*`]] },
    ]);
    // Deployed after the backup stack that owns the bucket.
    expect(stack.dependencies).toContain(backup);
    // The silo's exports go to the silo's own audit bucket, in its own account.
    expect(silo.plane.backup!.auditBucketName).toBe(
      `glaf-prod-11111111-audit-${SILO_TENANTS[0]!.account}-${(silo.plane.backup as Stack).region}`,
    );
  });

  it('feeds audit entries to the lake: PutRecordBatch on the audit_events stream only, after the lake stack', () => {
    type Statement = { Action: unknown; Resource: unknown };
    const statements = Object.entries(byLogicalId('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('AuditLakeExportHandlerRole'))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const firehose = statements.filter((s) => JSON.stringify(s.Action).includes('firehose:'));
    expect(firehose).toEqual([
      expect.objectContaining({
        Action: 'firehose:PutRecordBatch',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              `:firehose:${stack.region}:${stack.account}:deliverystream/${lakeStreamName('prod', 'audit_events')}`,
            ],
          ],
        },
      }),
    ]);
    const text = JSON.stringify(statements);
    expect(text).toContain('rds-db:connect');
    expect(text).not.toMatch(/s3:|dynamodb:/);
    const fn = Object.entries(byLogicalId('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('AuditLakeExportHandler'),
    );
    const vars = (fn![1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(vars.LAKE_STREAM_PREFIX).toBe('glaf-prod-lake-');
    expect(vars.OUTPUT_BUCKET).toBeUndefined();
    // The stream is named by derivation; the lake stack that creates it deploys first.
    expect(stack.dependencies).toContain(primary!.plane.lake);
    // The lake stack names the stream the same way.
    template(primary!.plane.lake!).hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: lakeStreamName('prod', 'audit_events'),
    });
  });

  it('keeps job outputs in a versioned, KMS-encrypted, TLS-only, private bucket with access logs (RETAIN in prod)', () => {
    assertHasResource(t, 'AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
            },
          }),
        ],
      },
      PublicAccessBlockConfiguration: Match.objectLike({
        BlockPublicAcls: true,
        RestrictPublicBuckets: true,
      }),
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'outputs/' }),
    });
    const buckets = t.findResources('AWS::S3::Bucket');
    for (const b of Object.values(buckets))
      expect((b as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
    assertHasResource(t, 'AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it.each([
    ['primary', () => stack],
    ['silo', () => silo.plane.schedules as Stack],
  ] as const)('passes cdk-nag AwsSolutions with zero unacknowledged errors (%s)', (_, of) => {
    const report = new AwsSolutionsChecks(app).validateScope(of());
    const errors = report.violations
      .filter((v) => v.severity === 'error')
      .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(errors).toEqual([]);
  });
});
