/**
 * Usage plans that actually limit, per tenant. The REST API requires an API key on every
 * non-public method and reads it from the authorizer's `usageIdentifierKey`
 * (ApiKeySourceType.AUTHORIZER; clients' `x-api-key` carries the platform's own keys and is
 * never a plan key). API Gateway throttles and counts quotas per key, so:
 * - one plan per tenant tier (steady rate and burst from the environment's tier configuration,
 *   a daily quota from the tier's per-minute API quota, lib/config/api.ts) WITHOUT a tier key:
 *   each tenant has its own key, `glaf-usage-<tenant id>` (lib/config/usage-plans.ts), in its
 *   tier's plan, so a noisy tenant exhausts its own bucket and never its neighbours';
 * - a platform plan with one key for principals without a tenant (platform admins):
 *   `glaf-usage-platform-<api id>`, the tiers' highest throttle and no daily quota, so
 *   onboarding and operations are never cut off by a quota;
 * - a silo tenant's API (its own account) creates that tenant's key here, in its silo plan: the
 *   tenant is known at synth time and its onboarding events reach the control plane only.
 *
 * Control-plane stages provision tenants' keys at run time (lib/services/usage-keys.ts, every
 * step idempotent):
 * - the `usage-keys` function on the region's bus: `tenant.created` ensures the key (created,
 *   enabled, in its tier's plan only), `tenant.offboarded` deletes it. Failures are retried by
 *   the rule (delivery) and by Lambda (async invoke), then land in an encrypted DLQ;
 * - and, so a new tenant is not locked out (403) until the outbox relay and the bus deliver the
 *   event, the onboarding route provisions the key synchronously, best effort
 *   (`grantProvisioning` on the control route function). Trade-off: onboarding waits for a few
 *   API Gateway calls (~hundreds of ms) and the control function holds key-administration
 *   rights; if that call fails the tenant is created anyway (its creation is one transaction
 *   that never depends on API Gateway) and the event path provisions the key seconds later.
 *
 * IAM: API Gateway key administration has no tag or name conditions, and key ids are generated,
 * so keys are `/apikeys/*`; plan membership is limited to this stage's tier plans by id.
 * Secondary regions get keys from the events their bus receives (the global endpoint replicates
 * the primary's); a region whose bus misses an event needs a re-sync (replay the bus archive).
 */
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { usagePlanRequestsPerDay } from '../../lib/config/api.js';
import type { EnvironmentConfig } from '../../lib/config/app-config.js';
import type { EnvOf, UsageKeysEnvSchema } from '../../lib/config/runtime-env.js';
import {
  PLATFORM_USAGE_PLAN_NAME,
  USAGE_KEY_EVENT_TYPES,
  platformUsageKey,
  tenantUsageKey,
  tierUsagePlanName,
} from '../../lib/config/usage-plans.js';
import { EVENT_SOURCE } from '../../lib/domain/events/catalogue.js';
import type { TenantTier } from '../../lib/domain/tenant.js';
import { PlatformFunction } from './platform-function.js';
import { STAGE_NAME } from './platform-rest-api.js';
import { deadLetterAlarm } from './dead-letter-alarm.js';

type TierLimits = EnvironmentConfig['tiers'][TenantTier];

/** Delivery retries of the rule (EventBridge -> Lambda) and Lambda's own retries of a failed run. */
export const USAGE_KEY_EVENT_RETRIES = { rule: 20, lambda: 2 } as const;
/** A tenant event older than this is not delivered any more; it waits in the DLQ instead. */
export const USAGE_KEY_MAX_EVENT_AGE = Duration.hours(6);

export interface UsageKeyProvisioningProps {
  /** The region's bus carrying the tenant events. */
  readonly bus: events.IEventBus;
  /** Encrypts the DLQ (EventBridge may use it: kms-keys.ts). */
  readonly queueKey: kms.IKey;
  readonly vpc: ec2.IVpc;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

export interface UsagePlansProps {
  /** The tiers this stage serves (a silo tenant's API: its own tier only). */
  readonly tiers: Partial<EnvironmentConfig['tiers']>;
  readonly api: apigw.IRestApi;
  readonly stage: apigw.Stage;
  /** A silo tenant's stage: its key, created with the stack in its tier's plan. */
  readonly siloTenantId?: string;
  /** Control-plane stages: the function provisioning tenants' keys from the bus. */
  readonly provisioning?: UsageKeyProvisioningProps;
}

export class UsagePlans extends Construct {
  readonly plans: Readonly<Partial<Record<TenantTier, apigw.UsagePlan>>>;
  readonly platformPlan: apigw.UsagePlan;
  readonly platformKey: apigw.IApiKey;
  readonly provisioner?: PlatformFunction;
  readonly deadLetterQueue?: sqs.Queue;
  private readonly api: apigw.IRestApi;

  constructor(scope: Construct, id: string, props: UsagePlansProps) {
    super(scope, id);
    this.api = props.api;
    if (props.stage.stageName !== STAGE_NAME && !Token.isUnresolved(props.stage.stageName))
      throw new Error(`Usage plans expect the API stage ${STAGE_NAME}, not ${props.stage.stageName}`);
    const apiStages = [{ api: props.api, stage: props.stage }];
    const plans: Partial<Record<TenantTier, apigw.UsagePlan>> = {};
    const tiers = Object.entries(props.tiers) as [TenantTier, TierLimits][];
    for (const [tier, limits] of tiers) {
      plans[tier] = new apigw.UsagePlan(this, `Plan-${tier}`, {
        name: tierUsagePlanName(tier),
        description: `Tenant tier ${tier}: one API key per tenant`,
        throttle: { rateLimit: limits.rateLimitPerSecond, burstLimit: limits.burstLimit },
        quota: { limit: usagePlanRequestsPerDay(tier), period: apigw.Period.DAY },
        apiStages,
      });
    }
    this.plans = plans;

    this.platformPlan = new apigw.UsagePlan(this, 'Plan-platform', {
      name: PLATFORM_USAGE_PLAN_NAME,
      description: 'Principals without a tenant (platform admins)',
      throttle: {
        rateLimit: Math.max(...tiers.map(([, l]) => l.rateLimitPerSecond)),
        burstLimit: Math.max(...tiers.map(([, l]) => l.burstLimit)),
      },
      apiStages,
    });
    this.platformKey = new apigw.ApiKey(this, 'PlatformKey', {
      apiKeyName: `glaf-usage-platform`,
      description: 'Usage-plan key of principals without a tenant (named by the authorizer)',
      value: platformUsageKey(props.api.restApiId),
      enabled: true,
    });
    this.platformPlan.addApiKey(this.platformKey);

    if (props.siloTenantId) {
      const tier = tiers[0]?.[0];
      if (tiers.length !== 1 || !tier) throw new Error('A silo tenant stage serves exactly one tier');
      const value = tenantUsageKey(props.siloTenantId);
      const key = new apigw.ApiKey(this, 'SiloTenantKey', {
        apiKeyName: value,
        description: `Usage-plan key of tenant ${props.siloTenantId}`,
        value,
        enabled: true,
      });
      plans[tier]!.addApiKey(key);
    }

    if (props.provisioning) {
      const { function: fn, deadLetterQueue } = this.provision(props.provisioning);
      this.provisioner = fn;
      this.deadLetterQueue = deadLetterQueue;
    }
  }

  /**
   * Lets `fn` provision tenants' keys itself (the onboarding route): the stage in its environment
   * and key administration on this stage's tier plans. The grant is a policy of its own, not the
   * role's default policy: the function's method deploys before the stage its plans name, and the
   * function waits for its default policy, so the plan ids there would be a dependency cycle.
   */
  grantProvisioning(fn: PlatformFunction): void {
    fn.bindEnvironment('USAGE_REST_API_ID', this.api.restApiId);
    // The name, not a reference to the stage: the stage deploys after the function's methods.
    fn.bindEnvironment('USAGE_STAGE_NAME', STAGE_NAME);
    const policy = new iam.Policy(this, `Provisioning-${fn.node.id}`, {
      statements: this.provisioningStatements(),
    });
    policy.attachToRole(fn.role);
    this.acknowledgeWildcards(policy);
  }

  private provision(props: UsageKeyProvisioningProps): {
    function: PlatformFunction;
    deadLetterQueue: sqs.Queue;
  } {
    const deadLetterQueue = new sqs.Queue(this, 'Dlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.queueKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the tenant-event rule and of the usage-keys function',
    });
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'usage-keys function: HTTPS to the API Gateway management API only',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to the API Gateway API');

    const fn = new PlatformFunction(this, 'Provisioner', {
      entry: 'lambdas/usage-keys/handler.ts',
      serviceName: 'usage-keys',
      memorySize: 256,
      timeout: Duration.seconds(30),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
      logKey: props.logKey,
      logRetention: props.logRetention,
      environment: {
        USAGE_REST_API_ID: this.api.restApiId,
        USAGE_STAGE_NAME: STAGE_NAME,
      } satisfies EnvOf<typeof UsageKeysEnvSchema>,
    });
    for (const statement of this.provisioningStatements()) fn.role.addToPrincipalPolicy(statement);
    this.acknowledgeWildcards(fn.role);
    fn.function.configureAsyncInvoke({
      retryAttempts: USAGE_KEY_EVENT_RETRIES.lambda,
      maxEventAge: USAGE_KEY_MAX_EVENT_AGE,
      onFailure: new destinations.SqsDestination(deadLetterQueue),
    });
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: 'SendMessage to the KMS-encrypted DLQ (CDK grant), on the messaging key only',
      });
    }

    new events.Rule(this, 'TenantEvents', {
      eventBus: props.bus,
      description: 'Tenant onboarding and offboarding -> the tenant usage-plan key',
      eventPattern: { source: [EVENT_SOURCE], detailType: [...USAGE_KEY_EVENT_TYPES] },
      targets: [
        new targets.LambdaFunction(fn.function, {
          deadLetterQueue,
          retryAttempts: USAGE_KEY_EVENT_RETRIES.rule,
          maxEventAge: USAGE_KEY_MAX_EVENT_AGE,
        }),
      ],
    });
    // What could not be applied after every retry: a tenant whose key may be missing (403s).
    deadLetterAlarm(
      this,
      'DlqAlarm',
      deadLetterQueue,
      'Usage-plan keys: a tenant event could not be applied after its retries (see the DLQ); the tenant may be refused with 403',
    );
    return { function: fn, deadLetterQueue };
  }

  /**
   * GET lists keys (by name) and plans (by key); POST creates keys; PATCH enables, DELETE
   * removes (offboarding, duplicates) keys; plan membership on this stage's tier plans only.
   */
  private provisioningStatements(): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    const arn = (path: string) => `arn:${stack.partition}:apigateway:${stack.region}::${path}`;
    const planIds = Object.values(this.plans).map((p) => p.usagePlanId);
    return [
      new iam.PolicyStatement({
        sid: 'ListKeysAndPlans',
        actions: ['apigateway:GET'],
        resources: [arn('/apikeys'), arn('/usageplans')],
      }),
      new iam.PolicyStatement({
        sid: 'CreateKeys',
        actions: ['apigateway:POST'],
        resources: [arn('/apikeys')],
      }),
      new iam.PolicyStatement({
        sid: 'EnableAndDeleteKeys',
        actions: ['apigateway:PATCH', 'apigateway:DELETE'],
        resources: [arn('/apikeys/*')],
      }),
      new iam.PolicyStatement({
        sid: 'AddToTierPlans',
        actions: ['apigateway:POST'],
        resources: planIds.map((id) => arn(`/usageplans/${id}/keys`)),
      }),
      new iam.PolicyStatement({
        sid: 'RemoveFromTierPlans',
        actions: ['apigateway:DELETE'],
        resources: planIds.map((id) => arn(`/usageplans/${id}/keys/*`)),
      }),
    ];
  }

  private acknowledgeWildcards(scope: Construct): void {
    const region = Token.isUnresolved(Stack.of(this).region) ? '<AWS::Region>' : Stack.of(this).region;
    const prefix = `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:${region}::`;
    Validations.of(scope).acknowledge({
      id: `${prefix}/apikeys/*]`,
      reason: 'API key ids are generated by API Gateway and key administration has no tag or name condition',
    });
    for (const plan of Object.values(this.plans)) {
      const id = Stack.of(this).getLogicalId(plan.node.defaultChild as apigw.CfnUsagePlan);
      Validations.of(scope).acknowledge({
        id: `${prefix}/usageplans/<${id}>/keys/*]`,
        reason: 'Removing a tenant key (generated id) from this stage tier plan, named by its id',
      });
    }
  }
}
