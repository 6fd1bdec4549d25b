import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { EXECUTION_TABLE } from '../../lib/config/execution-table.js';
import { expiresAtOf, HOT_WINDOW_DAYS } from '../../lib/domain/execution.js';
import { BackupStack, backupVaultName } from '../../stacks/backup-stack.js';
import { assertHasResource, assertResourceCount, SILO_TENANTS, template, withSilos } from './helpers.js';
import { buildOperations, nagErrors } from './operations-fixture.js';

const prod = buildOperations(withSilos('prod'));
const backupOf = (plane: { backup?: BackupStack }) => {
  expect(plane.backup).toBeInstanceOf(BackupStack);
  return plane.backup!;
};
const primary = backupOf(prod.primary.plane);
const t = template(primary);

describe('BackupStack', () => {
  describe('vault and plan (primary)', () => {
    it('keeps recovery points in a vault under the data CMK, locked in production', () => {
      assertHasResource(t, 'AWS::Backup::BackupVault', {
        BackupVaultName: 'glaf-prod',
        EncryptionKeyArn: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('KeysData') }),
        LockConfiguration: { MinRetentionDays: 30 },
        AccessPolicy: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: Match.arrayWith(['backup:DeleteRecoveryPoint']) }),
          ]),
        }),
      });
    });

    it('backs up daily, keeps 30 days, copies each point to the secondary region vault', () => {
      assertHasResource(t, 'AWS::Backup::BackupPlan', {
        BackupPlan: {
          BackupPlanName: Match.anyValue(),
          BackupPlanRule: [
            Match.objectLike({
              RuleName: 'Daily',
              ScheduleExpression: 'cron(0 3 * * ? *)',
              Lifecycle: { DeleteAfterDays: 30 },
              CopyActions: [
                {
                  DestinationBackupVaultArn: {
                    'Fn::Join': [
                      '',
                      [
                        'arn:',
                        { Ref: 'AWS::Partition' },
                        ':backup:eu-central-1:333333333333:backup-vault:glaf-prod',
                      ],
                    ],
                  },
                  Lifecycle: { DeleteAfterDays: 30 },
                },
              ],
            }),
          ],
        },
      });
    });

    it('selects the Aurora cluster and the execution table by ARN', () => {
      const selection = JSON.stringify(t.findResources('AWS::Backup::BackupSelection'));
      expect(selection).toMatch(/"Fn::ImportValue":"[^"]*Data:ExportsOutputRefAuroraCluster/);
      expect(selection).toMatch(/"Fn::ImportValue":"[^"]*Data:ExportsOutputFnGetAttExecutionsTable\w*Arn/);
      const [only] = Object.values(t.findResources('AWS::Backup::BackupSelection')) as {
        Properties: { BackupSelection: { Resources: unknown[] } };
      }[];
      expect(only?.Properties.BackupSelection.Resources).toHaveLength(2);
    });
  });

  it('gives the secondary region a vault of the same name and no plan (the copy target)', () => {
    const st = template(backupOf(prod.secondary.plane));
    assertHasResource(st, 'AWS::Backup::BackupVault', { BackupVaultName: backupVaultName('prod') });
    assertResourceCount(st, 'AWS::Backup::BackupPlan', 0);
    assertResourceCount(st, 'AWS::S3::Bucket', 0);
    expect(backupOf(prod.secondary.plane).region).toBe('eu-central-1');
  });

  it('backs up each silo tenant in its own account, into its own vault, without a copy', () => {
    prod.silos.forEach((silo, i) => {
      const stack = backupOf(silo.plane);
      expect(stack.account).toBe(SILO_TENANTS[i]!.account);
      const st = template(stack);
      assertHasResource(st, 'AWS::Backup::BackupVault', {
        BackupVaultName: `glaf-prod-${SILO_TENANTS[i]!.tenantId.slice(0, 8)}`,
      });
      const rules = JSON.stringify(st.findResources('AWS::Backup::BackupPlan'));
      expect(rules).toContain('"DeleteAfterDays":30');
      expect(rules).not.toContain('CopyActions');
      assertHasResource(st, 'AWS::S3::Bucket', { ObjectLockEnabled: true });
    });
  });

  describe('audit bucket', () => {
    it('locks every object version 7 years in COMPLIANCE mode in production', () => {
      assertHasResource(t, 'AWS::S3::Bucket', {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('KeysData') }),
              },
            }),
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'audit/' }),
      });
      assertHasResourceDefinitionRetained(t);
    });

    it('delivers access logs to a log bucket through its policy, without ACLs', () => {
      const logs = Object.values(t.findResources('AWS::S3::Bucket')).find(
        (b) => (b as { Properties: { ObjectLockEnabled?: boolean } }).Properties.ObjectLockEnabled !== true,
      ) as { Properties: Record<string, unknown> };
      expect(logs.Properties.AccessControl).toBeUndefined();
      expect(logs.Properties.OwnershipControls).toEqual({
        Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
      });
      assertHasResource(t, 'AWS::S3::BucketPolicy', {
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Action: 's3:PutObject',
            }),
          ]),
        }),
      });
    });

    it('denies plain-HTTP access to the audit bucket', () => {
      const policies = Object.values(t.findResources('AWS::S3::BucketPolicy'));
      expect(policies.length).toBeGreaterThan(0);
      for (const p of policies) {
        expect(JSON.stringify(p)).toContain('"Condition":{"Bool":{"aws:SecureTransport":"false"}}');
      }
    });

    it('uses GOVERNANCE mode where configured (non-production)', () => {
      const dev = buildOperations(ENVIRONMENTS.dev);
      assertHasResource(template(backupOf(dev.primary.plane)), 'AWS::S3::Bucket', {
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } },
        },
      });
      // No vault lock outside production.
      const vault = template(backupOf(dev.primary.plane)).findResources('AWS::Backup::BackupVault');
      expect(JSON.stringify(vault)).not.toContain('LockConfiguration');
    });
  });

  describe('retention outside AWS Backup', () => {
    it('Aurora keeps 30 days of point-in-time recovery, writer and Global Database secondary', () => {
      assertHasResource(template(prod.primary.foundation.data), 'AWS::RDS::DBCluster', {
        BackupRetentionPeriod: 30,
      });
      assertHasResource(template(prod.secondary.foundation.data), 'AWS::RDS::DBCluster', {
        BackupRetentionPeriod: 30,
      });
    });

    it('the execution table has PITR and expires items on the TTL attribute the runtime sets (90 days)', () => {
      assertHasResource(template(prod.primary.foundation.data), 'AWS::DynamoDB::GlobalTable', {
        TimeToLiveSpecification: { AttributeName: EXECUTION_TABLE.timeToLiveAttribute, Enabled: true },
        Replicas: Match.arrayWith([
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ]),
      });
      expect(EXECUTION_TABLE.timeToLiveAttribute).toBe('expiresAt');
      expect(HOT_WINDOW_DAYS).toBe(90);
      expect(expiresAtOf(new Date(0))).toBe(90 * 86_400);
    });
  });

  it('passes cdk-nag AwsSolutions with zero errors', () => {
    const stacks = [prod.primary, prod.secondary, ...prod.silos].map((s) => backupOf(s.plane));
    expect(nagErrors(prod.app, stacks)).toEqual([]);
  });
});

/** Audit data outlives the stack: the bucket is RETAINed. */
function assertHasResourceDefinitionRetained(tpl: ReturnType<typeof template>): void {
  const locked = Object.values(
    tpl.findResources('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true } }),
  );
  expect(locked).toHaveLength(1);
  expect(locked[0]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
}
