/**
 * The API availability SLO as plain data: the observability stack turns it into burn-rate
 * alarms, and a runtime that emits `slo.violation` events reads the same objective.
 *
 * Error budget = 1 - objective (99.99 % -> 0.01 % of requests may fail over 30 days).
 * Burn rate b = observed error ratio / error budget: b = 1 spends the budget in exactly the
 * SLO period; b = 14.4 spends 2 % of it in one hour (14.4 x 1 h / 720 h); b = 6 spends 5 %
 * in six hours (6 x 6 h / 720 h). Each alert pairs a long window (is the budget really being
 * spent?) with a short one (is it still being spent now?), so it fires fast and resets fast
 * (multi-window, multi-burn-rate alerting, Google SRE workbook ch. 5).
 */

export interface BurnRateWindow {
  /** Alert name suffix: `fast` pages, `slow` tickets. */
  readonly name: 'fast' | 'slow';
  readonly burnRate: number;
  readonly longWindowMinutes: number;
  readonly shortWindowMinutes: number;
  /** Share of the period's budget spent when the long window fires (documentation). */
  readonly budgetSpent: number;
}

export interface AvailabilitySlo {
  /** Name carried by `slo.violation` events. */
  readonly name: string;
  /** Fraction of requests that succeed (not 5xx). */
  readonly objective: number;
  readonly periodDays: number;
  readonly windows: readonly BurnRateWindow[];
}

export const API_AVAILABILITY_SLO: AvailabilitySlo = {
  name: 'api-availability',
  objective: 0.9999,
  periodDays: 30,
  windows: [
    { name: 'fast', burnRate: 14.4, longWindowMinutes: 60, shortWindowMinutes: 5, budgetSpent: 0.02 },
    { name: 'slow', burnRate: 6, longWindowMinutes: 360, shortWindowMinutes: 30, budgetSpent: 0.05 },
  ],
};

/** Fraction of requests allowed to fail over the period. */
export function errorBudget(slo: AvailabilitySlo): number {
  return 1 - slo.objective;
}

/** Error ratio above which a window burns the budget at `burnRate` or faster. */
export function burnRateThreshold(slo: AvailabilitySlo, burnRate: number): number {
  return burnRate * errorBudget(slo);
}
