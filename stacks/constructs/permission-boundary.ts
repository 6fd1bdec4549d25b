/**
 * The permission boundary every role of the app carries. A boundary caps what any role can
 * ever be granted, whatever later policy edits say: no IAM user or access-key management,
 * no leaving the organisation, no removing the boundary itself, and only the services the
 * platform uses. Applied by an Aspect, so roles made by CDK internals (custom-resource
 * providers, log retention) carry it too.
 */
import { Aspects, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { IAspect } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { IConstruct } from 'constructs';

/** Services the platform's roles may use at all (the boundary's allow list). */
export const BOUNDARY_SERVICES = [
  'dynamodb',
  's3',
  'sqs',
  'sns',
  'kms',
  'logs',
  'cloudwatch',
  'xray',
  'events',
  'scheduler',
  'kafka',
  'kafka-cluster',
  'rds',
  'rds-db',
  'secretsmanager',
  'ssm',
  'elasticache',
  'ec2',
  'lambda',
  'states',
  'ecs',
  'ecr',
  'glue',
  'athena',
  'firehose',
  'lakeformation',
  'sts',
  'route53',
  'backup',
  'tag',
  'serverlessrepo',
  'cloudformation',
  'iam',
] as const;

const BOUNDARY_ID = 'PermissionBoundary';

export class PermissionBoundaryPolicy extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'GL Agent Factory permission boundary: caps every role the app creates',
      statements: [
        new iam.PolicyStatement({
          sid: 'PlatformServices',
          actions: BOUNDARY_SERVICES.map((s) => `${s}:*`),
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'NoIdentityEscalation',
          effect: iam.Effect.DENY,
          actions: [
            'iam:CreateUser',
            'iam:CreateAccessKey',
            'iam:CreateLoginProfile',
            'iam:UpdateLoginProfile',
            'iam:AttachUserPolicy',
            'iam:PutUserPolicy',
            'iam:CreatePolicyVersion',
            'iam:SetDefaultPolicyVersion',
            'iam:DeleteRolePermissionsBoundary',
            'iam:PutRolePermissionsBoundary',
            'organizations:LeaveOrganization',
            'account:*',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          // A role may create roles only if they carry this same boundary.
          sid: 'NewRolesKeepTheBoundary',
          effect: iam.Effect.DENY,
          actions: ['iam:CreateRole', 'iam:AttachRolePolicy', 'iam:PutRolePolicy'],
          resources: ['*'],
          conditions: { StringNotLike: { 'iam:PermissionsBoundary': '*PermissionBoundary*' } },
        }),
      ],
    });
    Validations.of(this.policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'A permission boundary is a ceiling, not a grant: it lists services on all resources by design',
    });
    for (const s of BOUNDARY_SERVICES) {
      Validations.of(this.policy).acknowledge({
        id: `AwsSolutions-IAM5[Action::${s}:*]`,
        reason:
          'A permission boundary is a ceiling, not a grant: whole services are allowed, identity policies narrow them',
      });
    }
  }
}

/** Sets the stack's boundary on every AWS::IAM::Role of the stack (L2, L1 or raw CfnResource). */
export class PermissionBoundaryAspect implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::IAM::Role') return;
    const stack = Stack.of(node);
    const holder = stack.node.tryFindChild(BOUNDARY_ID) as PermissionBoundaryPolicy | undefined;
    if (!holder) return;
    if (node instanceof iam.CfnRole) node.permissionsBoundary = holder.policy.managedPolicyArn;
    else node.addPropertyOverride('PermissionsBoundary', holder.policy.managedPolicyArn);
  }
}

/** Creates the stack's boundary policy and applies it to every role in the stack. */
export function applyPermissionBoundary(stack: Stack): PermissionBoundaryPolicy {
  const existing = stack.node.tryFindChild(BOUNDARY_ID) as PermissionBoundaryPolicy | undefined;
  if (existing) return existing;
  const boundary = new PermissionBoundaryPolicy(stack, BOUNDARY_ID);
  Aspects.of(stack).add(new PermissionBoundaryAspect());
  return boundary;
}
