/**
 * Lookup latency: the catalogue's promise is p99 under 10 microseconds. Measured per call
 * with hrtime (its own ~0.1 us overhead included) over a mix of exact, dimension and
 * as-of lookups, after a warm-up so the JIT has compiled the hot path.
 */
import { describe, expect, it } from 'vitest';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import type { FactorQuery } from '../../lib/factors/types.js';

const QUERIES: readonly FactorQuery[] = [
  { activity: 'fuel/natural-gas', region: 'GB', unit: 'kWh', asOf: '2024-05-01' },
  { activity: 'fuel/natural-gas', region: 'GB', unit: 'therm', asOf: '2023-05-01' },
  { activity: 'fuel/diesel-average-biofuel-blend', region: 'GB', unit: 'L', asOf: '2024-05-01' },
  { activity: 'electricity/grid', region: 'US-EGRID-CAMX', unit: 'MWh', asOf: '2024-05-01' },
  { activity: 'fuel/natural-gas', region: 'US', unit: 'scf', asOf: '2024-05-01', source: 'EPA-HUB' },
];

describe('FactorCatalogue.lookup speed', () => {
  it('has p99 latency under 10 microseconds', () => {
    const cat = FactorCatalogue.builtin();
    for (let i = 0; i < 50_000; i++) cat.lookup(QUERIES[i % QUERIES.length]!);
    const n = 100_000;
    const ns = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const q = QUERIES[i % QUERIES.length]!;
      const t0 = process.hrtime.bigint();
      cat.lookup(q);
      ns[i] = Number(process.hrtime.bigint() - t0);
    }
    ns.sort();
    const p50 = ns[Math.floor(n * 0.5)]! / 1000;
    const p99 = ns[Math.floor(n * 0.99)]! / 1000;
    console.log(`factor lookup p50 ${p50.toFixed(2)} us, p99 ${p99.toFixed(2)} us`);
    expect(p99).toBeLessThan(10);
  });
});
