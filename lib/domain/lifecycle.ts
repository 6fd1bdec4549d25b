/**
 * Agent version lifecycle: draft -> experimental -> certified -> deprecated, one step at a
 * time. Lower-case names match the `agent_versions.status` column.
 */
import { ConflictError, ValidationError } from './errors.js';

export const LIFECYCLE_STAGES = ['draft', 'experimental', 'certified', 'deprecated'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** No skipping: certification is the only way in, deprecation the only way out. */
export const LIFECYCLE_TRANSITIONS: Readonly<Record<LifecycleStage, readonly LifecycleStage[]>> = {
  draft: ['experimental'],
  experimental: ['certified'],
  certified: ['deprecated'],
  deprecated: [],
};

/** Stages a semver range may resolve to; drafts and deprecated versions need an exact pin. */
export const RANGE_RESOLVABLE: readonly LifecycleStage[] = ['experimental', 'certified'];

export function canPromote(from: LifecycleStage, to: LifecycleStage): boolean {
  return LIFECYCLE_TRANSITIONS[from].includes(to);
}

export class IllegalLifecycleTransitionError extends ConflictError {
  override readonly code = 'illegal_lifecycle_transition';
  constructor(
    readonly from: LifecycleStage,
    readonly to: LifecycleStage,
    readonly subject: string,
  ) {
    const allowed = LIFECYCLE_TRANSITIONS[from];
    super(
      `${subject} cannot go from ${from} to ${to}. Allowed next: ${allowed.length ? allowed.join(', ') : 'none (deprecated is final)'}`,
      { from, to, allowed },
    );
  }
}

export function assertPromotion(from: LifecycleStage, to: LifecycleStage, subject: string): void {
  if (!canPromote(from, to)) throw new IllegalLifecycleTransitionError(from, to, subject);
}

export function parseStage(value: unknown): LifecycleStage {
  const stage = typeof value === 'string' ? value.toLowerCase() : value;
  if (!LIFECYCLE_STAGES.includes(stage as LifecycleStage)) {
    const message = `Unknown lifecycle stage ${JSON.stringify(value)}. Allowed: ${LIFECYCLE_STAGES.join(', ')}`;
    throw new ValidationError([{ path: 'status', message }], message);
  }
  return stage as LifecycleStage;
}
