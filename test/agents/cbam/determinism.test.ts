/** Same input, same result and provenance hash; the hash covers input and factor versions. */
import { describe, expect, it } from 'vitest';
import { ok } from './fixtures.js';

const input = {
  period: '2026-Q1',
  carbon_price_eur_per_tco2e: 80,
  lines: [
    { cn_code: '72085120', country_of_origin: 'CN', quantity_t: 100 },
    { cn_code: '31021090', country_of_origin: 'IN', quantity_t: 10 },
  ],
};

describe('cbam determinism', () => {
  it('gives the same output and provenance hash for the same input', async () => {
    const a = await ok(input);
    const b = await ok(structuredClone(input));
    expect(b).toEqual(a);
    expect(a.provenance.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.provenance.hash).toBe(a.provenance.hash);
  });

  it('changes the hash when the input changes', async () => {
    const a = await ok(input);
    const b = await ok({ ...input, carbon_price_eur_per_tco2e: 81 });
    expect(b.provenance.hash).not.toBe(a.provenance.hash);
  });

  it('cites every default used, in first-used order, with its dataset version', async () => {
    const out = await ok(input);
    expect(out.provenance.factors).toEqual([
      {
        id: 'cbam/definitive-2026/cbam/7208/total/cn/t',
        dataset: 'cbam-default-values',
        dataset_version: 'definitive-2026',
      },
      {
        id: 'cbam/definitive-2026/cbam/31021090/direct/in/t',
        dataset: 'cbam-default-values',
        dataset_version: 'definitive-2026',
      },
      {
        id: 'cbam/definitive-2026/cbam/31021090/indirect/in/t',
        dataset: 'cbam-default-values',
        dataset_version: 'definitive-2026',
      },
      {
        id: 'cbam/definitive-2026/cbam/31021090/total/in/t',
        dataset: 'cbam-default-values',
        dataset_version: 'definitive-2026',
      },
    ]);
    expect(out.defaults_used.map((d) => d.factor_id)).toEqual(out.provenance.factors.map((f) => f.id));
    expect(out.defaults_used.every((d) => d.pending_verification)).toBe(true);
  });
});
