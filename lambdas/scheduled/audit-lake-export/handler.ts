/**
 * EventBridge Scheduler target, every 5 minutes: audit entries past each tenant's cursor to the
 * lake's audit_events Firehose stream (lib/services/jobs/audit-lake-export.ts). New pages stop
 * starting 30 s before the Lambda deadline; the next run continues from the cursors.
 */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { Context } from 'aws-lambda';
import { FirehoseLakeSink } from '../../../lib/adapters/aws/firehose-lake-sink.js';
import { openJobDatabase } from '../../../lib/adapters/jobs/job-database.js';
import { jobEnv, logJobResult, scheduledTimeOf } from '../../../lib/adapters/jobs/job-env.js';
import { SqlAuditLakeFeed } from '../../../lib/adapters/sql/audit-lake-feed.sql.js';
import { lakeStreamNames } from '../../../lib/lake/layout.js';
import { auditLakeExport } from '../../../lib/services/jobs/audit-lake-export.js';
import type { JobResult } from '../../../lib/services/jobs/job-result.js';
import { LakeWriter } from '../../../lib/services/lake-writer.js';

const DEADLINE_MARGIN_MS = 30_000;

export async function handler(
  event: unknown,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<JobResult> {
  scheduledTimeOf('audit-lake-export', event); // refuses a payload meant for another job
  const env = jobEnv(['DATABASE_URL', 'LAKE_STREAM_PREFIX']);
  const db = openJobDatabase(env);
  try {
    const streams = lakeStreamNames(env.LAKE_STREAM_PREFIX);
    const sink = new FirehoseLakeSink({
      client: new FirehoseClient({ region: env.AWS_REGION }),
      streams: { audit_events: streams.audit_events },
    });
    const result = await auditLakeExport(
      { feed: new SqlAuditLakeFeed(db.scope), writer: new LakeWriter(sink) },
      context ? { deadline: () => context.getRemainingTimeInMillis() < DEADLINE_MARGIN_MS } : {},
    );
    logJobResult(result);
    return result;
  } finally {
    await db.close();
  }
}
