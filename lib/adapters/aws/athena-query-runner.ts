/**
 * Runs a named lake query in Athena for the tenants it covers, the way the local DuckDB runner
 * runs it: the same text (lib/lake/queries), its `tenant_id IN (?)` bound by bindTenants, the
 * parameters sent as ExecutionParameters (string literals, so each is a quoted UUID; bindTenants
 * admits nothing else), in the lake's workgroup (enforced settings: results bucket, encryption,
 * bytes-scanned cutoff) and database. Polls until the query ends (stops it at the deadline),
 * then pages through the results.
 *
 * Parameters are bound before planning, which is what the `injected` tenant_id projection needs:
 * a static equality/IN predicate on the partition.
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type ColumnInfo,
  type Row,
} from '@aws-sdk/client-athena';
import { bindTenants, type NamedQuery } from '../../lake/named-queries.js';

export interface AthenaQueryResult {
  readonly queryExecutionId: string;
  readonly columns: readonly string[];
  /** Athena's column types (varchar, bigint, double, date ...). */
  readonly types: readonly string[];
  readonly rows: readonly Record<string, string | number | boolean | null>[];
}

export interface AthenaQueryRunnerOptions {
  readonly client: AthenaClient;
  /** The lake's workgroup (`glaf-<env>-lake`). */
  readonly workGroup: string;
  /** The lake's Glue database (lakeDatabaseName). */
  readonly database: string;
  /** @default 500 */
  readonly pollMs?: number;
  /** The query is stopped after this long. @default 5 minutes */
  readonly timeoutMs?: number;
  /** Rows per GetQueryResults page (Athena allows up to 1000). @default 1000 */
  readonly pageSize?: number;
  /** Injectable for tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** The query ended without results: failed, cancelled or timed out. */
export class AthenaQueryError extends Error {
  override readonly name = 'AthenaQueryError';
  constructor(
    readonly queryExecutionId: string,
    readonly state: string,
    reason: string | undefined,
  ) {
    super(`Athena query ${queryExecutionId} ${state}${reason ? `: ${reason}` : ''}`);
  }
}

const INTEGER = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint']);
const FLOAT = new Set(['double', 'float', 'real', 'decimal']);
const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class AthenaQueryRunner {
  constructor(private readonly options: AthenaQueryRunnerOptions) {}

  async runNamed(query: NamedQuery, tenantIds: readonly string[]): Promise<AthenaQueryResult> {
    const { client, workGroup, database } = this.options;
    const bound = bindTenants(query, tenantIds);
    const started = await client.send(
      new StartQueryExecutionCommand({
        QueryString: bound.sql,
        ExecutionParameters: bound.params.map((id) => `'${id}'`),
        WorkGroup: workGroup,
        QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: database },
      }),
    );
    const id = started.QueryExecutionId;
    if (!id) throw new Error('Athena StartQueryExecution returned no QueryExecutionId');
    await this.waitFor(id);
    return this.results(id);
  }

  private async waitFor(id: string): Promise<void> {
    const { client, pollMs = 500, timeoutMs = 300_000 } = this.options;
    const sleep = this.options.sleep ?? defaultSleep;
    const now = this.options.now ?? Date.now;
    const deadline = now() + timeoutMs;
    for (;;) {
      const r = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const status = r.QueryExecution?.Status;
      switch (status?.State) {
        case 'SUCCEEDED':
          return;
        case 'FAILED':
        case 'CANCELLED':
          throw new AthenaQueryError(id, status.State, status.StateChangeReason);
      }
      if (now() >= deadline) {
        await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
        throw new AthenaQueryError(id, 'TIMED_OUT', `stopped after ${timeoutMs} ms`);
      }
      await sleep(pollMs);
    }
  }

  private async results(id: string): Promise<AthenaQueryResult> {
    const { client, pageSize = 1000 } = this.options;
    let columns: ColumnInfo[] | undefined;
    const rows: Record<string, string | number | boolean | null>[] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page = await client.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: pageSize, NextToken: token }),
      );
      columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      // A SELECT's first row on the first page repeats the column names.
      const data = (page.ResultSet?.Rows ?? []).slice(first ? 1 : 0);
      for (const row of data) rows.push(toRecord(columns, row));
      first = false;
      token = page.NextToken;
    } while (token);
    const cols = columns ?? [];
    return {
      queryExecutionId: id,
      columns: cols.map((c) => c.Name ?? ''),
      types: cols.map((c) => c.Type ?? 'varchar'),
      rows,
    };
  }
}

function toRecord(
  columns: readonly ColumnInfo[],
  row: Row,
): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  columns.forEach((c, i) => {
    const raw = row.Data?.[i]?.VarCharValue;
    out[c.Name ?? String(i)] = raw === undefined ? null : typed(raw, (c.Type ?? 'varchar').toLowerCase());
  });
  return out;
}

function typed(raw: string, type: string): string | number | boolean {
  if (INTEGER.has(type)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : raw;
  }
  if (FLOAT.has(type)) return Number(raw);
  if (type === 'boolean') return raw === 'true';
  return raw;
}
