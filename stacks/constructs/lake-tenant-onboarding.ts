/**
 * Pool tenants' Lake Formation access, kept in step with the tenant (issue 6): an EventBridge
 * rule on the region's bus sends `tenant.created` and `tenant.offboarded` to
 * lambdas/lake-tenant-onboarding, which creates (deletes) the tenant's data cells filters and
 * grants (revokes) SELECT on them with Lake Formation ABAC (lib/services/lake-tenant-onboarding.ts).
 *
 * What Lake Formation requires of the caller: ABAC grants cannot come from grantable
 * permissions ("Grantable permissions are not available with ABAC"), so the function's role is a
 * data lake administrator (LakeGovernance.addAdmin, same settings resource as the deploy role).
 * Its IAM policy is what narrows that: the four Lake Formation calls onboarding makes (no
 * resource-level permissions exist for them) and read access to this lake's catalog objects,
 * nothing else: no data access, no S3, no other Lake Formation action.
 *
 * Failures: the rule retries delivery (20 attempts within 6 hours), the function's async invoke
 * retries twice, and what still fails lands in the encrypted DLQ, which alarms. Every step
 * converges, so the overlapping retries are safe.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EnvOf, LakeOnboardingEnvSchema } from '../../lib/config/runtime-env.js';
import { EVENT_SOURCE } from '../../lib/domain/events/catalogue.js';
import { PlatformFunction } from './platform-function.js';
import { deadLetterAlarm } from './dead-letter-alarm.js';

/** The platform events the function acts on. */
export const LAKE_TENANT_EVENT_TYPES = ['tenant.created', 'tenant.offboarded'] as const;
/** Delivery attempts after the first: the rule's, then Lambda's async ones (at most 2). */
export const LAKE_TENANT_EVENT_RETRIES = { rule: 20, lambda: 2 } as const;
export const LAKE_TENANT_MAX_EVENT_AGE = Duration.hours(6);

/** The Lake Formation calls onboarding and offboarding make. */
export const LAKE_TENANT_LF_ACTIONS = [
  'lakeformation:CreateDataCellsFilter',
  'lakeformation:DeleteDataCellsFilter',
  'lakeformation:GrantPermissions',
  'lakeformation:RevokePermissions',
] as const;

export interface LakeTenantOnboardingProps {
  readonly bus: events.IEventBus;
  readonly databaseName: string;
  /** The lake tables' names (the Glue tables of the database). */
  readonly tables: readonly string[];
  /** Encrypts the DLQ. */
  readonly queueKey: kms.IKey;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

export class LakeTenantOnboarding extends Construct {
  readonly function: PlatformFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly rule: events.Rule;
  readonly dlqAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: LakeTenantOnboardingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.deadLetterQueue = new sqs.Queue(this, 'Dlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.queueKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the tenant-event rule and of the onboarding function',
    });

    this.function = new PlatformFunction(this, 'Function', {
      entry: 'lambdas/lake-tenant-onboarding/handler.ts',
      serviceName: 'lake-tenant-onboarding',
      memorySize: 256,
      timeout: Duration.seconds(60),
      logKey: props.logKey,
      logRetention: props.logRetention,
      environment: {
        LAKE_DATABASE_NAME: props.databaseName,
        LAKE_CATALOG_ID: stack.account,
      } satisfies EnvOf<typeof LakeOnboardingEnvSchema>,
    });
    const role = this.function.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TenantFiltersAndGrants',
        actions: [...LAKE_TENANT_LF_ACTIONS],
        // Lake Formation's IAM actions have no resource-level permissions.
        resources: ['*'],
      }),
    );
    const glueArn = (what: string) => `arn:${stack.partition}:glue:${stack.region}:${stack.account}:${what}`;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ResolveLakeTables',
        actions: ['glue:GetDatabase', 'glue:GetTable'],
        resources: [
          glueArn('catalog'),
          glueArn(`database/${props.databaseName}`),
          ...props.tables.map((t) => glueArn(`table/${props.databaseName}/${t}`)),
        ],
      }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lake Formation CreateDataCellsFilter/DeleteDataCellsFilter/GrantPermissions/RevokePermissions have no resource-level IAM permissions; these four actions only',
    });

    this.function.function.configureAsyncInvoke({
      retryAttempts: LAKE_TENANT_EVENT_RETRIES.lambda,
      maxEventAge: LAKE_TENANT_MAX_EVENT_AGE,
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: 'SendMessage to the KMS-encrypted DLQ (CDK grant), on the messaging key only',
      });
    }

    this.rule = new events.Rule(this, 'TenantEvents', {
      eventBus: props.bus,
      description: "Tenant onboarding and offboarding -> the tenant's Lake Formation filters and grants",
      eventPattern: { source: [EVENT_SOURCE], detailType: [...LAKE_TENANT_EVENT_TYPES] },
      targets: [
        new targets.LambdaFunction(this.function.function, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: LAKE_TENANT_EVENT_RETRIES.rule,
          maxEventAge: LAKE_TENANT_MAX_EVENT_AGE,
        }),
      ],
    });

    this.dlqAlarm = deadLetterAlarm(
      this,
      'DlqAlarm',
      this.deadLetterQueue,
      'Lake tenant onboarding: an event could not be applied after its retries (see the DLQ)',
    );
  }
}
