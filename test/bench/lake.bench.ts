/**
 * bench:lake — the emissions-by-scope-and-month named query over 1,000,000 emission_results
 * rows in the local lake, on DuckDB through the tenant-scoped runner `agent-factory query`
 * uses.
 *
 * Data: produced through the real write path, not generated in SQL. The fuel-emissions
 * agent runs on BENCH_DISTINCT different inputs of BENCH_LINES lines each (12 months, three
 * fuels, 50 sites; quantities differ per input); BENCH_ROWS / BENCH_LINES COMPLETED
 * executions cycle through those outputs, and the LakeWriter (row builders + partitioning)
 * writes them with the Parquet sink, BENCH_EXECS_PER_WRITE executions per write, one `dt`
 * partition per write (so ~10 files of 100k rows each by default).
 *
 * Timed: the named query (BENCH_RUNS runs after one warm-up, median and min/max), next to two
 * baselines over the same files in the same session: COUNT(*) (footer metadata only) and a
 * plain SUM(co2e_kg) (one column scanned, no grouping).
 *
 * Env: BENCH_ROWS (default 1000000), BENCH_LINES (default 1000), BENCH_DISTINCT (default 20),
 * BENCH_EXECS_PER_WRITE (default 100), BENCH_RUNS (default 9).
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LakeQueryEngine } from '../../lib/adapters/local/lake-query-engine.js';
import { ParquetLakeSink } from '../../lib/adapters/local/parquet-lake-sink.js';
import { fuelEmissionsAgent } from '../../lib/agents/fuel-emissions/index.js';
import { runAgent } from '../../lib/agents/runner.js';
import type { Execution } from '../../lib/domain/execution.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import { loadNamedQueries, type NamedQuery } from '../../lib/lake/named-queries.js';
import { LakeWriter } from '../../lib/services/lake-writer.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const LINES = Number(process.env.BENCH_LINES ?? 1000);
const PER_WRITE = Number(process.env.BENCH_EXECS_PER_WRITE ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const DISTINCT = Number(process.env.BENCH_DISTINCT ?? 20);
const TENANT = '5d6e7f80-1a2b-4c3d-8e4f-a0b1c2d3e4f5';

const FUELS = [
  { fuel: 'Natural gas', unit: 'kWh', use: 'stationary' },
  { fuel: 'diesel', unit: 'litres', use: 'mobile' },
  { fuel: 'Gas oil', unit: 'litres', use: 'stationary' },
] as const;

function input(k: number): unknown {
  return {
    lines: Array.from({ length: LINES }, (_, i) => {
      const f = FUELS[i % FUELS.length]!;
      const month = String((i % 12) + 1).padStart(2, '0');
      return {
        id: `site-${i % 50}`,
        fuel: f.fuel,
        quantity: 100 + i + k * 7.31,
        unit: f.unit,
        use: f.use,
        period: { start: `2024-${month}-01`, end: `2024-${month}-28` },
      };
    }),
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** A named query runs bound to the tenant (`tenant_id IN (?)`), as the CLI and Athena run it. */
async function timed(
  engine: LakeQueryEngine,
  query: string | NamedQuery,
): Promise<{ ms: number[]; rows: number }> {
  const run = () => (typeof query === 'string' ? engine.query(query) : engine.named(query));
  let rows = (await run()).rows.length; // warm-up (file metadata, OS cache)
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    rows = (await run()).rows.length;
    ms.push(performance.now() - t0);
  }
  return { ms, rows };
}

async function dirBytes(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const f of await readdir(dir, { recursive: true })) {
    if (!f.endsWith('.parquet')) continue;
    files++;
    bytes += (await stat(join(dir, f))).size;
  }
  return { files, bytes };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'glaf-bench-lake-'));
  const lakeDir = join(dataDir, 'lake');
  try {
    const factors = FactorCatalogue.builtin();
    const runs: { input: unknown; output: unknown }[] = [];
    for (let k = 0; k < DISTINCT; k++) {
      const raw = input(k);
      const result = await runAgent(fuelEmissionsAgent, raw, { factors });
      if (!result.ok) throw new Error(`agent refused the bench input: ${JSON.stringify(result.issues)}`);
      runs.push({ input: raw, output: result.output });
    }
    const executions = Math.ceil(ROWS / LINES);
    const sink = await ParquetLakeSink.open(lakeDir);
    const writer = new LakeWriter(sink);
    const g0 = performance.now();
    let written = 0;
    for (let start = 0; start < executions; start += PER_WRITE) {
      const day = String(((start / PER_WRITE) % 28) + 1).padStart(2, '0');
      const batch: { execution: Execution }[] = [];
      for (let i = start; i < Math.min(executions, start + PER_WRITE); i++) {
        batch.push({
          execution: {
            tenantId: TENANT,
            executionId: `bench-${i}`,
            agentId: 'fuel-emissions',
            agentVersion: fuelEmissionsAgent.version,
            status: 'COMPLETED',
            input: runs[i % DISTINCT]!.input,
            output: runs[i % DISTINCT]!.output,
            priority: 2,
            attempts: 1,
            requestHash: 'bench',
            createdAt: `2025-01-${day}T10:00:00.000Z`,
            updatedAt: `2025-01-${day}T10:00:00.250Z`,
            expiresAt: 0,
          },
        });
      }
      written += await writer.writeExecutions(batch);
    }
    await sink.close();
    const genMs = performance.now() - g0;
    const emissions = await dirBytes(join(lakeDir, 'emission_results'));

    const engine = await LakeQueryEngine.open(lakeDir, { tenantId: TENANT });
    try {
      const count = await engine.query('SELECT count(*) AS n FROM emission_results');
      const n = Number(count.rows[0]!['n']);
      const query = loadNamedQueries().find((q) => q.name === 'emissions_by_scope_month')!;
      const named = await timed(engine, query);
      const countOnly = await timed(engine, 'SELECT count(*) AS n FROM emission_results');
      const sumOnly = await timed(engine, 'SELECT sum(co2e_kg) AS co2e_kg FROM emission_results');
      const fmt = (t: { ms: number[] }): string =>
        `median ${median(t.ms).toFixed(1)} ms (min ${Math.min(...t.ms).toFixed(1)}, max ${Math.max(...t.ms).toFixed(1)})`;
      console.log(
        `bench:lake  ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}`,
      );
      console.log(
        `data        ${n.toLocaleString('en')} emission_results rows (${written.toLocaleString('en')} lake rows incl. executions) ` +
          `in ${emissions.files} Parquet files, ${(emissions.bytes / 1024).toFixed(0)} KiB; written through ` +
          `LakeWriter + ParquetLakeSink in ${(genMs / 1000).toFixed(1)} s`,
      );
      console.log(
        `query       emissions_by_scope_month (${named.rows} result rows), ${RUNS} runs: ${fmt(named)}`,
      );
      console.log(`baseline    SELECT count(*)            ${fmt(countOnly)}`);
      console.log(`baseline    SELECT sum(co2e_kg)        ${fmt(sumOnly)}`);
      console.log(
        `ratio       named query / plain sum: ${(median(named.ms) / median(sumOnly.ms)).toFixed(2)}x`,
      );
    } finally {
      engine.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
