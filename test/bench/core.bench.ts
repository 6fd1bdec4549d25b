/**
 * `npm run bench`: executions per second of each built-in agent on one core (this process
 * is single-threaded), and factor-lookup latency. A fixed reference task (SHA-256 of 256
 * bytes) runs side by side so figures from a shared, noisy machine can be compared as ratios.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import area from '@turf/area';
import { buildingEnergyAgent } from '../../lib/agents/building-energy/index.js';
import { cbamAgent } from '../../lib/agents/cbam/index.js';
import { eudrAgent } from '../../lib/agents/eudr/index.js';
import { fuelEmissionsAgent } from '../../lib/agents/fuel-emissions/index.js';
import { runAgent } from '../../lib/agents/runner.js';
import type { Agent } from '../../lib/agents/types.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import type { FactorQuery } from '../../lib/factors/types.js';

type Json = Record<string, unknown>;
const example = (name: string): Json =>
  JSON.parse(
    readFileSync(new URL(`../../lib/agents/examples/${name}.json`, import.meta.url), 'utf8'),
  ) as Json;

const ctx = { factors: FactorCatalogue.builtin() };
const ROUND_MS = Number(process.env['BENCH_ROUND_MS'] ?? 1000);
const ROUNDS = 3;

/** Median operations per second over ROUNDS timed rounds, after one warm-up round. */
async function opsPerSecond(fn: () => unknown): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ROUND_MS) {
      for (let i = 0; i < 16; i++) await fn();
      n += 16;
      now = performance.now();
    }
    if (round > 0) rates.push((n * 1000) / (now - start));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

async function agentTask(agent: Agent, input: unknown): Promise<() => Promise<void>> {
  const check = await runAgent(agent, input, ctx);
  if (!check.ok) throw new Error(`${agent.id} bench input is invalid: ${JSON.stringify(check.issues)}`);
  return async () => {
    const r = await runAgent(agent, input, ctx);
    if (!r.ok) throw new Error('unexpected failure');
  };
}

function fuelInput(lines: number): Json {
  const base = example('fuel-emissions')['lines'] as Json[];
  return { lines: Array.from({ length: lines }, (_, i) => ({ ...base[i % base.length], id: `line-${i}` })) };
}

function cbamInput(lines: number): Json {
  const ex = example('cbam');
  const base = ex['lines'] as Json[];
  return { ...ex, lines: Array.from({ length: lines }, (_, i) => base[i % base.length]) };
}

/** 100 small rectangles (about 1-12 ha) whose declared area is their geodesic area. */
function eudrInput(plots: number): Json {
  const ex = example('eudr');
  return {
    ...ex,
    plots: Array.from({ length: plots }, (_, i) => {
      const lon = -5.5 + (i % 10) * 0.01;
      const lat = 6.3 + Math.floor(i / 10) * 0.01;
      const d = 0.001 + (i % 3) * 0.001;
      const geometry = {
        type: 'Polygon' as const,
        coordinates: [
          [
            [lon, lat],
            [lon + d, lat],
            [lon + d, lat + d],
            [lon, lat + d],
            [lon, lat],
          ],
        ],
      };
      return { id: `plot-${i}`, geometry, area_ha: Math.round(area(geometry) / 100) / 100 };
    }),
  };
}

function lookupPercentiles(): { p50: number; p99: number; n: number } {
  const queries: FactorQuery[] = [
    { activity: 'fuel/natural-gas', region: 'GB', unit: 'kWh', asOf: '2024-05-01' },
    { activity: 'fuel/natural-gas', region: 'GB', unit: 'therm', asOf: '2023-05-01' },
    { activity: 'fuel/diesel-average-biofuel-blend', region: 'GB', unit: 'L', asOf: '2024-05-01' },
    { activity: 'electricity/grid', region: 'US-EGRID-CAMX', unit: 'MWh', asOf: '2024-05-01' },
    { activity: 'fuel/natural-gas', region: 'US', unit: 'scf', asOf: '2024-05-01', source: 'EPA-HUB' },
  ];
  const cat = ctx.factors;
  for (let i = 0; i < 50_000; i++) cat.lookup(queries[i % queries.length]!);
  const n = 200_000;
  const ns = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const q = queries[i % queries.length]!;
    const t0 = process.hrtime.bigint();
    cat.lookup(q);
    ns[i] = Number(process.hrtime.bigint() - t0);
  }
  ns.sort();
  return { p50: ns[Math.floor(n * 0.5)]! / 1000, p99: ns[Math.floor(n * 0.99)]! / 1000, n };
}

const reference = Buffer.alloc(256, 7);
const tasks: [string, () => unknown][] = [
  ['reference: sha256 of 256 bytes', () => createHash('sha256').update(reference).digest()],
  ['fuel-emissions, 1 line', await agentTask(fuelEmissionsAgent, fuelInput(1))],
  ['fuel-emissions, 100 lines', await agentTask(fuelEmissionsAgent, fuelInput(100))],
  ['cbam, 50 lines', await agentTask(cbamAgent, cbamInput(50))],
  ['building-energy', await agentTask(buildingEnergyAgent, example('building-energy'))],
  ['eudr, 100 polygons', await agentTask(eudrAgent, eudrInput(100))],
];

console.log(`node ${process.version}, ${ROUNDS} rounds of ${ROUND_MS} ms, median shown\n`);
let refRate = 0;
for (const [name, fn] of tasks) {
  const rate = await opsPerSecond(fn);
  if (refRate === 0) refRate = rate;
  console.log(
    `${name.padEnd(34)} ${rate.toFixed(0).padStart(10)} ops/s   ${(rate / refRate).toFixed(4)} x reference`,
  );
}
const l = lookupPercentiles();
console.log(
  `\nfactor lookup (${l.n} timed calls, hrtime overhead included): p50 ${l.p50.toFixed(2)} us, p99 ${l.p99.toFixed(2)} us`,
);
