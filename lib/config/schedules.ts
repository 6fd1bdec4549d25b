/**
 * The scheduled jobs as plain data: the schedules stack (one EventBridge Scheduler schedule
 * and one Lambda per job) and the local CLI (`agent-factory jobs run <job>`) read the same
 * list, so a job cannot exist on one side only. Expressions are EventBridge Scheduler syntax,
 * in UTC; each job derives the window it covers from the schedule's `scheduledTime`, so a
 * retry or a late run covers the same window as the original run.
 */

export const JOB_NAMES = [
  'factor-sync',
  'execution-archive',
  'audit-export',
  'metrics-aggregation',
  'regulatory-report',
  'audit-lake-export',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface JobSchedule {
  readonly name: JobName;
  /** EventBridge Scheduler expression, UTC. */
  readonly expression: string;
  readonly description: string;
  /** Lambda timeout in seconds (the job's work bound). */
  readonly timeoutSeconds: number;
}

/*
 * Minutes are spread so the jobs do not start together; the hourly jobs run a few minutes
 * after the hour they cover has closed (work finishing at 10:59:59 is in the 10:00 window).
 */
export const JOB_SCHEDULES: readonly JobSchedule[] = [
  {
    name: 'factor-sync',
    expression: 'cron(15 2 * * ? *)',
    description: 'Daily: load the shipped emission-factor datasets into the factor store (idempotent)',
    timeoutSeconds: 300,
  },
  {
    name: 'execution-archive',
    expression: 'cron(5 * * * ? *)',
    description:
      'Hourly: copy the executions finished in the past hour to the archive (executions-archive/tenant_id=/dt=/hour=)',
    timeoutSeconds: 600,
  },
  {
    name: 'audit-export',
    expression: 'cron(30 1 * * ? *)',
    description: "Daily: export each tenant's audit entries of the past day with the chain verification",
    timeoutSeconds: 600,
  },
  {
    name: 'metrics-aggregation',
    expression: 'cron(10 * * * ? *)',
    description: 'Hourly: per-tenant execution counts and durations of the past hour',
    timeoutSeconds: 600,
  },
  {
    name: 'regulatory-report',
    expression: 'cron(0 4 1 * ? *)',
    description: "Monthly: each tenant's completed calculations of the past month, totals per agent",
    timeoutSeconds: 900,
  },
  {
    name: 'audit-lake-export',
    expression: 'cron(0/5 * * * ? *)',
    description:
      "Every 5 minutes: copy each tenant's audit entries past its cursor to the lake (audit_events Firehose stream)",
    timeoutSeconds: 300,
  },
];

/** The handler of a job, relative to the repository root. */
export function jobEntry(name: JobName): string {
  return `lambdas/scheduled/${name}/handler.ts`;
}
