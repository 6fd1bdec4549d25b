import { describe, expect, it } from 'vitest';
import { ConfigError, ENVIRONMENT_NAMES, validateEnvironments } from '../../lib/config/app-config.js';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { API_AVAILABILITY_SLO, burnRateThreshold, errorBudget } from '../../lib/config/slo.js';

type Raw = Record<string, unknown>;

/** The validated environments with one edit applied to `name` (the rest stay valid). */
function withEdit(name: 'dev' | 'prod', edit: (c: Raw) => Raw) {
  const raw = Object.fromEntries(
    ENVIRONMENT_NAMES.map((n) => [n, structuredClone(ENVIRONMENTS[n])]),
  ) as Record<string, Raw>;
  raw[name] = edit(raw[name]!);
  return () => validateEnvironments(raw as Parameters<typeof validateEnvironments>[0]);
}

describe('operations configuration', () => {
  it('pins alarms, backups and cost controls per environment', () => {
    const summary = Object.fromEntries(
      ENVIRONMENT_NAMES.map((n) => {
        const c = ENVIRONMENTS[n];
        return [
          n,
          {
            p95: c.observability.apiLatencyP95Ms,
            lag: c.observability.replicaLagMs,
            backupDays: c.backup.retentionDays,
            lock: c.backup.auditObjectLock,
            budget: c.cost.monthlyBudgetUsd,
            alerts: c.cost.budgetAlertPercents,
            scaleDown: c.cost.scaleDown !== undefined,
          },
        ];
      }),
    );
    expect(summary).toEqual({
      dev: {
        p95: 1000,
        lag: 100,
        backupDays: 30,
        lock: { mode: 'GOVERNANCE', retentionDays: 30 },
        budget: 1500,
        alerts: [80, 90, 100],
        scaleDown: true,
      },
      staging: {
        p95: 800,
        lag: 100,
        backupDays: 30,
        lock: { mode: 'GOVERNANCE', retentionDays: 30 },
        budget: 4000,
        alerts: [80, 90, 100],
        scaleDown: true,
      },
      prod: {
        p95: 500,
        lag: 100,
        backupDays: 30,
        // 7 years of 365 days plus two leap days.
        lock: { mode: 'COMPLIANCE', retentionDays: 7 * 365 + 2 },
        budget: 25000,
        alerts: [80, 90, 100],
        scaleDown: false,
      },
    });
  });

  it('refuses a night scale-down in an environment that protects its data', () => {
    const validate = withEdit('prod', (c) => ({
      ...c,
      cost: { ...(c.cost as Raw), scaleDown: ENVIRONMENTS.dev.cost.scaleDown },
    }));
    expect(validate).toThrow(ConfigError);
    expect(validate).toThrow(/cost\.scaleDown: night scale-down is for non-production/);
  });

  it('refuses a bad alarm address, an inverted night range and a malformed time', () => {
    expect(
      withEdit('dev', (c) => ({
        ...c,
        observability: { ...(c.observability as Raw), alarmEmails: ['oncall'] },
      })),
    ).toThrow(/observability\.alarmEmails\.0/);
    const night = (patch: Raw) =>
      withEdit('dev', (c) => {
        const cost = c.cost as Raw;
        return { ...c, cost: { ...cost, scaleDown: { ...(cost.scaleDown as Raw), ...patch } } };
      });
    expect(night({ auroraNight: { minCapacity: 2, maxCapacity: 1 } })).toThrow(
      /cost\.scaleDown\.auroraNight\.minCapacity: minCapacity exceeds maxCapacity/,
    );
    expect(night({ auroraNight: { minCapacity: 0.75, maxCapacity: 1 } })).toThrow(/step by 0\.5/);
    expect(night({ downAt: '24:00' })).toThrow(/cost\.scaleDown\.downAt/);
    // Positive control: the untouched configuration validates.
    expect(withEdit('dev', (c) => c)()).toHaveProperty('dev.cost.scaleDown.downAt', '20:00');
  });
});

describe('the API availability SLO', () => {
  it('is 99.99 % over 30 days: an error budget of 0.01 % of requests', () => {
    expect(API_AVAILABILITY_SLO.objective).toBe(0.9999);
    expect(errorBudget(API_AVAILABILITY_SLO)).toBeCloseTo(0.0001, 12);
  });

  it('alerts at 14.4x over 1 h (2 % of the budget) and 6x over 6 h (5 %)', () => {
    const hours = API_AVAILABILITY_SLO.periodDays * 24;
    const byName = Object.fromEntries(API_AVAILABILITY_SLO.windows.map((w) => [w.name, w]));
    expect(byName.fast).toMatchObject({ burnRate: 14.4, longWindowMinutes: 60, shortWindowMinutes: 5 });
    expect(byName.slow).toMatchObject({ burnRate: 6, longWindowMinutes: 360, shortWindowMinutes: 30 });
    for (const w of API_AVAILABILITY_SLO.windows) {
      // The documented share of the budget is what the burn rate spends over the long window.
      expect((w.burnRate * w.longWindowMinutes) / 60 / hours).toBeCloseTo(w.budgetSpent, 12);
      // The short window is 1/12 of the long one (SRE workbook).
      expect(w.shortWindowMinutes * 12).toBe(w.longWindowMinutes);
    }
    expect(burnRateThreshold(API_AVAILABILITY_SLO, 14.4)).toBeCloseTo(0.00144, 12);
    expect(burnRateThreshold(API_AVAILABILITY_SLO, 6)).toBeCloseTo(0.0006, 12);
  });
});
