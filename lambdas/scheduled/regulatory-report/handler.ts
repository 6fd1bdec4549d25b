/** EventBridge Scheduler target, monthly: each tenant's completed calculations of the past month (lib/services/jobs/regulatory-report.ts). */
import { openJobDatabase } from '../../../lib/adapters/jobs/job-database.js';
import { jobEnv, logJobResult, scheduledTimeOf } from '../../../lib/adapters/jobs/job-env.js';
import { executionStoreOf, objectStoreOf } from '../../../lib/adapters/jobs/job-stores.js';
import { SqlTenantStore } from '../../../lib/adapters/sql/tenant-store.sql.js';
import { regulatoryReport } from '../../../lib/services/jobs/regulatory-report.js';
import type { JobResult } from '../../../lib/services/jobs/job-result.js';

export async function handler(event: unknown): Promise<JobResult> {
  const at = scheduledTimeOf('regulatory-report', event);
  const env = jobEnv(['DATABASE_URL', 'EXECUTION_TABLE_NAME']);
  const db = openJobDatabase(env);
  try {
    const result = await regulatoryReport(
      {
        tenants: new SqlTenantStore(db.scope),
        executions: executionStoreOf(env),
        objects: objectStoreOf(env),
      },
      at,
    );
    logJobResult(result);
    return result;
  } finally {
    await db.close();
  }
}
