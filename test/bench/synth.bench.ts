/**
 * bench:synth — how the CDK app's cost grows, and what each Lambda costs at cold start.
 *
 *   synth     the prod app (every region, the full application plane) with 0, 10 and 50 silo
 *             tenants, bundling off as in the tests, cdk-nag off and on; each run in a fresh
 *             process (test/bench/synth-run.ts): construct time, synth wall time and CPU time
 *   bundles   every lambdas/**\/handler.ts built as deployed (BUNDLE_SETTINGS): minified size,
 *             and cold import time in a fresh Node process (median of BENCH_IMPORT_RUNS), next
 *             to the same measurement for an empty module (the floor of a fresh process)
 *
 * Aim (issue 6): each bundle < 1 MB (MiB) minified, cold import < 150 ms. The flag uses the
 * import's CPU time: on a shared machine the wall time mostly measures the other processes.
 * Env: BENCH_SILOS (default "0,10,50"), BENCH_NAG (default "off,on"), BENCH_IMPORT_RUNS
 * (default 7), BENCH_SKIP_SYNTH=1 / BENCH_SKIP_BUNDLES=1.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_BUDGET_BYTES, bundleEntry, formatBytes, lambdaEntries } from './lambda-bundles.js';

const SILOS = (process.env.BENCH_SILOS ?? '0,10,50').split(',').map(Number);
const NAG = (process.env.BENCH_NAG ?? 'off,on').split(',');
const RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 7);
const IMPORT_AIM_MS = 150;
const here = fileURLToPath(new URL('.', import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface SynthRun {
  tenants: number;
  nag: boolean;
  stacks: number;
  constructMs: number;
  constructCpuMs: number;
  synthMs: number;
  synthCpuMs: number;
}

function synth(tenants: number, nag: string): SynthRun {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(here, 'synth-run.ts'), String(tenants), nag],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as SynthRun;
}

/**
 * Import of `file` in a fresh process, measured inside it (no process start-up): wall ms and
 * CPU ms (user + system, all threads; steadier than wall time on a loaded machine).
 */
function coldImport(file: string): { wall: number; cpu: number } {
  const script =
    'const c = process.cpuUsage(); const t = performance.now();' +
    `await import(${JSON.stringify(file)});` +
    'const u = process.cpuUsage(c);' +
    'process.stdout.write(JSON.stringify({ wall: performance.now() - t, cpu: (u.user + u.system) / 1000 }));';
  const out = execFileSync(
    process.execPath,
    ['--enable-source-maps', '--input-type=module', '-e', script],
    // As deployed: a region, no credentials needed at import time; NODE_OPTIONS of PlatformFunction.
    { encoding: 'utf8', env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1' } },
  );
  return JSON.parse(out) as { wall: number; cpu: number };
}

function medianImport(file: string): { wall: number; cpu: number } {
  const runs = Array.from({ length: RUNS }, () => coldImport(file));
  return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) };
}

if (process.env.BENCH_SKIP_SYNTH !== '1') {
  console.log('synth (prod app, bundling off): construct and synth, wall / CPU ms');
  for (const nag of NAG) {
    for (const tenants of SILOS) {
      const r = synth(tenants, nag);
      console.log(
        `  silos=${String(tenants).padStart(2)} nag=${nag.padEnd(3)} stacks=${String(r.stacks).padStart(4)}` +
          `  construct ${String(r.constructMs).padStart(6)} / ${String(r.constructCpuMs).padStart(6)} ms` +
          `  synth ${String(r.synthMs).padStart(6)} / ${String(r.synthCpuMs).padStart(6)} ms`,
      );
    }
  }
}

if (process.env.BENCH_SKIP_BUNDLES !== '1') {
  const dir = await mkdtemp(join(tmpdir(), 'glaf-bench-bundles-'));
  try {
    const empty = join(dir, 'empty.mjs');
    await writeFile(empty, 'export {};\n');
    const floor = medianImport(empty);
    console.log(
      `\nbundles: size, cold import wall / CPU ms (median of ${RUNS} fresh processes; ` +
        `empty module ${floor.wall.toFixed(1)} / ${floor.cpu.toFixed(1)} ms)`,
    );
    const entries = lambdaEntries();
    const width = Math.max(...entries.map((e) => e.length));
    for (const [i, entry] of entries.entries()) {
      let line = entry.padEnd(width);
      try {
        const b = await bundleEntry(entry, join(dir, String(i)));
        const ms = medianImport(b.file);
        const flags = [
          b.bytes > BUNDLE_BUDGET_BYTES ? 'size over 1 MB' : '',
          ms.cpu > IMPORT_AIM_MS ? `import CPU over ${IMPORT_AIM_MS} ms` : '',
        ].filter(Boolean);
        line +=
          `  ${formatBytes(b.bytes).padStart(9)}  ${ms.wall.toFixed(1).padStart(7)} / ${ms.cpu.toFixed(1).padStart(7)} ms` +
          (flags.length ? `  (${flags.join(', ')})` : '');
      } catch (err) {
        line += `  FAILED: ${String((err as Error).message).split('\n')[0]}`;
      }
      console.log(line);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
