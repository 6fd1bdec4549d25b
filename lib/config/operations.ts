/**
 * Operations configuration of an environment: alarms (observability), backups and retention,
 * and cost controls. Plain data and zod only (the stacks read it; `lib` never imports the CDK).
 * Part of `EnvironmentConfigSchema` in app-config.ts, validated once with the rest.
 */
import * as z from 'zod';

const Emails = z.array(z.email()).max(10);
/** `HH:MM`, 24-hour clock, in the schedule's time zone. */
const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day such as 20:00');
/** Serverless v2 capacity steps are 0.5 ACU. */
const Acu = z
  .number()
  .min(0.5)
  .max(256)
  .refine((n) => Number.isInteger(n * 2), 'ACU values step by 0.5');

export const ObservabilityConfigSchema = z
  .object({
    /** Subscribed to the alarm topic (on-call). Empty: subscribe by other means (chat, pager). */
    alarmEmails: Emails,
    /** API p95 latency alarm threshold. */
    apiLatencyP95Ms: z.number().int().positive(),
    /** Aurora replica / Global Database replication lag alarm threshold. */
    replicaLagMs: z.number().positive(),
    /** Worker function errors per 5 minutes that raise the alarm. */
    workerErrorsPer5Min: z.number().int().positive(),
    /** Also track the API SLO in CloudWatch Application Signals (enables it in the account). */
    applicationSignalsSlo: z.boolean().default(false),
  })
  .strict();
export type ObservabilityConfig = z.infer<typeof ObservabilityConfigSchema>;

export const OBJECT_LOCK_MODES = ['COMPLIANCE', 'GOVERNANCE'] as const;

export const BackupConfigSchema = z
  .object({
    /** Daily AWS Backup recovery points are kept this long, here and in the copy region. */
    retentionDays: z.number().int().min(1).max(36_500),
    /** Hour (UTC) the daily backup window opens; outside Aurora's 01:00-02:00 backup window. */
    dailyHourUtc: z.number().int().min(0).max(23),
    /** Audit bucket Object Lock: COMPLIANCE cannot be shortened by anyone, root included. */
    auditObjectLock: z
      .object({ mode: z.enum(OBJECT_LOCK_MODES), retentionDays: z.number().int().min(1).max(36_500) })
      .strict(),
  })
  .strict();
export type BackupConfig = z.infer<typeof BackupConfigSchema>;

export const ScaleDownConfigSchema = z
  .object({
    /** IANA zone the times are in (EventBridge Scheduler evaluates cron in it, DST included). */
    timeZone: z.string().regex(/^[A-Za-z_]+(\/[A-Za-z_]+)*$/, 'an IANA time zone such as Europe/Dublin'),
    /** Scale down at this time on weekdays (and stay down over the weekend). */
    downAt: ClockTime,
    /** Restore at this time, Monday to Friday. */
    upAt: ClockTime,
    /** Aurora Serverless v2 capacity range at night (the day range is `aurora`). */
    auroraNight: z.object({ minCapacity: Acu, maxCapacity: Acu }).strict(),
  })
  .strict()
  .refine((s) => s.auroraNight.minCapacity <= s.auroraNight.maxCapacity, {
    path: ['auroraNight', 'minCapacity'],
    message: 'minCapacity exceeds maxCapacity',
  })
  .refine((s) => s.downAt !== s.upAt, { path: ['upAt'], message: 'upAt equals downAt' });
export type ScaleDownConfig = z.infer<typeof ScaleDownConfigSchema>;

export const CostConfigSchema = z
  .object({
    /** Monthly cost budget of the control-plane account of this environment (USD). */
    monthlyBudgetUsd: z.number().positive(),
    /** Monthly cost budget of each silo tenant's account (USD). */
    siloMonthlyBudgetUsd: z.number().positive(),
    /** Actual-cost notifications, percent of the budget. */
    budgetAlertPercents: z.array(z.number().positive().max(1000)).min(1).max(5),
    /** Subscribed to the cost alert topic (budgets and anomalies). */
    alertEmails: Emails,
    /** Cost anomalies with at least this total impact (USD) are sent to the topic. */
    anomalyThresholdUsd: z.number().positive(),
    /** Night scale-down; absent: always on (production must leave it out, see app-config). */
    scaleDown: ScaleDownConfigSchema.optional(),
  })
  .strict();
export type CostConfig = z.infer<typeof CostConfigSchema>;

/**
 * AWS Budgets and Cost Anomaly Detection are global services served from us-east-1, and
 * CloudFormation knows the `AWS::CE::*` types there only: the cost stack is deployed to it.
 */
export const BILLING_REGION = 'us-east-1';
