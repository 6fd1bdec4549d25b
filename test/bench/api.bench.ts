/**
 * bench:api — the HTTP API of the local platform under load, with authentication on, next
 * to a bare `node:http` server that returns the same bytes (status, content type, body).
 * The ratio says what the route table, authorizer, RBAC, rate limiter and stores cost.
 *
 *   GET  /v1/agents                       (JWT verified on the first request, then the
 *                                          authorizer cache; limiter hit; SQL under RLS)
 *   POST /v1/executions mode=sync         (fuel-emissions, 1 line: resolve, validate,
 *                                          store, claim, run, complete in DynamoDB)
 *   GET  /v1/agents at a fixed 500 req/s  (autocannon overallRate): p95 latency, aim < 10 ms
 *
 * Percentiles come from every response time autocannon reports (its own histogram has no
 * p95). Runs on the embedded PGlite, and also on PostgreSQL when BENCH_DATABASE_URL or
 * TEST_DATABASE_URL is set (a throw-away database). Env: BENCH_SECONDS (default 10),
 * BENCH_CONNECTIONS (default 10).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { startLocalPlatform } from '../../lib/adapters/local/platform.js';
import { DEMO_EXECUTION } from '../../lib/cli/serve.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

interface Target {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

interface Figures {
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function load(
  base: string,
  t: Target,
  opts: { overallRate?: number; seconds?: number } = {},
): Promise<Figures> {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${base}${t.path}`,
        method: t.method,
        headers: t.headers,
        ...(t.body ? { body: t.body } : {}),
        connections: CONNECTIONS,
        duration: opts.seconds ?? SECONDS,
        ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
      },
      (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => times.push(ms));
  });
  times.sort((a, b) => a - b);
  return {
    rps: result.requests.average,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** One real response, replayed byte for byte by the bare server. */
interface Canned {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

async function capture(base: string, t: Target): Promise<Canned> {
  const res = await fetch(`${base}${t.path}`, {
    method: t.method,
    headers: t.headers,
    ...(t.body ? { body: t.body } : {}),
  });
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok) throw new Error(`${t.method} ${t.path} answered ${res.status}: ${body.toString('utf8')}`);
  return { status: res.status, contentType: res.headers.get('content-type') ?? 'application/json', body };
}

async function bareServer(canned: Canned): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(canned.status, {
        'content-type': canned.contentType,
        'content-length': canned.body.length,
      });
      res.end(canned.body);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

interface Setup {
  readonly name: string;
  readonly databaseUrl?: string;
  readonly rolePrefix?: string;
}

/** One platform configuration: GET and sync POST against platform and bare server, then the fixed-rate GET. */
async function benchOne(setup: Setup, rows: string[][]): Promise<Figures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'glaf-bench-api-'));
  const platform = await startLocalPlatform({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'SILENT',
    databaseUrl: setup.databaseUrl ?? '',
    redisUrl: '',
    ...(setup.rolePrefix ? { rolePrefix: setup.rolePrefix } : {}),
  });
  try {
    // The demo tenant's default limit (600/min) would turn the bench into a 429 bench.
    await platform.services.tenants.updateQuotas(
      platform.demo.tenantId,
      { apiCallsPerMinute: 1_000_000_000 },
      'bench:api',
    );
    const token = await platform.mintToken({
      tenantId: platform.demo.tenantId,
      roles: ['admin'],
      sub: 'bench',
      ttlSeconds: 3600,
    });
    const base = `http://127.0.0.1:${platform.port}`;
    const auth = { authorization: `Bearer ${token}` };
    const targets: [string, Target][] = [
      ['GET /v1/agents', { method: 'GET', path: '/v1/agents', headers: auth }],
      [
        'POST /v1/executions sync',
        {
          method: 'POST',
          path: '/v1/executions',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify(DEMO_EXECUTION),
        },
      ],
    ];
    for (const [name, t] of targets) {
      const canned = await capture(base, t);
      const bare = await bareServer(canned);
      try {
        await load(base, t, { seconds: 2 }); // warm-up (JIT, caches, connections): discarded
        const api = await load(base, t);
        const raw = await load(bare.url, t);
        rows.push(row(setup.name, name, 'platform', api), row(setup.name, name, 'bare node:http', raw), [
          setup.name,
          name,
          'ratio',
          `${fmt(raw.rps / api.rps, 1)}x fewer`,
          `${fmt(api.p50 / raw.p50, 1)}x`,
          `${fmt(api.p95 / raw.p95, 1)}x`,
          `${fmt(api.p99 / raw.p99, 1)}x`,
          '',
        ]);
      } finally {
        bare.server.close();
      }
    }
    const fixed = await load(base, targets[0]![1], { overallRate: 500 });
    rows.push(row(setup.name, 'GET /v1/agents @ 500 req/s', 'platform', fixed));
    return fixed;
  } finally {
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A throw-away database and role prefix on the PostgreSQL server, dropped afterwards. */
async function withScratchDatabase<T>(baseUrl: string, fn: (s: Setup) => Promise<T>): Promise<T> {
  const suffix = randomBytes(4).toString('hex');
  const db = `glaf_bench_${suffix}`;
  const prefix = `glafb${suffix}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  await admin(`create database ${db}`);
  const url = new URL(baseUrl);
  url.pathname = `/${db}`;
  try {
    return await fn({ name: 'PostgreSQL', databaseUrl: url.toString(), rolePrefix: prefix });
  } finally {
    await admin(`drop database if exists ${db} with (force)`);
    for (const r of ['app', 'admin', 'owner']) await admin(`drop role if exists ${prefix}_${r}`);
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  const fixed: [string, Figures][] = [];
  fixed.push(['PGlite', await benchOne({ name: 'PGlite' }, rows)]);
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (pgUrl) fixed.push(['PostgreSQL', await withScratchDatabase(pgUrl, (s) => benchOne(s, rows))]);
  print(rows);
  console.log('');
  for (const [name, f] of fixed) {
    console.log(
      `${name}: GET /v1/agents at a fixed 500 req/s: p95 ${fmt(f.p95)} ms (aim < 10 ms): ${
        f.p95 < 10 ? 'met' : 'NOT met'
      }; ${fmt(f.rps, 0)} req/s served.`,
    );
  }
  console.log(
    `${SECONDS} s per run, ${CONNECTIONS} connections, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} CPUs. Both stores embedded except the SQL one named.`,
  );
}

function row(db: string, name: string, server: string, f: Figures): string[] {
  const bad = f.non2xx + f.errors;
  return [db, name, server, fmt(f.rps, 0), fmt(f.p50), fmt(f.p95), fmt(f.p99), bad ? String(bad) : '0'];
}

function print(rows: readonly string[][]): void {
  const header = ['sql', 'request', 'server', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx/err'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  for (const r of all) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
}

await main();
