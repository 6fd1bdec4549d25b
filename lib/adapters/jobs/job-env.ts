/**
 * What every scheduled-job Lambda shares: its environment (validated once, with zod), the
 * Scheduler event (`{ job, scheduledTime }`, the time coming from the schedule's context
 * attribute so a retry covers the same window), and the log line of the result.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { DatabaseEnvSchema } from '../../config/runtime-env.js';
import { JOB_NAMES, type JobName } from '../../config/schedules.js';
import type { JobResult } from '../../services/jobs/job-result.js';

const EnvSchema = z.object({
  // DATABASE_URL, DB_IAM_AUTH, GLAF_DB_ROLE_PREFIX as every deployed runtime reads them; the
  // URL is optional here (not every job reads the database).
  ...DatabaseEnvSchema.shape,
  DATABASE_URL: DatabaseEnvSchema.shape.DATABASE_URL.optional(),
  EXECUTION_TABLE_NAME: z.string().min(3).max(255).optional(),
  /** S3 bucket for archives, exports and reports; locally OUTPUT_DIR instead. */
  OUTPUT_BUCKET: z.string().min(3).max(63).optional(),
  OUTPUT_DIR: z.string().min(1).optional(),
  /** The lake's Firehose stream names are `<prefix><table>` (lib/lake/layout.ts); the audit-lake export writes audit_events. */
  LAKE_STREAM_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,40}$/)
    .optional(),
  /** dynalite in tests and local runs; absent in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
});
export type JobEnv = z.output<typeof EnvSchema>;
/** For the env parity test: what the schedules stack sets must parse with it. */
export { EnvSchema as JobEnvSchema };

export class JobConfigError extends Error {
  override readonly name = 'JobConfigError';
}

/** The environment with the fields the job needs present, or a JobConfigError naming them. */
export function jobEnv<K extends keyof JobEnv>(
  required: readonly K[],
  env: NodeJS.ProcessEnv = process.env,
): JobEnv & { [P in K]-?: NonNullable<JobEnv[P]> } {
  const r = EnvSchema.safeParse(env);
  if (!r.success) {
    throw new JobConfigError(
      `Job environment is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const missing = required.filter((k) => r.data[k] === undefined);
  if (missing.length > 0) throw new JobConfigError(`Job environment lacks ${missing.join(', ')}`);
  return r.data as JobEnv & { [P in K]-?: NonNullable<JobEnv[P]> };
}

const EventSchema = z.object({
  job: z.enum(JOB_NAMES).optional(),
  /** ISO instant; absent (a manual invoke) = now. */
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
});

/** The time the run stands for; a payload naming another job is refused (miswired target). */
export function scheduledTimeOf(job: JobName, event: unknown, now: () => Date = () => new Date()): Date {
  const r = EventSchema.safeParse(event ?? {});
  if (!r.success) throw new JobConfigError(`Scheduler payload is invalid: ${r.error.issues[0]?.message}`);
  if (r.data.job && r.data.job !== job) throw new JobConfigError(`Payload is for ${r.data.job}, not ${job}`);
  return r.data.scheduledTime ? new Date(r.data.scheduledTime) : now();
}

const logger = new Logger();

/** One structured line per run: counts and locations, never object contents. */
export function logJobResult(result: JobResult): void {
  logger.info('job finished', {
    job: result.job,
    window: result.window,
    tenants: result.tenants,
    records: result.records,
    objects: result.objects.length,
    details: result.details,
  });
}
