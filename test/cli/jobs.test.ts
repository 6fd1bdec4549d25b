/**
 * `agent-factory jobs run` on a local data directory: the stores the local platform keeps
 * there (PGlite, dynalite) are filled first, then the command runs a job over them.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbExecutionStore } from '../../lib/adapters/aws/dynamodb-execution-store.js';
import { ensureTable } from '../../lib/adapters/aws/dynamodb-table.js';
import { LakeQueryEngine } from '../../lib/adapters/local/lake-query-engine.js';
import { dynaliteClient, startDynalite } from '../../lib/adapters/local/dynalite.js';
import { openDatabase } from '../../lib/adapters/sql/database.js';
import { SqlTenantStore } from '../../lib/adapters/sql/tenant-store.sql.js';
import type { Out } from '../../lib/cli/commands.js';
import { jobsRunCommand } from '../../lib/cli/jobs.js';
import { EXECUTION_TABLE } from '../../lib/config/execution-table.js';
import { TenantService } from '../../lib/services/tenants.js';

function capture(): Out & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

describe('jobs run', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'glaf-cli-jobs-'));
  let tenantId = '';
  let executionId = '';
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  beforeAll(async () => {
    // Prepare: one tenant, one execution finished at 09:20 on 2026-02-27
    const db = await openDatabase({ dataDir: join(dataDir, 'pg') });
    tenantId = (
      await new TenantService(new SqlTenantStore(db.scope)).onboard({
        slug: 'cli-jobs',
        name: 'CLI Jobs',
        homeRegion: 'eu-west-1',
        admin: { email: 'a@cli.example' },
      })
    ).tenant.id;
    await db.close();
    const dynalite = await startDynalite({ path: join(dataDir, 'dynamodb') });
    const client = dynaliteClient(dynalite.endpoint);
    let now = new Date('2026-02-27T09:10:00Z');
    const store = new DynamoDbExecutionStore({ client, tableName: 'glaf-executions', clock: () => now });
    await ensureTable(client, EXECUTION_TABLE, 'glaf-executions');
    const { execution } = await store.create(tenantId, { agentId: 'eudr', agentVersion: '1.0.0', input: {} });
    executionId = execution.executionId;
    now = new Date('2026-02-27T09:19:50Z');
    const claimed = await store.claim(tenantId, executionId, 60_000);
    now = new Date('2026-02-27T09:20:00Z');
    await store.complete(tenantId, executionId, claimed.leaseToken!, { ok: true });
    client.destroy();
    await dynalite.close();
  });

  it('archives the hour before --at from the local stores into <data-dir>/jobs', async () => {
    const io = capture();
    const code = await jobsRunCommand(io, 'execution-archive', { dataDir, at: '2026-02-27T10:05:00Z' });
    expect({ code, err: io.err }).toEqual({ code: 0, err: [] });
    const result = JSON.parse(io.out.join('')) as { records: number; objects: string[] };
    const file = join(dataDir, `jobs/executions-archive/tenant_id=${tenantId}/dt=2026-02-27/hour=09.jsonl`);
    expect(result).toMatchObject({ records: 1, objects: [file] });
    expect(JSON.parse(readFileSync(file, 'utf8')) as unknown).toMatchObject({
      executionId,
      status: 'COMPLETED',
    });
  });

  it("copies the tenant's audit chain (tenant.created first) to <data-dir>/lake once", async () => {
    const io = capture();
    expect(await jobsRunCommand(io, 'audit-lake-export', { dataDir })).toBe(0);
    const result = JSON.parse(io.out.join('')) as { job: string; tenants: number; records: number };
    expect(result).toMatchObject({ job: 'audit-lake-export', tenants: 1 });
    expect(result.records).toBeGreaterThan(0);
    const engine = await LakeQueryEngine.open(join(dataDir, 'lake'), { tenantId });
    try {
      const rows = (await engine.query('SELECT seq, action FROM audit_events ORDER BY seq')).rows;
      expect(rows.length).toBe(result.records);
      expect(rows[0]).toEqual({ seq: 1, action: 'tenant.created' });
      expect(rows.map((r) => r['seq'])).toEqual(rows.map((_, i) => i + 1));
    } finally {
      engine.close();
    }
    // The cursor moved: a second run has nothing left to copy.
    const again = capture();
    expect(await jobsRunCommand(again, 'audit-lake-export', { dataDir })).toBe(0);
    expect(JSON.parse(again.out.join(''))).toMatchObject({ tenants: 0, records: 0 });
  });

  it('refuses an unknown job and a bad --at without touching the data', async () => {
    const io = capture();
    expect(await jobsRunCommand(io, 'backup-everything', { dataDir })).toBe(2);
    expect(await jobsRunCommand(io, 'audit-export', { dataDir, at: 'yesterday' })).toBe(2);
    expect(io.err).toEqual([
      "Unknown job 'backup-everything': one of factor-sync, execution-archive, audit-export, metrics-aggregation, regulatory-report, audit-lake-export",
      "--at 'yesterday' is not a date-time",
    ]);
    expect(existsSync(join(dataDir, 'jobs/audit'))).toBe(false);
  });
});
