/**
 * Keeps each tenant's API Gateway usage-plan key in step with the tenant (lib/services/usage-keys.ts):
 * `tenant.created` -> the key exists, is enabled and is in the tier's plan of this region's API
 * stage only; `tenant.offboarded` -> the key is deleted. Other events are ignored.
 *
 * Invoked by an EventBridge rule on the region's bus (stacks/constructs/usage-plans.ts): the
 * event's `detail` is the platform envelope (lib/domain/events). Every step converges, so the
 * retries (the rule's, then Lambda's async retries, then the DLQ) and the onboarding route's own
 * best-effort call can overlap safely. A throw is a retry.
 *
 * Environment (lib/config/runtime-env.ts UsageKeysEnvSchema): USAGE_REST_API_ID, USAGE_STAGE_NAME.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { domainEventOf } from '../../lib/adapters/aws/eventbridge-event.js';
import { ApiGatewayUsageKeys } from '../../lib/adapters/aws/apigateway-usage-keys.js';
import { describeEnvIssues, UsageKeysEnvSchema } from '../../lib/config/runtime-env.js';
import { TENANT_TIERS } from '../../lib/domain/tenant.js';
import type { UsageKeyReport, UsageKeys } from '../../lib/ports/usage-keys.js';
import { UsageKeyService } from '../../lib/services/usage-keys.js';

const logger = new Logger({ serviceName: 'glaf-usage-keys' });

export type UsageKeyAction =
  | { readonly kind: 'ensure'; readonly tenantId: string; readonly tier: (typeof TENANT_TIERS)[number] }
  | { readonly kind: 'remove'; readonly tenantId: string }
  | { readonly kind: 'ignore'; readonly type: string };

/** What an EventBridge event asks for; an unreadable event throws (a retry cannot fix it: DLQ). */
export function actionOf(event: unknown): UsageKeyAction {
  const envelope = domainEventOf(event);
  switch (envelope.type) {
    case 'tenant.created': {
      const tier = z.enum(TENANT_TIERS).safeParse(envelope.detail.tier);
      if (!tier.success)
        throw new Error(
          `tenant.created ${envelope.id} for ${envelope.tenantId} has no valid tier (pool, silo)`,
        );
      return { kind: 'ensure', tenantId: envelope.tenantId, tier: tier.data };
    }
    case 'tenant.offboarded':
      return { kind: 'remove', tenantId: envelope.tenantId };
    default:
      return { kind: 'ignore', type: envelope.type };
  }
}

export function compose(env: NodeJS.ProcessEnv = process.env): UsageKeys {
  const parsed = UsageKeysEnvSchema.safeParse(env);
  if (!parsed.success)
    throw new Error(`The usage-keys function's environment: ${describeEnvIssues(parsed.error)}`);
  // Retries with backoff on throttling: key administration is rate-limited per account.
  const client = new APIGatewayClient({ region: parsed.data.AWS_REGION, maxAttempts: 5 });
  return new UsageKeyService({
    directory: new ApiGatewayUsageKeys(client),
    apiId: parsed.data.USAGE_REST_API_ID,
    stage: parsed.data.USAGE_STAGE_NAME,
  });
}

let service: UsageKeys | undefined;

export async function handler(event: unknown): Promise<UsageKeyReport | null> {
  service ??= compose();
  const action = actionOf(event);
  if (action.kind === 'ignore') {
    logger.info('event ignored', { type: action.type });
    return null;
  }
  const report =
    action.kind === 'ensure'
      ? await service.ensure(action.tenantId, action.tier)
      : await service.remove(action.tenantId);
  logger.info(`usage key ${action.kind === 'ensure' ? 'ensured' : 'removed'}`, { ...report });
  return report;
}
