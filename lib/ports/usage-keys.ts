/**
 * Per-tenant usage-plan keys (API Gateway in AWS; nothing locally, where the in-app limiter
 * meters tenants). `UsageKeyDirectory` is the gateway's key and plan administration as the
 * provisioning service needs it; `UsageKeys` is that service as callers see it.
 */
import type { TenantTier } from '../domain/tenant.js';

export interface UsageApiKey {
  readonly id: string;
  readonly name: string;
  readonly value: string;
  readonly enabled: boolean;
  readonly createdAt: Date;
}

export interface UsagePlanStage {
  readonly apiId: string;
  readonly stage: string;
}

export interface UsagePlanSummary {
  readonly id: string;
  readonly name: string;
  readonly stages: readonly UsagePlanStage[];
}

/** The directory refused to create a key because one with that value (or name) exists. */
export class UsageKeyConflictError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageKeyConflictError';
  }
}

export interface UsageKeyDirectory {
  /** Every key whose name is exactly `name`, with its value. */
  keysNamed(name: string): Promise<UsageApiKey[]>;
  /** Creates an enabled key; UsageKeyConflictError when the value is taken. */
  createKey(input: { name: string; value: string; description: string }): Promise<UsageApiKey>;
  enableKey(keyId: string): Promise<void>;
  /** Idempotent: a key that is already gone is not an error. */
  deleteKey(keyId: string): Promise<void>;
  /** Every usage plan of the account and region; with `keyId`, only the plans holding that key. */
  plans(filter?: { keyId?: string }): Promise<UsagePlanSummary[]>;
  /** Idempotent: a key already in the plan is not an error. */
  addKeyToPlan(planId: string, keyId: string): Promise<void>;
  /** Idempotent: a key not in the plan is not an error. */
  removeKeyFromPlan(planId: string, keyId: string): Promise<void>;
}

/** What one call changed (empty lists and false flags: it was already right). */
export interface UsageKeyReport {
  readonly tenantId: string;
  /** The key kept; undefined when there is none (removed, or nothing to remove). */
  readonly keyId?: string;
  readonly created: boolean;
  readonly enabled: boolean;
  readonly addedTo: readonly string[];
  readonly removedFrom: readonly string[];
  /** Keys deleted: offboarding, or duplicates left by a concurrent creation. */
  readonly deletedKeys: readonly string[];
}

export interface UsageKeys {
  /** The tenant's key exists, is enabled and is in its tier's plan of this API stage only. */
  ensure(tenantId: string, tier: TenantTier): Promise<UsageKeyReport>;
  /** The tenant's key is gone (which takes it out of every plan). */
  remove(tenantId: string): Promise<UsageKeyReport>;
}
