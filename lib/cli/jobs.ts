/**
 * `agent-factory jobs run <job>`: one scheduled job against the local platform's data
 * (PGlite under <data-dir>/pg, dynalite under <data-dir>/dynamodb), writing its objects under
 * <data-dir>/jobs (audit-lake-export: the local lake, <data-dir>/lake). The same services the
 * Lambdas run (lib/services/jobs). PGlite takes one
 * process at a time: stop `npm start` first.
 */
import { join } from 'node:path';
import { ensureTable } from '../adapters/aws/dynamodb-table.js';
import { DynamoDbExecutionStore } from '../adapters/aws/dynamodb-execution-store.js';
import { dynaliteClient, startDynalite } from '../adapters/local/dynalite.js';
import { FileObjectStore } from '../adapters/local/file-object-store.js';
import { ParquetLakeSink } from '../adapters/local/parquet-lake-sink.js';
import { readServerInfo } from '../adapters/local/server-info.js';
import { SqlAuditLakeFeed } from '../adapters/sql/audit-lake-feed.sql.js';
import { SqlAuditLog } from '../adapters/sql/audit-log.sql.js';
import { openDatabase } from '../adapters/sql/database.js';
import { SqlFactorStore } from '../adapters/sql/factor-store.sql.js';
import { SqlTenantStore } from '../adapters/sql/tenant-store.sql.js';
import { EXECUTION_TABLE } from '../config/execution-table.js';
import { JOB_NAMES, type JobName } from '../config/schedules.js';
import { FactorCatalogue } from '../factors/catalogue.js';
import { auditExport } from '../services/jobs/audit-export.js';
import { auditLakeExport } from '../services/jobs/audit-lake-export.js';
import { executionArchive } from '../services/jobs/execution-archive.js';
import { factorSync } from '../services/jobs/factor-sync.js';
import type { JobResult } from '../services/jobs/job-result.js';
import { metricsAggregation } from '../services/jobs/metrics-aggregation.js';
import { regulatoryReport } from '../services/jobs/regulatory-report.js';
import { LakeWriter } from '../services/lake-writer.js';
import type { Out } from './commands.js';

/** The local platform's table name (lib/http/services.ts). */
const LOCAL_TABLE = 'glaf-executions';

export interface JobsRunOptions {
  readonly dataDir: string;
  /** ISO instant the run stands for. @default now */
  readonly at?: string;
}

export async function jobsRunCommand(out: Out, job: string, options: JobsRunOptions): Promise<number> {
  if (!(JOB_NAMES as readonly string[]).includes(job)) {
    out.stderr(`Unknown job '${job}': one of ${JOB_NAMES.join(', ')}`);
    return 2;
  }
  const at = options.at ? new Date(options.at) : new Date();
  if (Number.isNaN(at.getTime())) {
    out.stderr(`--at '${options.at}' is not a date-time`);
    return 2;
  }
  if (await readServerInfo(options.dataDir)) {
    out.stderr(`A local server is using ${options.dataDir}: stop it first (PGlite takes one process)`);
    return 2;
  }
  const db = await openDatabase({ dataDir: join(options.dataDir, 'pg') });
  const dynalite = await startDynalite({ path: join(options.dataDir, 'dynamodb') });
  const client = dynaliteClient(dynalite.endpoint);
  try {
    await ensureTable(client, EXECUTION_TABLE, LOCAL_TABLE);
    const tenants = new SqlTenantStore(db.scope);
    const executions = new DynamoDbExecutionStore({ client, tableName: LOCAL_TABLE });
    const objects = new FileObjectStore(join(options.dataDir, 'jobs'));
    const runs: Record<JobName, () => Promise<JobResult>> = {
      'factor-sync': () => factorSync(new SqlFactorStore(db.scope), FactorCatalogue.builtin()),
      'execution-archive': () => executionArchive({ tenants, executions, objects }, at),
      'audit-export': () => auditExport({ tenants, audit: new SqlAuditLog(db.scope), objects }, at),
      'metrics-aggregation': () => metricsAggregation({ tenants, executions, objects }, at),
      'regulatory-report': () => regulatoryReport({ tenants, executions, objects }, at),
      // The local lake (`agent-factory query`) instead of the Firehose stream.
      'audit-lake-export': async () => {
        const sink = await ParquetLakeSink.open(join(options.dataDir, 'lake'));
        try {
          return await auditLakeExport({
            feed: new SqlAuditLakeFeed(db.scope),
            writer: new LakeWriter(sink),
          });
        } finally {
          await sink.close();
        }
      },
    };
    out.stdout(JSON.stringify(await runs[job as JobName](), null, 2));
    return 0;
  } finally {
    client.destroy();
    await dynalite.close();
    await db.close();
  }
}
