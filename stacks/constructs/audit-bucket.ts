/**
 * The audit bucket: audit-log exports kept unaltered for the retention period. Object Lock
 * (default retention in COMPLIANCE mode for production: no principal, root included, can
 * delete or overwrite a locked version or shorten its lock), versioning (Object Lock needs
 * it), SSE-KMS under the data CMK with bucket keys, TLS only, no public access, and server
 * access logs to a log bucket of its own.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import type { BackupConfig } from '../../lib/config/operations.js';

/**
 * The audit bucket's name: fixed per environment, account and region (bucket names are
 * global), so writers in other stacks name it without a cross-stack reference and their
 * policies spell one literal ARN.
 */
export function auditBucketName(envName: string, account: string, region: string, tenantId?: string): string {
  const name = `glaf-${envName}${tenantId ? `-${tenantId.slice(0, 8)}` : ''}-audit-${account}-${region}`;
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) throw new Error(`Not a valid bucket name: ${name}`);
  return name;
}

export interface AuditBucketProps {
  readonly bucketName: string;
  readonly key: kms.IKey;
  readonly lock: BackupConfig['auditObjectLock'];
  /** How long the access logs are kept. */
  readonly accessLogRetention: Duration;
}

export class AuditBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: AuditBucketProps) {
    super(scope, id);
    // Grant log delivery through the bucket policy, not the deprecated LogDeliveryWrite ACL, so
    // the log bucket can disable ACLs too (the flag is read from the construct's context).
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    // Access-log destinations accept SSE-S3 only (S3 server access logging cannot write SSE-KMS).
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: props.accessLogRetention }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log destination of the audit bucket; logging it into itself would loop',
    });
    const days = Duration.days(props.lock.retentionDays);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        props.lock.mode === 'COMPLIANCE'
          ? s3.ObjectLockRetention.compliance(days)
          : s3.ObjectLockRetention.governance(days),
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'audit/',
      // RETAIN everywhere: locked versions cannot be deleted, so a DESTROY would only fail the stack deletion.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
