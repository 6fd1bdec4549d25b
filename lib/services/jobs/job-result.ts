/** What every scheduled job reports (logged by the Lambda, printed by the CLI). */
import type { JobName } from '../../config/schedules.js';
import type { JobWindow } from './windows.js';

export interface JobResult {
  readonly job: JobName;
  /** The window covered, ISO instants; absent for jobs that are not windowed (factor sync). */
  readonly window?: { readonly start: string; readonly end: string };
  /** Tenants visited. */
  readonly tenants: number;
  /** Records the job read and wrote (executions, audit entries, factors ...). */
  readonly records: number;
  /** Objects written (S3 URIs or file paths). */
  readonly objects: readonly string[];
  /** Job-specific figures. */
  readonly details: Readonly<Record<string, unknown>>;
}

export function windowJson(w: JobWindow): { start: string; end: string } {
  return { start: w.start.toISOString(), end: w.end.toISOString() };
}
