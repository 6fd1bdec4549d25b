/**
 * cdk-nag acknowledgements for the wildcards of CDK's own bucket and key grants
 * (`grantReadWrite`, `grantEncryptDecrypt`, Firehose's destination grants): each one names the
 * exact finding, so any other wildcard still fails the check.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

const GRANT_ACTIONS = [
  's3:GetObject*',
  's3:GetBucket*',
  's3:List*',
  's3:DeleteObject*',
  's3:Abort*',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
];

/** The `bucket/*` resource finding of a bucket defined in the same stack as `scope`. */
export function bucketObjectsFinding(scope: IConstruct, bucket: s3.IBucket): string {
  const stack = Stack.of(scope);
  return `Resource::<${stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*`;
}

export function acknowledgeBucketGrants(
  scope: IConstruct,
  buckets: readonly s3.IBucket[],
  reason: string,
  extra: readonly string[] = [],
): void {
  const findings = [
    ...GRANT_ACTIONS.map((a) => `Action::${a}`),
    ...buckets.map((b) => bucketObjectsFinding(scope, b)),
    ...extra,
  ];
  Validations.of(scope).acknowledge(...findings.map((f) => ({ id: `AwsSolutions-IAM5[${f}]`, reason })));
}
