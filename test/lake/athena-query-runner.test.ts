/**
 * AthenaQueryRunner against the fake Athena endpoint (JSON 1.1, SigV4): the published named
 * query text with its tenant parameter bound as ExecutionParameters, in the lake workgroup and
 * database; polling to the end, stopping at the deadline; paging and typing the results.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AthenaQueryError, AthenaQueryRunner } from '../../lib/adapters/aws/athena-query-runner.js';
import { loadNamedQueries, type NamedQuery } from '../../lib/lake/named-queries.js';
import { startFakeAthena, type FakeAthena } from './fake-athena.js';

const A = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const B = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';
const named = (name: string): NamedQuery => loadNamedQueries().find((q) => q.name === name)!;

let athena: FakeAthena;
let client: AthenaClient;
const runner = (extra: Partial<ConstructorParameters<typeof AthenaQueryRunner>[0]> = {}) =>
  new AthenaQueryRunner({
    client,
    workGroup: 'glaf-prod-lake',
    database: 'glaf_prod_lake',
    pollMs: 1,
    sleep: () => Promise.resolve(),
    ...extra,
  });

beforeAll(async () => {
  athena = await startFakeAthena();
  client = new AthenaClient({
    region: 'eu-west-1',
    endpoint: athena.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client?.destroy();
  await athena?.close();
});

describe('AthenaQueryRunner', () => {
  it('runs the published text for one tenant with its parameter, in the lake workgroup and database', async () => {
    athena.respondWith({
      columns: [
        { name: 'scope', type: 'integer' },
        { name: 'month', type: 'date' },
        { name: 'line_items', type: 'bigint' },
        { name: 'co2e_kg', type: 'double' },
      ],
      rows: [
        ['1', '2024-03-01', '2', '1234.5'],
        ['2', '2024-03-01', '1', null],
      ],
    });
    const q = named('emissions_by_scope_month');
    const r = await runner().runNamed(q, [A]);
    // (plus the ClientRequestToken the SDK generates for idempotent retries)
    expect(athena.starts.at(-1)).toMatchObject({
      QueryString: q.sql,
      ExecutionParameters: [`'${A}'`],
      WorkGroup: 'glaf-prod-lake',
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'glaf_prod_lake' },
    });
    expect(Object.keys(athena.starts.at(-1)!).sort()).toEqual(
      [
        'ClientRequestToken',
        'ExecutionParameters',
        'QueryExecutionContext',
        'QueryString',
        'WorkGroup',
      ].sort(),
    );
    expect(r.columns).toEqual(['scope', 'month', 'line_items', 'co2e_kg']);
    expect(r.rows).toEqual([
      { scope: 1, month: '2024-03-01', line_items: 2, co2e_kg: 1234.5 },
      { scope: 2, month: '2024-03-01', line_items: 1, co2e_kg: null },
    ]);
  });

  it('covers the tenants a control-plane report names: one placeholder and one parameter each', async () => {
    athena.respondWith({
      columns: [
        { name: 'tenant_id', type: 'varchar' },
        { name: 'executions', type: 'bigint' },
      ],
      rows: [
        [A, '7'],
        [B, '2'],
      ],
    });
    const r = await runner().runNamed(named('tenant_usage'), [A, B]);
    const start = athena.starts.at(-1)!;
    expect(start.QueryString).toContain('WHERE tenant_id IN (?, ?)');
    expect(start.ExecutionParameters).toEqual([`'${A}'`, `'${B}'`]);
    expect(r.rows).toEqual([
      { tenant_id: A, executions: 7 },
      { tenant_id: B, executions: 2 },
    ]);
  });

  it('pages through the results in order', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => [`site-${i}`, String(i % 2 === 0)]);
    athena.respondWith({
      columns: [
        { name: 'site', type: 'varchar' },
        { name: 'served_from_cache', type: 'boolean' },
      ],
      rows,
    });
    const before = athena.pages.length;
    const r = await runner({ pageSize: 2 }).runNamed(named('top_emitters'), [A]);
    expect(r.rows).toEqual(rows.map(([site, hit]) => ({ site, served_from_cache: hit === 'true' })));
    // Header + 5 rows in pages of 2: three calls, each continuing from the last token.
    expect(athena.pages.slice(before).map((p) => [p.maxResults, p.token])).toEqual([
      [2, undefined],
      [2, '2'],
      [2, '4'],
    ]);
  });

  it("reports Athena's failure reason; without the tenant predicate the injected projection refuses the query", async () => {
    athena.respondWith({ fail: 'SYNTAX_ERROR: line 1:8: Column x cannot be resolved' });
    await expect(runner().runNamed(named('execution_slo'), [A])).rejects.toThrow(/FAILED: SYNTAX_ERROR/);
    athena.respondWith({ columns: [{ name: 'n', type: 'bigint' }], rows: [['1']] });
    const unfiltered: NamedQuery = {
      name: 'x',
      description: 'x',
      sql: 'SELECT count(*) AS n FROM executions',
    };
    await expect(runner().runNamed(unfiltered, [A])).rejects.toThrow(/CONSTRAINT_VIOLATION/);
    // Positive control: the same count with the marker runs.
    const filtered = { ...unfiltered, sql: 'SELECT count(*) AS n FROM executions WHERE tenant_id IN (?)' };
    expect((await runner().runNamed(filtered, [A])).rows).toEqual([{ n: 1 }]);
  });

  it('stops a query that runs past the deadline', async () => {
    athena.respondWith({ hang: true });
    let t = 0;
    const err = await runner({ timeoutMs: 50, now: () => (t += 20) })
      .runNamed(named('cache_hit_ratio'), [A])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AthenaQueryError);
    expect((err as AthenaQueryError).state).toBe('TIMED_OUT');
    expect(athena.stopped).toEqual([(err as AthenaQueryError).queryExecutionId]);
  });

  it('refuses a tenant id that is not a uuid before calling Athena', async () => {
    const before = athena.starts.length;
    await expect(runner().runNamed(named('top_emitters'), ["x') OR ('1'='1"])).rejects.toThrow(
      /not a tenant id/,
    );
    expect(athena.starts.length).toBe(before);
  });
});
