/** Same input, same result and provenance hash; no timestamps in either. */
import { describe, expect, it, vi } from 'vitest';
import { canonicalJson, sha256Hex } from '../../../lib/agents/provenance.js';
import { eudrAgent } from '../../../lib/agents/eudr/index.js';
import { runAgent } from '../../../lib/agents/runner.js';
import { FactorCatalogue } from '../../../lib/factors/catalogue.js';
import { baseInput, runOk } from './fixtures.js';

/** Recursively reverses key order, to show the hash is over canonical JSON. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reversedKeys(x)]),
    );
  }
  return v;
}

describe('eudr determinism', () => {
  it('same input twice: identical output and hash', async () => {
    const a = await runOk(baseInput());
    const b = await runOk(baseInput());
    expect(b).toEqual(a);
    expect(a.provenance.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('key order does not change the hash', async () => {
    const a = await runOk(baseInput());
    const b = await runOk(reversedKeys(baseInput()));
    expect(b.provenance.hash).toBe(a.provenance.hash);
  });

  it('the hash is SHA-256 of canonical {agent, version, input, factors}', async () => {
    const input = baseInput();
    const out = await runOk(input);
    const parsed = eudrAgent.parseInput(input);
    if (!parsed.ok) throw new Error('parse failed');
    const expected = sha256Hex(
      canonicalJson({
        agent_id: 'eudr',
        agent_version: '1.0.0',
        input: parsed.value,
        factors: [
          {
            id: 'eu/2025-1093/eudr/country-risk/ci/country',
            dataset: 'eudr-country-benchmark',
            dataset_version: '2025-1093',
          },
        ],
      }),
    );
    expect(out.provenance.hash).toBe(expected);
  });

  it('a changed plot coordinate changes the hash', async () => {
    const a = await runOk(baseInput());
    const input = baseInput();
    input.plots[1] = { ...input.plots[1], geometry: { type: 'Point', coordinates: [-5.451231, 6.40567] } };
    const b = await runOk(input);
    expect(b.provenance.hash).not.toBe(a.provenance.hash);
  });

  it('the built-in catalogue gives the same result as the EUDR-only one', async () => {
    const a = await runOk(baseInput());
    const b = await runAgent(eudrAgent, baseInput(), { factors: FactorCatalogue.builtin() });
    expect(b.ok && b.output).toEqual(a);
  });

  it('the wall clock does not matter (no assessment date given)', async () => {
    const input = { ...baseInput(), assessment_date: undefined };
    try {
      vi.useFakeTimers();
      vi.setSystemTime(new Date('2027-01-15T10:00:00Z'));
      const a = await runOk(input);
      vi.setSystemTime(new Date('2031-07-01T23:59:59Z'));
      const b = await runOk(input);
      expect(b).toEqual(a);
      expect(a.statement.signature.date).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
