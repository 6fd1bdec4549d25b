/** EventBridge Scheduler target, daily: loads the shipped factor datasets (lib/services/jobs/factor-sync.ts). */
import { openJobDatabase } from '../../../lib/adapters/jobs/job-database.js';
import { jobEnv, logJobResult, scheduledTimeOf } from '../../../lib/adapters/jobs/job-env.js';
import { SqlFactorStore } from '../../../lib/adapters/sql/factor-store.sql.js';
import { FactorCatalogue } from '../../../lib/factors/catalogue.js';
import { factorSync } from '../../../lib/services/jobs/factor-sync.js';
import type { JobResult } from '../../../lib/services/jobs/job-result.js';

export async function handler(event: unknown): Promise<JobResult> {
  scheduledTimeOf('factor-sync', event);
  const db = openJobDatabase(jobEnv(['DATABASE_URL']));
  try {
    const result = await factorSync(new SqlFactorStore(db.scope), FactorCatalogue.builtin());
    logJobResult(result);
    return result;
  } finally {
    await db.close();
  }
}
