/**
 * The tenant-scoped role (ABAC). An API function assumes it once per request with the session
 * tag `tenant_id` set to the tenant the authorizer verified (the JWT's tenant claim, checked
 * against the tenant store) and never a value taken from the request body or path: the
 * function is the only party that can choose the tag, and it passes the authorizer's verdict.
 *
 * Trust: only roles on the API functions' IAM path in this account may assume it, they must
 * tag the session with `tenant_id` (and no other tag), and the tag must have the shape of a
 * lower-case UUID. IAM has no regular expressions; `StringLike` with one `?` per character
 * and fixed hyphens is the closest form of `^[0-9a-f-]{36}$`, and the function checks the
 * exact pattern before calling STS.
 *
 * Permissions are bound to `${aws:PrincipalTag/tenant_id}`, so one role serves every pool
 * tenant and a session can reach only its own tenant's items, objects and key contexts (plus
 * the table's CMK through DynamoDB, which DynamoDB uses with the caller's rights).
 *
 * At run time (lambdas/api/services.ts): the API function assumes it per tenant
 * (lib/adapters/aws/tenant-credentials.ts, cached until shortly before expiry) and signs every
 * execution-table call about a tenant with that tenant's session
 * (lib/adapters/aws/tenant-routed-stores.ts), refusing a call about another tenant than the
 * request's verified one before it is sent.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export const TENANT_TAG = 'tenant_id';
export const PRINCIPAL_TENANT = '${aws:PrincipalTag/tenant_id}';
/** `^[0-9a-f-]{36}$` as far as IAM can say it: the UUID layout 8-4-4-4-12. */
export const TENANT_TAG_PATTERN = ['????????', '????', '????', '????', '????????????'].join('-');
/** DynamoDB partition keys a tenant session may touch: its own, and its GSI keys `TENANT#<id>#...`. */
export const LEADING_KEY_PATTERNS = [`TENANT#${PRINCIPAL_TENANT}`, `TENANT#${PRINCIPAL_TENANT}#*`];

/** Item-level actions only: Scan and PartiQL carry no `dynamodb:LeadingKeys` and are never granted. */
export const TENANT_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

export interface TenantRoleProps {
  /** IAM path of the API functions' roles (e.g. `/glaf/prod/api/`); only they may assume this role. */
  readonly trustedRolePath: string;
  readonly table: dynamodb.ITableV2;
  /** Buckets holding `tenant_id=<id>/` prefixes (lake, inputs, results). @default none */
  readonly buckets?: readonly s3.IBucket[];
  /** Key for application-level envelope encryption with `tenant_id` in the encryption context. */
  readonly key: kms.IKey;
}

/** How cdk-nag writes the table ARN: `<LogicalId.Arn>` for a table of this stack, else the ARN. */
function nagArn(stack: Stack, table: dynamodb.ITableV2): string {
  const own = table.node.defaultChild;
  if (own) return `<${stack.getLogicalId(own as never)}.Arn>`;
  // An imported table (a secondary region's replica, named by derivation): a formatted ARN.
  return table.tableArn
    .replace(stack.partition, '<AWS::Partition>')
    .replace(/\$\{Token\[[^\]]+\]\}/g, (t) => String(stack.resolve(t)));
}

export class TenantRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: TenantRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (!/^\/([\w+=,.@-]+\/)+$/.test(props.trustedRolePath)) {
      throw new Error(`trustedRolePath '${props.trustedRolePath}' must look like /glaf/prod/api/`);
    }
    const trustedArn = `arn:${stack.partition}:iam::${stack.account}:role${props.trustedRolePath}*`;
    // Both AssumeRole and TagSession demand the tag: an untagged session is never issued.
    const tagged = {
      ArnLike: { 'aws:PrincipalArn': trustedArn },
      Null: { [`aws:RequestTag/${TENANT_TAG}`]: 'false' },
      StringLike: { [`aws:RequestTag/${TENANT_TAG}`]: TENANT_TAG_PATTERN },
    };
    this.role = new iam.Role(this, 'Role', {
      description: 'Tenant-scoped role assumed per request with the tenant_id session tag (ABAC)',
      assumedBy: new iam.AccountPrincipal(stack.account).withConditions(tagged),
    });
    // Tagging the session: only the tenant_id key, present, shaped like a UUID.
    this.role.assumeRolePolicy!.addStatements(
      new iam.PolicyStatement({
        actions: ['sts:TagSession'],
        principals: [new iam.AccountPrincipal(stack.account)],
        conditions: { ...tagged, 'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_TAG] } },
      }),
    );

    const tableArns = [props.table.tableArn, `${props.table.tableArn}/index/*`];
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'OwnPartitionOnly',
        actions: TENANT_TABLE_ACTIONS,
        resources: tableArns,
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': LEADING_KEY_PATTERNS },
          // ForAllValues is true on an empty set: demand the key is present.
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(stack, props.table)}/index/*]`,
      reason:
        'Indexes of this one table; every item access is confined by the dynamodb:LeadingKeys condition',
    });
    for (const bucket of props.buckets ?? []) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
          resources: [`${bucket.bucketArn}/${TENANT_TAG}=${PRINCIPAL_TENANT}/*`],
        }),
      );
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${TENANT_TAG}=${PRINCIPAL_TENANT}/*`] } },
        }),
      );
    }
    // DynamoDB uses the table's CMK with the caller's permissions (the API functions' own roles
    // have no item access, so this session is the caller): through DynamoDB only, whose item
    // access the LeadingKeys condition above confines.
    const tableKey = props.table.encryptionKey;
    if (tableKey) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'TableKeyViaDynamoDb',
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
          resources: [tableKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
        }),
      );
    }
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'OwnEncryptionContextOnly',
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { [`kms:EncryptionContext:${TENANT_TAG}`]: PRINCIPAL_TENANT } },
      }),
    );
  }

  /** Lets a function role assume this role with a tag (its own identity policy side of the trust). */
  grantAssumeWithTag(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sts:AssumeRole', 'sts:TagSession'],
      resourceArns: [this.role.roleArn],
    });
  }
}
