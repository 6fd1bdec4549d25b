/** EventBridge Scheduler target, daily: each tenant's audit entries of the past day (lib/services/jobs/audit-export.ts). */
import { openJobDatabase } from '../../../lib/adapters/jobs/job-database.js';
import { jobEnv, logJobResult, scheduledTimeOf } from '../../../lib/adapters/jobs/job-env.js';
import { objectStoreOf } from '../../../lib/adapters/jobs/job-stores.js';
import { SqlAuditLog } from '../../../lib/adapters/sql/audit-log.sql.js';
import { SqlTenantStore } from '../../../lib/adapters/sql/tenant-store.sql.js';
import { auditExport } from '../../../lib/services/jobs/audit-export.js';
import type { JobResult } from '../../../lib/services/jobs/job-result.js';

export async function handler(event: unknown): Promise<JobResult> {
  const at = scheduledTimeOf('audit-export', event);
  const env = jobEnv(['DATABASE_URL']);
  const db = openJobDatabase(env);
  try {
    const result = await auditExport(
      {
        tenants: new SqlTenantStore(db.scope),
        audit: new SqlAuditLog(db.scope),
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
