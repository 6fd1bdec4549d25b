/**
 * The scheduled jobs against the real stores: PGlite (and PostgreSQL with TEST_DATABASE_URL)
 * for tenants, audit and factors, dynalite for executions, a temporary directory for objects.
 * Time is frozen per step through the stores' clocks.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbExecutionStore } from '../../../lib/adapters/aws/dynamodb-execution-store.js';
import { ensureTable } from '../../../lib/adapters/aws/dynamodb-table.js';
import { dynaliteClient, startDynalite, type RunningDynalite } from '../../../lib/adapters/local/dynalite.js';
import { FileObjectStore } from '../../../lib/adapters/local/file-object-store.js';
import { SqlAuditLog } from '../../../lib/adapters/sql/audit-log.sql.js';
import { SqlFactorStore } from '../../../lib/adapters/sql/factor-store.sql.js';
import { SqlTenantStore } from '../../../lib/adapters/sql/tenant-store.sql.js';
import { EXECUTION_TABLE } from '../../../lib/config/execution-table.js';
import { FactorCatalogue } from '../../../lib/factors/catalogue.js';
import { auditExport } from '../../../lib/services/jobs/audit-export.js';
import { executionArchive } from '../../../lib/services/jobs/execution-archive.js';
import { factorSync } from '../../../lib/services/jobs/factor-sync.js';
import { metricsAggregation } from '../../../lib/services/jobs/metrics-aggregation.js';
import { regulatoryReport } from '../../../lib/services/jobs/regulatory-report.js';
import { TenantService } from '../../../lib/services/tenants.js';
import { backends, openTestDb, type TestDb } from '../../adapters/sql/harness.js';

let now = new Date('2026-03-01T00:00:00Z');
const clock = () => now;
const at = (iso: string) => (now = new Date(iso));

describe.each(backends())('scheduled jobs on %s + dynalite', (backend) => {
  let db: TestDb;
  let dynalite: RunningDynalite;
  let executions: DynamoDbExecutionStore;
  let tenants: SqlTenantStore;
  let objects: FileObjectStore;
  const dir = mkdtempSync(join(tmpdir(), 'glaf-jobs-'));
  const ids: Record<'a' | 'b', string> = { a: '', b: '' };
  const made: Record<string, string> = {};

  /** One execution: created at `created`, then (optionally) claimed and ended at `ended`. */
  async function run(
    tenant: string,
    name: string,
    created: string,
    end?: { at: string; as: 'complete' | 'fail'; co2e?: number },
  ): Promise<void> {
    at(created);
    const { execution } = await executions.create(tenant, {
      agentId: name.startsWith('cbam') ? 'cbam' : 'fuel-emissions',
      agentVersion: '1.0.0',
      input: { name },
    });
    made[name] = execution.executionId;
    if (!end) return;
    // Claimed shortly before it ends (it waited in the queue until then): the lease is valid.
    at(new Date(Date.parse(end.at) - 30_000).toISOString());
    const claimed = await executions.claim(tenant, execution.executionId, 60_000);
    at(end.at);
    if (end.as === 'complete') {
      await executions.complete(tenant, execution.executionId, claimed.leaseToken!, {
        totals: { co2e_kg: end.co2e ?? 0, label: 'not a number' },
      });
    } else {
      await executions.fail(tenant, execution.executionId, claimed.leaseToken!, {
        code: 'agent_error',
        message: 'boom',
      });
    }
  }

  beforeAll(async () => {
    db = await openTestDb(backend);
    dynalite = await startDynalite();
    const client = dynaliteClient(dynalite.endpoint);
    await ensureTable(client, EXECUTION_TABLE, 'executions');
    executions = new DynamoDbExecutionStore({ client, tableName: 'executions', clock });
    tenants = new SqlTenantStore(db.scope, clock);
    objects = new FileObjectStore(dir);
    const service = new TenantService(tenants);
    for (const k of ['a', 'b'] as const) {
      ids[k] = (
        await service.onboard({
          slug: `jobs-${k}-${backend}`,
          name: `Jobs ${k.toUpperCase()}`,
          homeRegion: 'eu-west-1',
          admin: { email: `admin@${k}.example` },
        })
      ).tenant.id;
    }
    // Oldest first, as the platform creates them (ids are time-ordered).
    await run(ids.a, 'early-finish-in-window', '2026-02-27T08:30:00Z', {
      at: '2026-02-27T09:05:00Z',
      as: 'complete',
      co2e: 5,
    });
    await run(ids.a, 'in-window', '2026-02-27T09:10:00Z', {
      at: '2026-02-27T09:20:00Z',
      as: 'complete',
      co2e: 7.5,
    });
    await run(ids.a, 'cbam-failed', '2026-02-27T09:30:00Z', { at: '2026-02-27T09:31:00Z', as: 'fail' });
    await run(ids.a, 'finished-after-window', '2026-02-27T09:50:00Z', {
      at: '2026-02-27T10:01:00Z',
      as: 'complete',
      co2e: 100,
    });
    await run(ids.a, 'still-pending', '2026-02-27T09:55:00Z');
    await run(ids.b, 'other-tenant', '2026-02-27T09:40:00Z', {
      at: '2026-02-27T09:45:00Z',
      as: 'complete',
      co2e: 1,
    });
    await run(ids.a, 'next-month', '2026-03-01T00:10:00Z', {
      at: '2026-03-01T00:11:00Z',
      as: 'complete',
      co2e: 1000,
    });
    await executions.addUsage(ids.a, '2026-02', { executions: 4, computeMs: 1234 });
  });

  afterAll(async () => {
    await dynalite?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const jsonl = (file: string) =>
    readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

  describe('execution-archive', () => {
    it("writes each tenant's executions that finished in the past hour, nothing else", async () => {
      // Act: the 10:05 run covers 09:00-10:00
      const result = await executionArchive(
        { tenants, executions, objects },
        new Date('2026-02-27T10:05:00Z'),
      );

      // Assess
      expect(result.window).toEqual({ start: '2026-02-27T09:00:00.000Z', end: '2026-02-27T10:00:00.000Z' });
      expect(result.records).toBe(4);
      const fileA = join(dir, `executions-archive/tenant_id=${ids.a}/dt=2026-02-27/hour=09.jsonl`);
      const fileB = join(dir, `executions-archive/tenant_id=${ids.b}/dt=2026-02-27/hour=09.jsonl`);
      expect([...result.objects].sort()).toEqual([fileA, fileB].sort());
      const a = jsonl(fileA);
      expect(a.map((r) => r.executionId)).toEqual([
        made['early-finish-in-window'],
        made['in-window'],
        made['cbam-failed'],
      ]);
      expect(a.every((r) => r.tenantId === ids.a && !('leaseToken' in r) && !('leaseExpiresAt' in r))).toBe(
        true,
      );
      expect(a.map((r) => r.status)).toEqual(['COMPLETED', 'COMPLETED', 'FAILED']);
      expect(jsonl(fileB).map((r) => r.executionId)).toEqual([made['other-tenant']]);
    });

    it('writes the same objects with the same content when the window is run again', async () => {
      const first = await executionArchive(
        { tenants, executions, objects },
        new Date('2026-02-27T10:05:00Z'),
      );
      const before = first.objects.map((f) => readFileSync(f, 'utf8'));
      const again = await executionArchive(
        { tenants, executions, objects },
        new Date('2026-02-27T10:59:00Z'),
      );
      expect(again.objects).toEqual(first.objects);
      expect(again.objects.map((f) => readFileSync(f, 'utf8'))).toEqual(before);
    });

    it('writes nothing for an hour in which nothing finished', async () => {
      const result = await executionArchive(
        { tenants, executions, objects },
        new Date('2026-02-27T12:00:00Z'),
      );
      expect(result).toMatchObject({ tenants: 2, records: 0, objects: [] });
    });
  });

  describe('metrics-aggregation', () => {
    it('counts by status and agent with end-to-end latency percentiles per tenant', async () => {
      const result = await metricsAggregation(
        { tenants, executions, objects },
        new Date('2026-02-27T10:10:00Z'),
      );
      expect(result.details).toEqual({ byStatus: { COMPLETED: 3, FAILED: 1 } });
      const a = json(join(dir, `metrics/tenant_id=${ids.a}/dt=2026-02-27/hour=09.json`));
      expect(a).toMatchObject({
        tenantId: ids.a,
        executions: 3,
        byStatus: { COMPLETED: 2, FAILED: 1 },
        byAgent: {
          cbam: { count: 1, p50Ms: 60_000, p95Ms: 60_000, maxMs: 60_000 },
          // 35 min and 10 min: nearest-rank p50 is the smaller, p95 the larger
          'fuel-emissions': { count: 2, p50Ms: 600_000, p95Ms: 2_100_000, maxMs: 2_100_000 },
        },
      });
    });
  });

  describe('regulatory-report', () => {
    it("sums each tenant's completed totals per agent version for the past month, with usage", async () => {
      const result = await regulatoryReport(
        { tenants, executions, objects },
        new Date('2026-03-01T04:00:00Z'),
      );
      expect(result.window).toEqual({ start: '2026-02-01T00:00:00.000Z', end: '2026-03-01T00:00:00.000Z' });
      const a = json(join(dir, `reports/tenant_id=${ids.a}/month=2026-02.json`));
      expect(a).toMatchObject({
        tenantId: ids.a,
        tenantName: 'Jobs A',
        month: '2026-02',
        agents: {
          'cbam@1.0.0': { completed: 0, notCompleted: 1, totals: {} },
          // 5 + 7.5 + 100 (finished 10:01, still February); March's 1000 is not in it
          'fuel-emissions@1.0.0': { completed: 3, notCompleted: 0, totals: { co2e_kg: 112.5 } },
        },
        usage: { executions: 4, computeMs: 1234, apiCalls: 0 },
      });
      const b = json(join(dir, `reports/tenant_id=${ids.b}/month=2026-02.json`));
      expect(b.agents).toEqual({
        'fuel-emissions@1.0.0': { completed: 1, notCompleted: 0, totals: { co2e_kg: 1 } },
      });
    });
  });

  describe('audit-export', () => {
    it("exports each tenant's entries of the past day with the verified chain head", async () => {
      // Prepare: onboarding wrote entries on 2026-03-01 (the clock then); add some on the 2nd and 3rd
      const audit = new SqlAuditLog(db.scope, clock);
      at('2026-03-02T23:59:59.999Z');
      await audit.append(ids.a, { actor: 'u1', action: 'agent.certified', target: 'agent:x' });
      at('2026-03-03T00:00:00.000Z');
      await audit.append(ids.a, { actor: 'u1', action: 'agent.retired', target: 'agent:x' });

      // Act
      const result = await auditExport({ tenants, audit, objects }, new Date('2026-03-03T01:30:00Z'));

      // Assess
      expect(result).toMatchObject({ tenants: 2, records: 1, details: { brokenChains: [] } });
      const a = json(join(dir, `audit/tenant_id=${ids.a}/dt=2026-03-02.json`));
      const entries = a.entries as { action: string; tenantId: string }[];
      expect(entries.map((e) => [e.tenantId, e.action])).toEqual([[ids.a, 'agent.certified']]);
      const chain = a.chain as { ok: boolean; head: string; entries: number };
      expect(chain.ok).toBe(true);
      expect(chain.head).toBe((await audit.list(ids.a)).at(-1)!.hash);
      // Tenant B did nothing that day: no object for it.
      expect(result.objects).toHaveLength(1);
    });
  });

  describe('factor-sync', () => {
    it('loads the shipped catalogue once; a second run inserts nothing', async () => {
      const store = new SqlFactorStore(db.scope);
      const catalogue = FactorCatalogue.builtin();
      const first = await factorSync(store, catalogue);
      const second = await factorSync(store, catalogue);
      expect(first.records).toBe(catalogue.all().length);
      expect(first.records).toBeGreaterThan(100);
      expect(second.records).toBe(0);
      expect(second.details).toMatchObject({ alreadyPresent: catalogue.all().length });
    });
  });
});
