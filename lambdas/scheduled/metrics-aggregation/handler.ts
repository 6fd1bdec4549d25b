/** EventBridge Scheduler target, hourly: per-tenant execution counts and latencies of the past hour (lib/services/jobs/metrics-aggregation.ts). */
import { openJobDatabase } from '../../../lib/adapters/jobs/job-database.js';
import { jobEnv, logJobResult, scheduledTimeOf } from '../../../lib/adapters/jobs/job-env.js';
import { executionStoreOf, objectStoreOf } from '../../../lib/adapters/jobs/job-stores.js';
import { SqlTenantStore } from '../../../lib/adapters/sql/tenant-store.sql.js';
import { metricsAggregation } from '../../../lib/services/jobs/metrics-aggregation.js';
import type { JobResult } from '../../../lib/services/jobs/job-result.js';

export async function handler(event: unknown): Promise<JobResult> {
  const at = scheduledTimeOf('metrics-aggregation', event);
  const env = jobEnv(['DATABASE_URL', 'EXECUTION_TABLE_NAME']);
  const db = openJobDatabase(env);
  try {
    const result = await metricsAggregation(
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
