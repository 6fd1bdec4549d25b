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
 * The platform runs as `npm start` runs it (`agent-factory serve`, its own process, token and
 * URL read from its banner) and the bare server in a process of its own, so autocannon does
 * not share their event loop. Percentiles come from every response time autocannon reports
 * (its histogram has no p95). Runs on the embedded PGlite, and also on PostgreSQL when
 * BENCH_DATABASE_URL or TEST_DATABASE_URL is set (a throw-away database and role prefix).
 * Env: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 10).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { DEMO_EXECUTION } from '../../lib/cli/serve.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const BIN = fileURLToPath(new URL('../../bin/agent-factory.js', import.meta.url));

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

async function send(base: string, t: Target): Promise<{ status: number; contentType: string; body: string }> {
  const res = await fetch(`${base}${t.path}`, {
    method: t.method,
    headers: t.headers,
    ...(t.body ? { body: t.body } : {}),
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`${t.method} ${t.path} answered ${res.status}: ${body}`);
  return { status: res.status, contentType: res.headers.get('content-type') ?? 'application/json', body };
}

/** A child process; resolves once `ready` matches its output. Killed (whole group) by `stop`. */
interface Child {
  readonly proc: ChildProcess;
  readonly output: string;
  stop(): Promise<void>;
}

async function startChild(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<Child> {
  const proc = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      if (ready.test(output)) resolve();
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`child exited (${code}) before it was ready:\n${output}`)));
  });
  return {
    proc,
    get output() {
      return output;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGINT');
      }),
  };
}

const BARE_SERVER = `
import { createServer } from 'node:http';
const body = Buffer.from(process.env.BODY, 'base64');
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(Number(process.env.STATUS), { 'content-type': process.env.CONTENT_TYPE, 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => console.log('listening on ' + server.address().port));
process.on('SIGINT', () => server.close(() => process.exit(0)));
`;

interface Setup {
  readonly name: string;
  readonly env: NodeJS.ProcessEnv;
}

async function benchOne(setup: Setup, rows: string[][]): Promise<Figures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'glaf-bench-api-'));
  const serve = await startChild(
    [BIN, 'serve', '--port', '0', '--data-dir', dataDir],
    { ...process.env, REDIS_URL: '', POWERTOOLS_LOG_LEVEL: 'ERROR', ...setup.env },
    /Stop with Ctrl-C.*\n/, // the banner's last line (output may arrive split mid-line)
  );
  try {
    const url = /running at http:\/\/localhost:(\d+)/.exec(serve.output)?.[1];
    const token = /^export TOKEN=(\S+)$/m.exec(serve.output)?.[1];
    if (!url || !token) throw new Error(`unexpected banner:\n${serve.output}`);
    const base = `http://127.0.0.1:${url}`;
    await raiseDemoQuota(dataDir, base, setup.env, token);
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
    const script = join(dataDir, 'bare-server.mjs');
    await writeFile(script, BARE_SERVER);
    for (const [name, t] of targets) {
      const canned = await send(base, t);
      const bare = await startChild(
        [script],
        {
          ...process.env,
          BODY: Buffer.from(canned.body).toString('base64'),
          STATUS: String(canned.status),
          CONTENT_TYPE: canned.contentType,
        },
        /listening on \d+/,
      );
      try {
        const bareBase = `http://127.0.0.1:${/listening on (\d+)/.exec(bare.output)![1]}`;
        await load(base, t, { seconds: 2 }); // warm-up (JIT, caches, connections): discarded
        const api = await load(base, t);
        const raw = await load(bareBase, t);
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
        await bare.stop();
      }
    }
    const fixed = await load(base, targets[0]![1], { overallRate: 500 });
    rows.push(row(setup.name, 'GET /v1/agents @ 500 req/s', 'platform', fixed));
    return fixed;
  } finally {
    await serve.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The demo tenant's default limit (600/min) would turn the bench into a 429 bench. */
async function raiseDemoQuota(dataDir: string, base: string, env: NodeJS.ProcessEnv, token: string) {
  const adminToken = await new Promise<string>((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, 'token', '--platform-admin', '--data-dir', dataDir], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    proc.once('exit', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`token exited ${code}`)),
    );
  });
  const tenantId = (
    JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
      tenant_id: string;
    }
  ).tenant_id;
  const res = await fetch(`${base}/v1/tenants/${tenantId}/quotas`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ api_calls_per_minute: 1_000_000_000 }),
  });
  if (!res.ok) throw new Error(`raising the demo quota: ${res.status} ${await res.text()}`);
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
    return await fn({
      name: 'PostgreSQL',
      env: { DATABASE_URL: url.toString(), GLAF_DB_ROLE_PREFIX: prefix },
    });
  } finally {
    await admin(`drop database if exists ${db} with (force)`);
    for (const r of ['app', 'admin', 'owner']) await admin(`drop role if exists ${prefix}_${r}`);
  }
}

const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

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

async function main(): Promise<void> {
  const rows: string[][] = [];
  const fixed: [string, Figures][] = [];
  fixed.push(['PGlite', await benchOne({ name: 'PGlite', env: { DATABASE_URL: '' } }, rows)]);
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
      .join(' ')} on ${cpus().length} CPUs. dynalite and the limiter in-process in both cases.`,
  );
}

await main();
