/**
 * bench:engine — the queue engine of local mode, end to end: executions submitted through
 * the ExecutionService (validate, store PENDING, usage) go through the in-process priority
 * queues to the platform's 2 workers (claim, run fuel-emissions, complete), on the embedded
 * stores (dynalite, PGlite) as `npm start` runs them.
 *
 *   throughput   N async executions submitted at once (BENCH_CONCURRENCY in flight), timed
 *                from the first submit to the last COMPLETED (the workers' counter)
 *   latency      one async execution at a time: submit -> COMPLETED, p50 / p95
 *   cache        hit ratio on a workload where 66 % of the inputs repeat an earlier one
 *                (BENCH_CACHE_N requests), async through the engine and sync inline; a path
 *                that does not consult the result cache says so
 *   baseline     the same N inputs through a bare agent loop (runAgent, no stores, no queue)
 *                in this process, right after the throughput run: the machine is shared and
 *                noisy, so the end-to-end rate is also given as a ratio to it, with the CPU
 *                time the process spent per execution (all threads) and how busy the main
 *                thread's event loop was
 *
 * Env: BENCH_N (default 3000), BENCH_SINGLES (default 200), BENCH_CONCURRENCY (default 256),
 * BENCH_WORKER_CONCURRENCY (per worker, default 32), BENCH_CACHE_N (default 600).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalPlatform, type LocalPlatform } from '../../lib/adapters/local/platform.js';
import { fuelEmissionsAgent } from '../../lib/agents/fuel-emissions/index.js';
import { runAgent } from '../../lib/agents/runner.js';

const N = Number(process.env.BENCH_N ?? 3000);
const SINGLES = Number(process.env.BENCH_SINGLES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 256);
const WORKER_CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 32);
const CACHE_N = Number(process.env.BENCH_CACHE_N ?? 600);

const input = (n: number) => ({
  lines: [
    {
      fuel: 'diesel',
      quantity: n,
      unit: 'litres',
      period: { start: '2024-01-01', end: '2024-12-31' },
    },
  ],
});

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Resolves once the workers have settled `count` more executions (completed or not). */
function settledAfter(p: LocalPlatform, count: number): Promise<void> {
  const engine = p.composed.engine;
  if (!engine) throw new Error('the platform has no queue engine');
  return new Promise((resolve) => {
    let seen = 0;
    if (count === 0) return resolve();
    const off = engine.metrics.onCount((name) => {
      if (name !== 'ExecutionCompleted' && name !== 'ExecutionFailed' && name !== 'ExecutionTimedOut') return;
      if (++seen >= count) {
        off();
        resolve();
      }
    });
  });
}

async function submitAll(
  p: LocalPlatform,
  tenantId: string,
  inputs: readonly unknown[],
  mode: 'async' | 'sync' = 'async',
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, inputs.length) }, async () => {
      while (next < inputs.length) {
        const i = next++;
        await p.services.executions.create(tenantId, {
          agent_id: 'fuel-emissions',
          mode,
          input: inputs[i],
        });
      }
    }),
  );
}

/** The agent alone: validation, calculation and provenance, as the worker runs it, N times. */
async function bareLoop(p: LocalPlatform, inputs: readonly unknown[]): Promise<number> {
  const ctx = { factors: p.services.catalogue };
  const t0 = performance.now();
  for (const i of inputs) {
    const r = await runAgent(fuelEmissionsAgent, i, ctx);
    if (!r.ok) throw new Error('bench input rejected by the agent');
  }
  return (inputs.length / (performance.now() - t0)) * 1000;
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'glaf-bench-engine-'));
  const p = await startLocalPlatform({
    port: 0,
    dataDir,
    logLevel: 'SILENT',
    engine: { workers: 2, concurrency: WORKER_CONCURRENCY },
  });
  try {
    const tenantId = p.demo.tenantId;
    const failedBefore = () => p.composed.engine?.metrics.get('ExecutionFailed') ?? 0;

    // Warm-up: agent resolution memo, JIT, dynalite files.
    const warm = settledAfter(p, 50);
    await submitAll(
      p,
      tenantId,
      Array.from({ length: 50 }, (_, i) => input(100_000 + i)),
    );
    await warm;

    // Throughput: N distinct inputs, submit -> all COMPLETED.
    const inputs = Array.from({ length: N }, (_, i) => input(i + 1));
    const done = settledAfter(p, N);
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    await submitAll(p, tenantId, inputs);
    const submitted = performance.now();
    await done;
    const t1 = performance.now();
    const cpuPerExecution = cpuMs(process.cpuUsage(cpu0)) / N;
    const mainBusy = performance.eventLoopUtilization(elu0).utilization;
    const bare = await bareLoop(p, inputs);

    // Latency: one at a time.
    const lat: number[] = [];
    for (let i = 0; i < SINGLES; i++) {
      const one = settledAfter(p, 1);
      const s = performance.now();
      await p.services.executions.create(tenantId, {
        agent_id: 'fuel-emissions',
        mode: 'async',
        input: input(200_000 + i),
      });
      await one;
      lat.push(performance.now() - s);
    }
    lat.sort((a, b) => a - b);

    // Cache: 1/3 fresh inputs, 2/3 repeats of them; async through the engine, then sync.
    const cacheLine = async (mode: 'async' | 'sync'): Promise<string> => {
      const cache = p.composed.resultCache;
      const before = cache.stats();
      const fresh = Math.ceil(CACHE_N / 3);
      const base = mode === 'async' ? 300_000 : 400_000;
      const inputs = Array.from({ length: CACHE_N }, (_, i) => input(base + (i < fresh ? i : i % fresh)));
      const all = mode === 'async' ? settledAfter(p, CACHE_N) : Promise.resolve();
      await submitAll(p, tenantId, inputs, mode);
      await all;
      const after = cache.stats();
      const hits =
        after.l1Hits - before.l1Hits + (after.l2Hits - before.l2Hits) + (after.waits - before.waits);
      const misses = after.misses - before.misses;
      if (hits + misses === 0) return 'n/a: this path does not consult the result cache';
      return `${((100 * hits) / (hits + misses)).toFixed(1)} % (${hits} hits, ${misses} misses of ${CACHE_N}; ideal 66.7 %)`;
    };
    const cacheAsync = await cacheLine('async');
    const cacheSync = await cacheLine('sync');

    const rate = (N / (t1 - t0)) * 1000;
    const rows: [string, string][] = [
      ['machine', `${cpus().length} CPUs, Node ${process.version}, dynalite + PGlite (embedded)`],
      ['workers', `2 x concurrency ${WORKER_CONCURRENCY}; ${CONCURRENCY} submits in flight`],
      [
        'throughput (submit -> COMPLETED)',
        `${rate.toFixed(0)} executions/s  (${N} in ${((t1 - t0) / 1000).toFixed(2)} s)`,
      ],
      ['submit rate alone', `${((N / (submitted - t0)) * 1000).toFixed(0)} executions/s`],
      [
        'baseline: bare agent loop',
        `${bare.toFixed(0)} executions/s; end to end = ${((100 * rate) / bare).toFixed(1)} % of it`,
      ],
      [
        'CPU per execution',
        `${cpuPerExecution.toFixed(2)} ms (process, all threads); main event loop ${(100 * mainBusy).toFixed(0)} % busy`,
      ],
      ['single async p50', `${percentile(lat, 50).toFixed(1)} ms`],
      ['single async p95', `${percentile(lat, 95).toFixed(1)} ms`],
      ['failed executions', String(failedBefore())],
      ['cache hit ratio, async (engine)', cacheAsync],
      ['cache hit ratio, sync (inline)', cacheSync],
      ['aim', `> 1,000 executions/s end to end: ${rate > 1000 ? 'met' : 'NOT met'}`],
    ];
    const w = Math.max(...rows.map(([k]) => k.length));
    console.log('\nbench:engine — local queue engine, fuel-emissions\n');
    for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
    console.log('');
  } finally {
    await p.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
