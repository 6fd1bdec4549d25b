import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TENANT_ID_RE } from '../../lib/config/app-config.js';
import { apiRolePath } from '../../stacks/data-stack.js';
import { TENANT_TAG_PATTERN, TenantRole } from '../../stacks/constructs/tenant-role.js';
import { assertHasResource, buildEnvironment, iamStringLike, substituteTags, template } from './helpers.js';

const TENANT_A = '0b6a4c3e-1d2f-4a5b-9c8d-7e6f5a4b3c2d';
const TENANT_B = '9f8e7d6c-5b4a-4321-8fed-cba987654321';

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
  Principal?: unknown;
};

/** A small stack with every option on (table, bucket, key) and one trusting API function role. */
function testStack() {
  const app = new App();
  const stack = new Stack(app, 'T', { env: { account: '123456789012', region: 'eu-west-1' } });
  const table = new dynamodb.TableV2(stack, 'Table', {
    partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
  });
  const bucket = new s3.Bucket(stack, 'Lake');
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const tenantRole = new TenantRole(stack, 'TenantRole', {
    trustedRolePath: '/glaf/test/api/',
    table,
    buckets: [bucket],
    key,
  });
  const apiFn = new iam.Role(stack, 'ApiFn', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    path: '/glaf/test/api/',
  });
  tenantRole.grantAssumeWithTag(apiFn);
  return { stack, t: Template.fromStack(stack) };
}

const { t } = testStack();

function policyStatements(): Statement[] {
  const policies = t.findResources('AWS::IAM::Policy');
  const own = Object.entries(policies).find(([id]) => id.startsWith('TenantRole'))!;
  return (own[1].Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement;
}

function trustStatements(): Statement[] {
  const roles = t.findResources('AWS::IAM::Role');
  const own = Object.entries(roles).find(([id]) => id.startsWith('TenantRole'))!;
  return (own[1].Properties as { AssumeRolePolicyDocument: { Statement: Statement[] } })
    .AssumeRolePolicyDocument.Statement;
}

/** A CloudFormation value of these templates as text: Fn::Join with the partition resolved to `aws`. */
function resolved(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { 'Fn::Join'?: [string, unknown[]]; Ref?: string };
  if (v.Ref === 'AWS::Partition') return 'aws';
  if (v['Fn::Join']) return v['Fn::Join'][1].map(resolved).join(v['Fn::Join'][0]);
  throw new Error(`Cannot resolve ${JSON.stringify(value)}`);
}

interface AssumeRequest {
  /** The calling role's ARN (aws:PrincipalArn of a Lambda function's session). */
  readonly principalArn: string;
  /** Session tags asked for. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Whether the trust policy allows `action` for the request, evaluating every condition the
 * statements carry (an operator it does not know fails the test, so none is silently skipped).
 */
function trustAllows(action: 'sts:AssumeRole' | 'sts:TagSession', request: AssumeRequest): boolean {
  const account = /^arn:aws:iam::(\d{12}):/.exec(request.principalArn)?.[1];
  return trustStatements().some((st) => {
    if (st.Effect !== 'Allow' || st.Action !== action) return false;
    const principal = resolved((st.Principal as { AWS: unknown }).AWS);
    if (principal !== `arn:aws:iam::${account}:root`) return false;
    return Object.entries(st.Condition ?? {}).every(([operator, keys]) =>
      Object.entries(keys).every(([key, expected]) => {
        // Condition key names are case-insensitive in IAM (aws:RequestTag/Tenant_Id matches too).
        const tagKey = key.startsWith('aws:RequestTag/')
          ? key.slice('aws:RequestTag/'.length).toLowerCase()
          : '';
        const tag = Object.entries(request.tags).find(([k]) => k.toLowerCase() === tagKey)?.[1];
        switch (`${operator} ${key.startsWith('aws:RequestTag/') ? 'tag' : key}`) {
          case 'ArnLike aws:PrincipalArn':
            return iamStringLike(resolved(expected), request.principalArn);
          case 'Null tag':
            return (tag === undefined) === (expected === 'true');
          case 'StringLike tag':
            return tag !== undefined && iamStringLike(expected as string, tag);
          case 'ForAllValues:StringEquals aws:TagKeys':
            return Object.keys(request.tags).every((k) => (expected as string[]).includes(k));
          default:
            throw new Error(`The test does not evaluate ${operator} on ${key}: add it`);
        }
      }),
    );
  });
}

/** AssumeRole with session tags needs both actions allowed. */
const mayAssumeWithTags = (request: AssumeRequest): boolean =>
  trustAllows('sts:AssumeRole', request) && trustAllows('sts:TagSession', request);

const API_ROLE = 'arn:aws:iam::123456789012:role/glaf/test/api/glaf-test-Routes-executions';

/** Evaluates the LeadingKeys condition of the table statement for a session tagged with `tenant`. */
function tableAllows(tenant: string, leadingKeys: string[]): boolean {
  const st = policyStatements().find((s) => JSON.stringify(s.Action).includes('dynamodb:Query'))!;
  const forAll = st.Condition!['ForAllValues:StringLike']!['dynamodb:LeadingKeys'] as string[];
  const nullCheck = st.Condition!.Null!['dynamodb:LeadingKeys'];
  if (nullCheck === 'false' && leadingKeys.length === 0) return false;
  const patterns = forAll.map((p) => substituteTags(p, { tenant_id: tenant }));
  return leadingKeys.every((k) => patterns.some((p) => iamStringLike(p, k)));
}

describe('TenantRole', () => {
  describe('trust policy', () => {
    it('lets only roles on the API path assume it, and tag the session with tenant_id alone', () => {
      const trust = trustStatements();
      const assume = trust.find((s) => s.Action === 'sts:AssumeRole')!;
      const tag = trust.find((s) => s.Action === 'sts:TagSession')!;
      const apiArn = 'arn:aws:iam::123456789012:role/glaf/test/api/*';
      expect(JSON.stringify(assume.Condition!.ArnLike!['aws:PrincipalArn'])).toContain(
        ':role/glaf/test/api/*',
      );
      expect(JSON.stringify(tag.Condition!.ArnLike!['aws:PrincipalArn'])).toContain(':role/glaf/test/api/*');
      expect(iamStringLike('arn:aws:iam::123456789012:role/glaf/test/api/*', apiArn)).toBe(true);
      expect(assume.Condition).toMatchObject({
        Null: { 'aws:RequestTag/tenant_id': 'false' },
        StringLike: { 'aws:RequestTag/tenant_id': TENANT_TAG_PATTERN },
      });
      expect(tag.Condition).toMatchObject({
        Null: { 'aws:RequestTag/tenant_id': 'false' },
        StringLike: { 'aws:RequestTag/tenant_id': TENANT_TAG_PATTERN },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant_id'] },
      });
    });

    it('allows an API function role to assume it tagged with its tenant (positive control)', () => {
      expect(mayAssumeWithTags({ principalArn: API_ROLE, tags: { tenant_id: TENANT_A } })).toBe(true);
      expect(mayAssumeWithTags({ principalArn: API_ROLE, tags: { tenant_id: TENANT_B } })).toBe(true);
    });

    it('NEGATIVE: refuses roles off the API path: the authorizer, another env, no path, another account', () => {
      for (const principalArn of [
        'arn:aws:iam::123456789012:role/glaf/test/authorizer/glaf-test-Authorizer',
        'arn:aws:iam::123456789012:role/glaf/prod/api/glaf-prod-Routes-executions',
        'arn:aws:iam::123456789012:role/glaf/test/api-extra/Routes',
        'arn:aws:iam::123456789012:role/glaf-test-Routes-executions',
        'arn:aws:iam::123456789012:user/glaf/test/api/someone',
        'arn:aws:iam::210987654321:role/glaf/test/api/glaf-test-Routes-executions',
      ]) {
        expect({
          principalArn,
          ok: mayAssumeWithTags({ principalArn, tags: { tenant_id: TENANT_A } }),
        }).toEqual({
          principalArn,
          ok: false,
        });
      }
    });

    it('NEGATIVE: refuses an untagged session, another tag key, an extra tag, a tag not shaped like a UUID', () => {
      const cases: Record<string, string>[] = [
        {},
        { tenant: TENANT_A },
        { Tenant_Id: TENANT_A },
        { tenant_id: TENANT_A, role: 'admin' },
        { tenant_id: '*' },
        { tenant_id: 'acme' },
        { tenant_id: TENANT_A.replaceAll('-', '') },
        { tenant_id: `${TENANT_A}/x` },
      ];
      for (const tags of cases) {
        expect({ tags, ok: mayAssumeWithTags({ principalArn: API_ROLE, tags }) }).toEqual({
          tags,
          ok: false,
        });
      }
      // Neither half alone opens it: AssumeRole itself demands the tag.
      expect(trustAllows('sts:AssumeRole', { principalArn: API_ROLE, tags: {} })).toBe(false);
    });

    it('accepts a UUID-shaped tag and refuses other shapes', () => {
      for (const good of [TENANT_A, TENANT_B]) {
        expect(iamStringLike(TENANT_TAG_PATTERN, good)).toBe(true);
        expect(TENANT_ID_RE.test(good)).toBe(true);
      }
      for (const bad of [
        '',
        '*',
        'tenant-a',
        `${TENANT_A}x`,
        TENANT_A.replaceAll('-', ''),
        `${TENANT_A.slice(0, 35)}`,
      ]) {
        expect(iamStringLike(TENANT_TAG_PATTERN, bad)).toBe(false);
      }
    });

    it('is trusted by the API function through its identity policy', () => {
      const roles = Object.keys(t.findResources('AWS::IAM::Role'));
      const tenantRoleId = roles.find((id) => id.startsWith('TenantRole'))!;
      assertHasResource(t, 'AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: ['sts:AssumeRole', 'sts:TagSession'],
              Resource: { 'Fn::GetAtt': [tenantRoleId, 'Arn'] },
            },
          ],
        },
        Roles: [{ Ref: roles.find((id) => id.startsWith('ApiFn'))! }],
      });
    });
  });

  describe('table access (dynamodb:LeadingKeys)', () => {
    it('binds every item action to the TENANT#<tag> partition and never grants Scan', () => {
      const st = policyStatements().find((s) => JSON.stringify(s.Action).includes('dynamodb:Query'))!;
      expect(st.Condition!['ForAllValues:StringLike']).toEqual({
        'dynamodb:LeadingKeys': [
          'TENANT#${aws:PrincipalTag/tenant_id}',
          'TENANT#${aws:PrincipalTag/tenant_id}#*',
        ],
      });
      expect(st.Action).not.toContain('dynamodb:Scan');
      expect(st.Action).not.toContain('dynamodb:PartiQLSelect');
      expect(JSON.stringify(policyStatements())).not.toMatch(/dynamodb: /);
    });

    it('allows tenant A its own partition and index keys (positive control)', () => {
      expect(tableAllows(TENANT_A, [`TENANT#${TENANT_A}`])).toBe(true);
      expect(tableAllows(TENANT_A, [`TENANT#${TENANT_A}#STATUS#RUNNING`])).toBe(true);
    });

    it("NEGATIVE: refuses tenant A any key of tenant B's, and requests without a key", () => {
      expect(tableAllows(TENANT_A, [`TENANT#${TENANT_B}`])).toBe(false);
      expect(tableAllows(TENANT_A, [`TENANT#${TENANT_B}#STATUS#RUNNING`])).toBe(false);
      expect(tableAllows(TENANT_A, [`TENANT#${TENANT_A}`, `TENANT#${TENANT_B}`])).toBe(false);
      expect(tableAllows(TENANT_A, [`TENANT#${TENANT_A}${TENANT_B}`])).toBe(false);
      expect(tableAllows(TENANT_A, [])).toBe(false);
      // A session without the tag matches nothing.
      expect(tableAllows('', [`TENANT#${TENANT_A}`])).toBe(false);
    });
  });

  describe('S3 and KMS', () => {
    it('confines objects and listing to the tenant_id=<tag>/ prefix, negative for tenant B', () => {
      const statements = policyStatements();
      const objects = statements.find((s) => JSON.stringify(s.Action).includes('s3:GetObject'))!;
      const resource = JSON.stringify(objects.Resource);
      expect(resource).toContain('/tenant_id=${aws:PrincipalTag/tenant_id}/*');
      const prefix = substituteTags('tenant_id=${aws:PrincipalTag/tenant_id}/*', { tenant_id: TENANT_A });
      expect(iamStringLike(prefix, `tenant_id=${TENANT_A}/dt=2026-01-01/x.parquet`)).toBe(true);
      expect(iamStringLike(prefix, `tenant_id=${TENANT_B}/dt=2026-01-01/x.parquet`)).toBe(false);
      const list = statements.find((s) => s.Action === 's3:ListBucket')!;
      expect(list.Condition).toEqual({
        StringLike: { 's3:prefix': ['tenant_id=${aws:PrincipalTag/tenant_id}/*'] },
      });
    });

    it('uses the key only under its own tenant_id encryption context', () => {
      const st = policyStatements().find((s) => s.Sid === 'OwnEncryptionContextOnly')!;
      expect(st.Condition).toEqual({
        StringEquals: { 'kms:EncryptionContext:tenant_id': '${aws:PrincipalTag/tenant_id}' },
      });
      const ctx = substituteTags(st.Condition!.StringEquals!['kms:EncryptionContext:tenant_id'] as string, {
        tenant_id: TENANT_A,
      });
      expect(ctx).toBe(TENANT_A);
      expect(ctx).not.toBe(TENANT_B);
    });
  });

  it("may use the table's CMK through DynamoDB only (DynamoDB uses it with the caller's rights)", () => {
    const app = new App();
    const stack = new Stack(app, 'Cmk', { env: { account: '123456789012', region: 'eu-west-1' } });
    const tableKey = new kms.Key(stack, 'TableKey', { enableKeyRotation: true });
    const table = new dynamodb.TableV2(stack, 'Table', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(tableKey),
    });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new TenantRole(stack, 'TenantRole', { trustedRolePath: '/glaf/test/api/', table, key });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (p) => (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
    );
    const viaDynamo = statements.find((st) => st.Sid === 'TableKeyViaDynamoDb')!;
    expect(viaDynamo.Resource).toEqual({
      'Fn::GetAtt': [stack.getLogicalId(tableKey.node.defaultChild as never), 'Arn'],
    });
    expect(viaDynamo.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' },
    });
    // Without a CMK (the small stack above: an AWS-owned key) there is nothing to grant.
    expect(policyStatements().some((st) => st.Sid === 'TableKeyViaDynamoDb')).toBe(false);
  });

  it('rejects a trusted path that is not an IAM path', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad', { env: { account: '123456789012', region: 'eu-west-1' } });
    const table = new dynamodb.TableV2(stack, 'Table', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
    });
    const key = new kms.Key(stack, 'Key');
    expect(() => new TenantRole(stack, 'R', { trustedRolePath: 'glaf/api', table, key })).toThrow(
      /must look like/,
    );
  });

  it('is deployed in the primary data stack, trusting the environment API path', () => {
    const { primary } = buildEnvironment('dev');
    expect(apiRolePath('dev')).toBe('/glaf/dev/api/');
    const roles = template(primary.data).findResources('AWS::IAM::Role', {
      Properties: {
        Description: 'Tenant-scoped role assumed per request with the tenant_id session tag (ABAC)',
      },
    });
    const trust = JSON.stringify(Object.values(roles)[0]!.Properties);
    expect(Object.keys(roles)).toHaveLength(1);
    expect(trust).toContain(':role/glaf/dev/api/*');
    expect(trust).toContain(TENANT_TAG_PATTERN);
    // The execution table is encrypted with the data CMK: the role may use it through DynamoDB.
    const policies = JSON.stringify(template(primary.data).findResources('AWS::IAM::Policy'));
    expect(policies).toContain('"Sid":"TableKeyViaDynamoDb"');
  });
});
