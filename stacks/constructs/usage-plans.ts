/**
 * One usage plan per tenant tier on the API stage: steady rate and burst from the
 * environment's tier configuration, and a daily request quota derived from the tier's
 * per-minute API quota (lib/config/api.ts). Each plan has one API Gateway key; the REST API
 * reads keys from the authorizer's `usageIdentifierKey` (ApiKeySourceType.AUTHORIZER), never
 * from the client's `x-api-key`, which carries the platform's own keys.
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { usagePlanRequestsPerDay } from '../../lib/config/api.js';
import type { EnvironmentConfig } from '../../lib/config/app-config.js';
import type { TenantTier } from '../../lib/domain/tenant.js';

type TierLimits = EnvironmentConfig['tiers'][TenantTier];

export interface UsagePlansProps {
  /** The tiers this stage serves (a silo tenant's API: its own tier only). */
  readonly tiers: Partial<EnvironmentConfig['tiers']>;
  readonly api: apigw.IRestApi;
  readonly stage: apigw.Stage;
}

export class UsagePlans extends Construct {
  readonly plans: Readonly<Partial<Record<TenantTier, apigw.UsagePlan>>>;
  readonly keys: Readonly<Partial<Record<TenantTier, apigw.IApiKey>>>;

  constructor(scope: Construct, id: string, props: UsagePlansProps) {
    super(scope, id);
    const plans: Partial<Record<TenantTier, apigw.UsagePlan>> = {};
    const keys: Partial<Record<TenantTier, apigw.IApiKey>> = {};
    for (const [tier, limits] of Object.entries(props.tiers) as [TenantTier, TierLimits][]) {
      const plan = new apigw.UsagePlan(this, `Plan-${tier}`, {
        description: `Tenant tier ${tier}`,
        throttle: { rateLimit: limits.rateLimitPerSecond, burstLimit: limits.burstLimit },
        quota: { limit: usagePlanRequestsPerDay(tier), period: apigw.Period.DAY },
        apiStages: [{ api: props.api, stage: props.stage }],
      });
      const key = new apigw.ApiKey(this, `Key-${tier}`, { description: `Usage-plan key of tier ${tier}` });
      plan.addApiKey(key);
      plans[tier] = plan;
      keys[tier] = key;
    }
    this.plans = plans;
    this.keys = keys;
  }
}
