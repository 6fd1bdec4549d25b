/**
 * Per-tenant usage-plan keys on one REST API stage: each tenant has its own API Gateway key,
 * `glaf-usage-<tenant id>` (lib/config/usage-plans.ts), in its tier's plan and no other plan of
 * this stage. Throttles and quotas are per key, so a noisy tenant exhausts only its own bucket.
 *
 * Every call converges, so any caller may repeat it at any time (the event consumer retries,
 * the onboarding route calls it too):
 * - `ensure` finds the key by name and value, creates it when missing (a conflict means a
 *   concurrent creator won: read again), deletes duplicates a race left behind (the earliest
 *   created key stays, so concurrent callers keep the same one), enables it, adds it to the
 *   tier's plan and takes it out of this stage's other tier plans (a tier move). Other plans
 *   (the platform plan, other APIs' plans) are never touched.
 * - `remove` deletes every key with the tenant's value; API Gateway drops a deleted key from
 *   its plans.
 */
import { tenantUsageKey, tierOfUsagePlan, tierUsagePlanName } from '../config/usage-plans.js';
import type { TenantTier } from '../domain/tenant.js';
import {
  UsageKeyConflictError,
  type UsageApiKey,
  type UsageKeyDirectory,
  type UsageKeyReport,
  type UsageKeys,
  type UsagePlanSummary,
} from '../ports/usage-keys.js';

/** The stage has no plan for the tenant's tier: the stack that owns the stage must define one. */
export class UsagePlanMissingError extends Error {
  constructor(
    readonly planName: string,
    readonly apiId: string,
    readonly stage: string,
  ) {
    super(
      `No usage plan '${planName}' on API ${apiId} stage ${stage}: deploy the API stack with that tier ` +
        '(stacks/constructs/usage-plans.ts) or onboard the tenant on an API that serves it',
    );
    this.name = 'UsagePlanMissingError';
  }
}

export interface UsageKeyServiceOptions {
  readonly directory: UsageKeyDirectory;
  /** The REST API id and stage name whose plans this service manages. */
  readonly apiId: string;
  readonly stage: string;
}

export class UsageKeyService implements UsageKeys {
  /** This stage's tier plans, read once: plans change only with a deploy; dropped after any failure. */
  private stagePlans: Promise<UsagePlanSummary[]> | undefined;

  constructor(private readonly options: UsageKeyServiceOptions) {}

  async ensure(tenantId: string, tier: TenantTier): Promise<UsageKeyReport> {
    try {
      return await this.converge(tenantId, tier);
    } catch (err) {
      this.stagePlans = undefined;
      throw err;
    }
  }

  async remove(tenantId: string): Promise<UsageKeyReport> {
    const keys = await this.tenantKeys(tenantUsageKey(tenantId));
    for (const key of keys) await this.options.directory.deleteKey(key.id);
    return {
      tenantId,
      created: false,
      enabled: false,
      addedTo: [],
      removedFrom: [],
      deletedKeys: keys.map((k) => k.id),
    };
  }

  private async converge(tenantId: string, tier: TenantTier): Promise<UsageKeyReport> {
    const { directory } = this.options;
    const value = tenantUsageKey(tenantId);
    const target = await this.planOf(tier);

    let keys = await this.tenantKeys(value);
    let created = false;
    if (keys.length === 0) {
      try {
        keys = [
          await directory.createKey({
            name: value,
            value,
            description: `Usage-plan key of tenant ${tenantId}`,
          }),
        ];
        created = true;
      } catch (err) {
        if (!(err instanceof UsageKeyConflictError)) throw err;
        keys = await this.tenantKeys(value);
        if (keys.length === 0)
          throw new Error(`Usage key ${value}: creation conflicted but no key has that value`, {
            cause: err,
          });
      }
    }
    const [key, ...duplicates] = keys;
    for (const d of duplicates) await directory.deleteKey(d.id);

    const enabled = !key!.enabled;
    if (enabled) await directory.enableKey(key!.id);

    const stagePlanIds = new Set((await this.plansOfStage()).map((p) => p.id));
    const holding = (await directory.plans({ keyId: key!.id })).filter((p) => stagePlanIds.has(p.id));
    const addedTo: string[] = [];
    if (!holding.some((p) => p.id === target.id)) {
      await directory.addKeyToPlan(target.id, key!.id);
      addedTo.push(target.id);
    }
    const removedFrom: string[] = [];
    for (const p of holding) {
      if (p.id === target.id) continue;
      await directory.removeKeyFromPlan(p.id, key!.id);
      removedFrom.push(p.id);
    }
    return {
      tenantId,
      keyId: key!.id,
      created,
      enabled,
      addedTo,
      removedFrom,
      deletedKeys: duplicates.map((d) => d.id),
    };
  }

  /** Keys with the tenant's exact value, earliest first (ties by id): every caller keeps the same one. */
  private async tenantKeys(value: string): Promise<UsageApiKey[]> {
    const keys = (await this.options.directory.keysNamed(value)).filter((k) => k.value === value);
    return keys.sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  }

  private async planOf(tier: TenantTier): Promise<UsagePlanSummary> {
    const name = tierUsagePlanName(tier);
    let plan = (await this.plansOfStage()).find((p) => p.name === name);
    if (!plan) {
      // Read once more: a deploy may have replaced the plans since they were cached.
      this.stagePlans = undefined;
      plan = (await this.plansOfStage()).find((p) => p.name === name);
    }
    if (!plan) throw new UsagePlanMissingError(name, this.options.apiId, this.options.stage);
    return plan;
  }

  private plansOfStage(): Promise<UsagePlanSummary[]> {
    const { apiId, stage } = this.options;
    this.stagePlans ??= this.options.directory
      .plans()
      .then((plans) =>
        plans.filter(
          (p) =>
            tierOfUsagePlan(p.name) !== undefined &&
            p.stages.some((s) => s.apiId === apiId && s.stage === stage),
        ),
      );
    return this.stagePlans;
  }
}

/** How long onboarding waits for its own provisioning attempt. */
export const ONBOARDING_USAGE_KEY_TIMEOUT_MS = 5_000;

/**
 * Onboarding's own attempt at a new tenant's key, so the tenant is not refused (403, no plan
 * key) until the `tenant.created` event has gone through the outbox relay and the bus. Never
 * fails the onboarding, whose transaction has committed: a failure or a slow answer is
 * reported to `onFailure` and the event path provisions the key. `undefined` keys (local mode,
 * no API Gateway): nothing to do.
 */
export async function ensureUsageKeyBestEffort(
  keys: UsageKeys | undefined,
  tenant: { readonly id: string; readonly tier: TenantTier },
  onFailure: (error: unknown) => void,
  timeoutMs = ONBOARDING_USAGE_KEY_TIMEOUT_MS,
): Promise<'ensured' | 'skipped' | 'failed'> {
  if (!keys) return 'skipped';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`usage key not ensured within ${timeoutMs} ms; the tenant.created event will`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([keys.ensure(tenant.id, tenant.tier), timeout]);
    return 'ensured';
  } catch (error) {
    onFailure(error);
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
}
