/**
 * A fake Athena endpoint on 127.0.0.1: node:http speaking the service's JSON 1.1 protocol
 * (`x-amz-target: AmazonAthena.<Operation>`) for StartQueryExecution, GetQueryExecution,
 * GetQueryResults and StopQueryExecution. It checks what Athena checks about a parameterized
 * query: one ExecutionParameter per `?`, no `?` inside quotes; it refuses a query on the lake
 * without a static tenant_id predicate (the `injected` projection's CONSTRAINT_VIOLATION), and
 * it serves the result set a test sets, as Athena does (column names as the first row of the
 * first page, NextToken paging by MaxResults), after a few QUEUED/RUNNING polls.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeStart {
  readonly QueryString: string;
  readonly ExecutionParameters?: string[];
  readonly WorkGroup?: string;
  readonly QueryExecutionContext?: { Database?: string; Catalog?: string };
}

export interface FakeResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** Cell values as Athena returns them (strings), null = no VarCharValue. */
  readonly rows: readonly (string | null)[][];
}

export interface FakeAthena {
  readonly endpoint: string;
  readonly starts: FakeStart[];
  readonly stopped: string[];
  readonly pages: { id: string; maxResults: number | undefined; token: string | undefined }[];
  /** What the next queries return, or how they end. */
  respondWith(r: FakeResult | { readonly fail: string } | { readonly hang: true }): void;
  close(): Promise<void>;
}

/** A `?` inside a '...' literal or a "..." identifier (a '' inside a literal is an escaped quote). */
function placeholderInQuotes(sql: string): boolean {
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '?') return true;
    } else if (ch === "'" || ch === '"') quote = ch;
  }
  return false;
}

export async function startFakeAthena(pollsBeforeDone = 2): Promise<FakeAthena> {
  const starts: FakeStart[] = [];
  const stopped: string[] = [];
  const pages: FakeAthena['pages'] = [];
  type Response = FakeResult | { readonly fail: string } | { readonly hang: true };
  let response: Response = { columns: [], rows: [] };
  const executions = new Map<string, { polls: number; response: Response; state: string; reason?: string }>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      const invalid = (message: string) =>
        reply(400, { __type: 'InvalidRequestException', Message: message });
      if (!String(req.headers['authorization']).startsWith('AWS4-HMAC-SHA256 '))
        return reply(403, { __type: 'AccessDeniedException', Message: 'not SigV4-signed' });
      const target = String(req.headers['x-amz-target']);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      switch (target) {
        case 'AmazonAthena.StartQueryExecution': {
          const start = body as unknown as FakeStart;
          starts.push(start);
          const sql = start.QueryString;
          if (placeholderInQuotes(sql)) return invalid('a ? parameter cannot be inside quotes');
          const placeholders = sql.split('?').length - 1;
          const params = start.ExecutionParameters ?? [];
          if (placeholders !== params.length)
            return invalid(
              `Incorrect number of parameters: expected ${placeholders} but found ${params.length}`,
            );
          if (!start.WorkGroup)
            return invalid('WorkGroup is required here (the lake workgroup enforces settings)');
          if (!start.QueryExecutionContext?.Database)
            return invalid('QueryExecutionContext.Database is required');
          const id = `q-${starts.length}`;
          const tenantPredicate = /\btenant_id\s+(=\s*\?|IN\s*\(\s*\?(\s*,\s*\?)*\s*\))/i.test(sql);
          executions.set(
            id,
            tenantPredicate
              ? { polls: 0, response, state: 'QUEUED' }
              : {
                  polls: 0,
                  response,
                  state: 'FAILED',
                  reason:
                    'CONSTRAINT_VIOLATION: For the injected projected partition column tenant_id, the WHERE clause must contain only static equality conditions, and at least one such condition must be present.',
                },
          );
          return reply(200, { QueryExecutionId: id });
        }
        case 'AmazonAthena.GetQueryExecution': {
          const id = String(body.QueryExecutionId);
          const e = executions.get(id);
          if (!e) return invalid(`unknown query ${id}`);
          if (e.state === 'QUEUED' || e.state === 'RUNNING') {
            e.polls += 1;
            if ('hang' in e.response) e.state = 'RUNNING';
            else if (e.polls > pollsBeforeDone) {
              if ('fail' in e.response) {
                e.state = 'FAILED';
                e.reason = e.response.fail;
              } else e.state = 'SUCCEEDED';
            } else e.state = 'RUNNING';
          }
          return reply(200, {
            QueryExecution: {
              QueryExecutionId: id,
              Status: { State: e.state, ...(e.reason ? { StateChangeReason: e.reason } : {}) },
            },
          });
        }
        case 'AmazonAthena.StopQueryExecution': {
          const id = String(body.QueryExecutionId);
          const e = executions.get(id);
          if (e) e.state = 'CANCELLED';
          stopped.push(id);
          return reply(200, {});
        }
        case 'AmazonAthena.GetQueryResults': {
          const id = String(body.QueryExecutionId);
          const e = executions.get(id);
          if (!e || e.state !== 'SUCCEEDED' || !('columns' in e.response))
            return invalid(`query ${id} has no results`);
          const max = body.MaxResults as number | undefined;
          const token = body.NextToken as string | undefined;
          pages.push({ id, maxResults: max, token });
          const r = e.response;
          const all = [r.columns.map((c) => c.name), ...r.rows];
          const from = token ? Number(token) : 0;
          const to = Math.min(all.length, from + (max ?? 1000));
          return reply(200, {
            ResultSet: {
              Rows: all
                .slice(from, to)
                .map((cells) => ({ Data: cells.map((v) => (v === null ? {} : { VarCharValue: v })) })),
              ResultSetMetadata: {
                ColumnInfo: r.columns.map((c) => ({ Name: c.name, Label: c.name, Type: c.type })),
              },
            },
            ...(to < all.length ? { NextToken: String(to) } : {}),
          });
        }
        default:
          return reply(400, { __type: 'UnknownOperationException', Message: target });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    starts,
    stopped,
    pages,
    respondWith: (r) => {
      response = r;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
