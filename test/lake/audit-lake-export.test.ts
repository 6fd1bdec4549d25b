/**
 * Audit entries to the lake (audit_events) past a per-tenant cursor, as the scheduled job runs
 * it in AWS: SqlAuditLakeFeed on PGlite (and PostgreSQL when TEST_DATABASE_URL is set) -> the
 * LakeWriter -> FirehoseLakeSink -> the fake Firehose endpoint (wire protocol checked there).
 * Entries written by the tenant store itself (tenant.created) are included; nothing is
 * delivered twice by successive runs; a failed delivery keeps the cursor and is delivered on
 * the next run; the cursor rows are tenant-scoped (RLS), with positive controls.
 */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FirehoseLakeSink } from '../../lib/adapters/aws/firehose-lake-sink.js';
import { SqlAuditLakeFeed } from '../../lib/adapters/sql/audit-lake-feed.sql.js';
import { SqlAuditLog } from '../../lib/adapters/sql/audit-log.sql.js';
import { createTenantScope } from '../../lib/adapters/sql/tenant-scope.js';
import { SqlTenantStore } from '../../lib/adapters/sql/tenant-store.sql.js';
import type { AuditEntry } from '../../lib/domain/audit.js';
import { AuditService } from '../../lib/services/audit.js';
import { AuditLakeExportError, auditLakeExport } from '../../lib/services/jobs/audit-lake-export.js';
import { LakeWriter } from '../../lib/services/lake-writer.js';
import { TenantService } from '../../lib/services/tenants.js';
import { backends, openTestDb, type TestDb } from '../adapters/sql/harness.js';
import { startFakeFirehose, type FakeFirehose } from './fake-firehose.js';

const STREAM = 'glaf-test-lake-audit_events';

interface AuditRecord {
  tenant_id: string;
  dt: string;
  seq: number;
  occurred_at: string;
  action: string;
  hash: string;
  prev_hash: string;
  data_json: string;
}

describe.each(backends())('audit entries to the lake on %s', (backend) => {
  let db: TestDb;
  let firehose: FakeFirehose;
  let feed: SqlAuditLakeFeed;
  let audit: AuditService;
  let tenants: TenantService;
  let writer: LakeWriter;
  let n = 0;

  beforeAll(async () => {
    db = await openTestDb(backend);
    firehose = await startFakeFirehose();
    feed = new SqlAuditLakeFeed(db.scope);
    audit = new AuditService(new SqlAuditLog(db.scope));
    tenants = new TenantService(new SqlTenantStore(db.scope));
    const client = new FirehoseClient({
      region: 'eu-west-1',
      endpoint: firehose.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    writer = new LakeWriter(
      new FirehoseLakeSink({
        client,
        streams: { audit_events: STREAM },
        maxAttempts: 2,
        sleep: () => Promise.resolve(),
      }),
    );
  }, 60_000);
  afterEach(() => firehose.failWith(undefined));
  afterAll(async () => {
    await firehose?.close();
    await db?.close();
  });

  const onboard = async (): Promise<string> =>
    (
      await tenants.onboard({
        slug: `lake-audit-${backend}-${(n += 1)}`,
        name: 'Lake Audit Co',
        homeRegion: 'eu-west-1',
        admin: { email: 'a@lake-audit.example' },
      })
    ).tenant.id;

  const delivered = (): AuditRecord[] =>
    (firehose.delivered.get(STREAM) ?? []).map((line) => JSON.parse(line) as AuditRecord);
  const deliveredOf = (tenantId: string) => delivered().filter((r) => r.tenant_id === tenantId);
  const chainOf = async (tenantId: string): Promise<AuditEntry[]> => audit.trail(tenantId, 0, 1000);
  const asRows = (entries: readonly AuditEntry[]) =>
    entries.map((e) => ({ seq: e.seq, action: e.action, hash: e.hash, dt: e.occurredAt.slice(0, 10) }));
  const pick = (records: readonly AuditRecord[]) =>
    records.map((r) => ({ seq: r.seq, action: r.action, hash: r.hash, dt: r.dt }));
  const run = () => auditLakeExport({ feed, writer });

  it("delivers every tenant's whole chain, tenant.created included, in seq order, once", async () => {
    const a = await onboard();
    const b = await onboard();
    await audit.record(a, { actor: 'user:1', action: 'api_key.created', target: 'api_key:1' });
    const chainA = await chainOf(a);
    expect(chainA.map((e) => e.action)).toContain('tenant.created');

    const first = await run();
    expect(first).toMatchObject({ job: 'audit-lake-export', objects: [], details: { failedTenants: [] } });
    expect(first.records).toBe(chainA.length + (await chainOf(b)).length);
    expect(pick(deliveredOf(a))).toEqual(asRows(chainA));
    expect(pick(deliveredOf(b))).toEqual(asRows(await chainOf(b)));
    // The row is the lake's audit_events row: canonical data, the chain links.
    const [created] = deliveredOf(a);
    expect(created).toMatchObject({ prev_hash: chainA[0]!.prevHash, occurred_at: chainA[0]!.occurredAt });
    expect(JSON.parse(created!.data_json)).toEqual(chainA[0]!.data);

    // Caught up: the next run finds nothing and delivers nothing.
    const before = delivered().length;
    expect(await feed.pendingTenants()).toEqual([]);
    expect(await run()).toMatchObject({ tenants: 0, records: 0 });
    expect(delivered().length).toBe(before);

    // A later entry: only it goes.
    await audit.record(a, { actor: 'user:1', action: 'webhook.created', target: 'webhook:1' });
    expect(await feed.pendingTenants()).toEqual([a]);
    expect(await run()).toMatchObject({ tenants: 1, records: 1 });
    expect(pick(deliveredOf(a))).toEqual(asRows(await chainOf(a)));
  });

  it('pages through a long chain in order', async () => {
    const a = await onboard();
    for (let i = 0; i < 6; i++)
      await audit.record(a, { actor: 'user:1', action: 'quota.updated', data: { i } });
    const chain = await chainOf(a);
    const pages: number[] = [];
    const exported = await auditLakeExport(
      {
        feed: {
          pendingTenants: () => feed.pendingTenants(),
          exportNext: async (tenantId, limit, deliver) => {
            const got = await feed.exportNext(tenantId, limit, deliver);
            pages.push(got);
            return got;
          },
        },
        writer,
      },
      { pageSize: 3 },
    );
    expect(exported.records).toBe(chain.length);
    // Full pages, then the short (possibly empty) one that says the tenant is caught up.
    expect(pages).toEqual([...Array<number>(Math.floor(chain.length / 3)).fill(3), chain.length % 3]);
    expect(pick(deliveredOf(a))).toEqual(asRows(chain));
  });

  it("keeps a tenant's cursor when its delivery fails, delivers the others, and catches up on the next run", async () => {
    const a = await onboard();
    const b = await onboard();
    firehose.failWith((record) => (record.includes(b) ? 'ServiceUnavailableException' : undefined));
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditLakeExportError);
    expect((err as AuditLakeExportError).failures.map((f) => f.tenantId)).toEqual([b]);
    expect((err as AuditLakeExportError).message).toMatch(/ServiceUnavailableException/);
    expect(pick(deliveredOf(a))).toEqual(asRows(await chainOf(a)));
    expect(deliveredOf(b)).toEqual([]);
    expect(await feed.pendingTenants()).toEqual([b]);

    firehose.failWith(undefined);
    expect(await run()).toMatchObject({ tenants: 1, records: (await chainOf(b)).length });
    expect(pick(deliveredOf(b))).toEqual(asRows(await chainOf(b)));
  });

  it('holds cursors per tenant under row-level security (positive control: the own tenant sees its cursor)', async () => {
    const a = await onboard();
    const b = await onboard();
    await run();
    const cursorAs = (tenant: string, of: string) =>
      db.scope.withTenant(tenant, async (tx) =>
        (
          await tx.query<{ last_seq: string }>(
            'select last_seq from lake_export_cursors where tenant_id = $1',
            [of],
          )
        ).rows.map((r) => Number(r.last_seq)),
      );
    const own = await cursorAs(a, a);
    expect(own).toEqual([(await chainOf(a)).length]);
    expect(await cursorAs(b, a)).toEqual([]);
    // Tenant B cannot move A's cursor back (0 rows), though it can move its own.
    const moved = (tenant: string, of: string) =>
      db.scope.withTenant(
        tenant,
        async (tx) =>
          (await tx.query('update lake_export_cursors set last_seq = 0 where tenant_id = $1', [of])).rowCount,
      );
    expect(await moved(b, a)).toBe(0);
    expect(await cursorAs(a, a)).toEqual(own);
    // The control plane reads cursors but does not write them.
    await expect(
      db.scope.withAdmin((tx) =>
        tx.query('update lake_export_cursors set last_seq = 0 where tenant_id = $1', [a]),
      ),
    ).rejects.toThrow(/permission denied/);
    expect(
      await db.scope.withAdmin(
        async (tx) =>
          (await tx.query('select 1 from lake_export_cursors where tenant_id = $1', [a])).rows.length,
      ),
    ).toBe(1);
  });

  // A second connection exists on a server only (PGlite has one, and serialises transactions).
  if (backend === 'postgres')
    it('overlapping exports of one tenant deliver each entry once (the cursor row is held)', async () => {
      const a = await onboard();
      for (let i = 0; i < 4; i++)
        await audit.record(a, { actor: 'user:1', action: 'quota.updated', data: { i } });
      const second = db.connect();
      const otherFeed = new SqlAuditLakeFeed(createTenantScope(second, db.roles));
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const firstRun = feed.exportNext(a, 100, async (entries) => {
        await held; // the second export starts while this page is being delivered
        await writer.writeAudit(entries);
      });
      const secondRun = otherFeed.exportNext(a, 100, (entries) =>
        writer.writeAudit(entries).then(() => undefined),
      );
      await new Promise((r) => setTimeout(r, 200));
      release();
      const [one, two] = await Promise.all([firstRun, secondRun]);
      expect([one, two]).toEqual([(await chainOf(a)).length, 0]);
      expect(pick(deliveredOf(a))).toEqual(asRows(await chainOf(a)));
    }, 30_000);
});
