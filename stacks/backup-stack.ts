/**
 * Backup and retention of one stage.
 * - primary (control plane): a vault under the region's data CMK, a daily plan (30-day
 *   retention, a copy of every recovery point to the secondary region's vault) selecting the
 *   Aurora cluster and the execution table, and the audit bucket (Object Lock);
 * - secondary: the vault only, the copy target (same derived name, so the primary can name
 *   its ARN without a cross-region reference);
 * - silo tenant: vault, plan (no copy: single region) and audit bucket in the tenant's account.
 * Aurora's own PITR (backup retention on the cluster, data stack) and the table's PITR and TTL
 * (execution table definition) complete the picture; the tests pin all of them.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import type { Foundation, StageExtension } from './app-stage.js';
import { AuditBucket, auditBucketName } from './constructs/audit-bucket.js';
import { applyStackDefaults } from './constructs/stack-defaults.js';
import type { PlatformStackProps } from './constructs/stack-defaults.js';

/** Vault names are per account and region: every region of a deployment uses the same one. */
export function backupVaultName(envName: string, tenantId?: string): string {
  return tenantId ? `glaf-${envName}-${tenantId.slice(0, 8)}` : `glaf-${envName}`;
}

export function backupVaultArn(scope: Construct, region: string, account: string, name: string): string {
  return `arn:${Stack.of(scope).partition}:backup:${region}:${account}:backup-vault:${name}`;
}

export interface BackupStackProps extends PlatformStackProps {
  readonly foundation: Foundation;
}

export class BackupStack extends Stack {
  readonly vault: backup.BackupVault;
  readonly plan?: backup.BackupPlan;
  readonly auditBucket?: AuditBucket;
  /** The audit bucket's literal name (auditBucketName), for writers in other stacks. */
  readonly auditBucketName?: string;

  constructor(scope: Construct, id: string, props: BackupStackProps) {
    super(scope, id, props);
    applyStackDefaults(this, props);
    const { config, foundation } = props;
    const retention = Duration.days(config.backup.retentionDays);
    const protect = config.protectData;
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: backupVaultName(config.name, props.tenantId),
      encryptionKey: foundation.keys.keys.data,
      // RETAIN in prod: recovery points must outlive the stack (a vault holding any cannot be deleted anyway).
      removalPolicy: protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // Prod: nobody deletes a recovery point early, and none is kept shorter than the policy.
      blockRecoveryPointDeletion: protect,
      lockConfiguration: protect ? { minRetention: retention } : undefined,
    });
    if (foundation.role === 'secondary') return;

    const aurora = foundation.data.aurora;
    const table = foundation.data.table;
    if (!aurora || !table)
      throw new Error('A primary or silo backup stack needs the Aurora cluster and the table');
    const copyRegion = foundation.role === 'primary' ? config.secondaryRegions[0] : undefined;
    const copyTarget = copyRegion
      ? backup.BackupVault.fromBackupVaultArn(
          this,
          'CopyTarget',
          backupVaultArn(this, copyRegion, this.account, backupVaultName(config.name)),
        )
      : undefined;
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: String(config.backup.dailyHourUtc) }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(8),
          deleteAfter: retention,
          copyActions: copyTarget
            ? [{ destinationBackupVault: copyTarget, deleteAfter: retention }]
            : undefined,
        }),
      ],
    });
    const selection = this.plan.addSelection('Data', {
      resources: [
        backup.BackupResource.fromRdsDatabaseCluster(aurora.cluster),
        backup.BackupResource.fromDynamoDbTable(table),
      ],
      allowRestores: true,
    });
    for (const policy of ['AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores']) {
      Validations.of(selection).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
        reason: `AWS Backup's own service-role policy (AWS keeps it in step with the services Backup supports); the boundary caps it`,
      });
    }
    this.auditBucketName = auditBucketName(config.name, this.account, this.region, props.tenantId);
    this.auditBucket = new AuditBucket(this, 'Audit', {
      bucketName: this.auditBucketName,
      key: foundation.keys.keys.data,
      lock: config.backup.auditObjectLock,
      accessLogRetention: Duration.days(config.logRetentionDays),
    });
  }
}

/** Primary (copying to the secondary), secondary (the copy target's vault) and silo stages. */
export const addBackup: StageExtension = (stage, foundation, plane) => {
  const backup = new BackupStack(stage, 'Backup', {
    env: { account: foundation.data.account, region: foundation.region },
    config: foundation.config,
    tenantId: foundation.tenant?.tenantId,
    foundation,
  });
  plane.backup = backup;
  // The API writes offboarding exports to the audit bucket by name: deploy the bucket first.
  if (backup.auditBucketName && plane.api)
    plane.api.addStackDependency(backup, 'offboarding exports go to its audit bucket');
};
