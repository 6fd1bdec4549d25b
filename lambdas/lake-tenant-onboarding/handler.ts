/**
 * Pool tenants' Lake Formation filters and grants (lib/services/lake-tenant-onboarding.ts):
 * `tenant.created` of a pool tenant -> the tenant's data cells filter on every lake table and
 * SELECT on them (ABAC on the `tenant_id` principal tag); `tenant.offboarded` -> revoked and
 * deleted. Silo tenants are skipped: their lake lives in their own account, where the stack
 * creates their filters at synth. Other events are ignored.
 *
 * Invoked by an EventBridge rule on the region's bus (stacks/constructs/lake-tenant-onboarding.ts):
 * the event's `detail` is the platform envelope (lib/domain/events). Every step converges, so the
 * rule's retries, Lambda's async retries and a replay are safe; what still fails lands in the DLQ.
 *
 * Environment (lib/config/runtime-env.ts LakeOnboardingEnvSchema): LAKE_DATABASE_NAME, LAKE_CATALOG_ID.
 */
import { LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { domainEventOf } from '../../lib/adapters/aws/eventbridge-event.js';
import { LakeFormationPermissions } from '../../lib/adapters/aws/lakeformation-permissions.js';
import { describeEnvIssues, LakeOnboardingEnvSchema } from '../../lib/config/runtime-env.js';
import { TENANT_TIERS } from '../../lib/domain/tenant.js';
import { LAKE_TABLES } from '../../lib/lake/tables.js';
import type { LakePermissions } from '../../lib/ports/lake-permissions.js';
import { LakeTenantOnboarding, type LakeTenantReport } from '../../lib/services/lake-tenant-onboarding.js';

const logger = new Logger({ serviceName: 'glaf-lake-tenant-onboarding' });

export type LakeTenantAction =
  | { readonly kind: 'onboard' | 'offboard'; readonly tenantId: string }
  | { readonly kind: 'ignore'; readonly reason: string };

/** What an EventBridge event asks for; an unreadable event throws (a retry cannot fix it: DLQ). */
export function actionOf(event: unknown): LakeTenantAction {
  const envelope = domainEventOf(event);
  switch (envelope.type) {
    case 'tenant.created': {
      const tier = z.enum(TENANT_TIERS).safeParse(envelope.detail.tier);
      if (!tier.success)
        throw new Error(
          `tenant.created ${envelope.id} for ${envelope.tenantId} has no valid tier (pool, silo)`,
        );
      return tier.data === 'pool'
        ? { kind: 'onboard', tenantId: envelope.tenantId }
        : { kind: 'ignore', reason: 'silo tenant: its own lake, filters made at synth' };
    }
    case 'tenant.offboarded':
      // No tier on this event; for a silo tenant there is nothing here and every step finds nothing.
      return { kind: 'offboard', tenantId: envelope.tenantId };
    default:
      return { kind: 'ignore', reason: `event ${envelope.type}` };
  }
}

export function compose(env: NodeJS.ProcessEnv = process.env, lf?: LakePermissions): LakeTenantOnboarding {
  const parsed = LakeOnboardingEnvSchema.safeParse(env);
  if (!parsed.success)
    throw new Error(`The lake-tenant-onboarding function's environment: ${describeEnvIssues(parsed.error)}`);
  const permissions =
    lf ??
    new LakeFormationPermissions(new LakeFormationClient({ region: parsed.data.AWS_REGION, maxAttempts: 5 }));
  return new LakeTenantOnboarding(permissions, {
    accountId: parsed.data.LAKE_CATALOG_ID,
    databaseName: parsed.data.LAKE_DATABASE_NAME,
    tables: LAKE_TABLES.map((t) => t.name),
  });
}

let service: LakeTenantOnboarding | undefined;

export async function handler(event: unknown): Promise<LakeTenantReport | null> {
  service ??= compose();
  const action = actionOf(event);
  if (action.kind === 'ignore') {
    logger.info('event ignored', { reason: action.reason });
    return null;
  }
  const report =
    action.kind === 'onboard'
      ? await service.onboard(action.tenantId)
      : await service.offboard(action.tenantId);
  logger.info('lake tenant access updated', { ...report });
  return report;
}
