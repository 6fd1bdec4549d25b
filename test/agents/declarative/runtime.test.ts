import { describe, expect, it } from 'vitest';
import {
  declarativeAgents,
  loadSpec,
  SpecError,
  type DeclarativeAgent,
} from '../../../lib/agents/declarative/index.js';
import { runAgent } from '../../../lib/agents/runner.js';
import type { AgentResult } from '../../../lib/agents/types.js';
import type { Issue } from '../../../lib/domain/errors.js';
import { FactorCatalogue } from '../../../lib/factors/catalogue.js';

const ctx = { factors: FactorCatalogue.builtin() };

/** The single issue of a failed run (throws when the run succeeded or had several). */
function issueOf(r: AgentResult): Issue {
  if (r.ok || r.issues.length !== 1) throw new Error(`expected one issue, got ${JSON.stringify(r)}`);
  return r.issues[0]!;
}

function agentOf(
  steps: { name: string; expression: string }[],
  output: unknown,
  manifest?: Record<string, number>,
): DeclarativeAgent {
  const a = loadSpec(
    JSON.stringify({
      id: 'rt',
      version: '2.3.4',
      name: 'rt',
      description: 'runtime test',
      input: { type: 'object' },
      steps,
      output,
      ...(manifest ? { manifest } : {}),
    }),
    ctx,
  );
  if (a instanceof SpecError) throw a;
  return a;
}

describe('declarative runtime', () => {
  it('binds each step as $<name> for later steps, with the input as $', async () => {
    const a = agentOf(
      [
        { name: 'double', expression: 'x * 2' },
        { name: 'plusOne', expression: '$double + 1' },
        { name: 'helper', expression: 'function($v){ $v * 10 }' },
      ],
      { value: '$helper($plusOne)', input: '$.x' },
    );
    const r = await runAgent(a, { x: 4 }, ctx);
    expect(r).toMatchObject({ ok: true, output: { schema_version: '2.3', value: 90, input: 4 } });
  });

  it('keeps a schema_version the spec sets itself', async () => {
    const r = await runAgent(agentOf([], { schema_version: "'9.9'", n: '1' }), {}, ctx);
    expect(r).toMatchObject({ ok: true, output: { schema_version: '9.9', n: 1 } });
  });

  it('records factors used, in first-use order, once each, for provenance', async () => {
    const a = agentOf(
      [
        {
          name: 'g',
          expression:
            "[$factor('electricity/td-losses', 'GB', 'kWh'), $factor('electricity/grid', 'GB', 'kWh'), $factor('electricity/td-losses', 'GB', 'kWh')]",
        },
      ],
      { n: '$count($g)' },
    );
    const r = await runAgent(a, {}, ctx);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.output.provenance.factors.map((f) => f.id)).toEqual([
      'desnz/2024/electricity/td-losses/gb/kwh',
      'desnz/2024/electricity/grid/gb/kwh',
    ]);
  });

  it('picks the factor valid on the as-of date given at run time', async () => {
    const a = agentOf([], { id: "$factor('fuel/natural-gas', 'GB', 'kWh', asOf).id" });
    const r23 = await runAgent(a, { asOf: '2023-05-01' }, ctx);
    const r24 = await runAgent(a, { asOf: '2024-05-01' }, ctx);
    expect(r23.ok && r23.output['id']).toMatch(/^desnz\/2023\//);
    expect(r24.ok && r24.output['id']).toMatch(/^desnz\/2024\//);
  });

  it('turns a factor lookup failure into an issue naming the step path and the call', async () => {
    const a = agentOf([{ name: 'f', expression: "$factor('electricity/grid', region, 'kWh')" }], {
      v: '$f.value',
    });
    const r = await runAgent(a, { region: 'FR' }, ctx);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues[0]?.path).toBe('steps[0].expression');
    expect(!r.ok && r.issues[0]?.message).toMatch(
      /^steps\[0\]\.expression: \$factor\('electricity\/grid', 'FR', 'kWh'\): .*Allowed regions for electricity\/grid: .*GB/,
    );
  });

  it('turns a unit conversion failure into an issue naming the output path', async () => {
    const r = await runAgent(agentOf([], { v: "$convert(1, 'kg', 'kWh')" }), {}, ctx);
    expect(issueOf(r).path).toBe('output.v');
    expect(issueOf(r).message).toMatch(/^output\.v: \$convert\(1, 'kg', 'kWh'\): Cannot convert kg to kWh/);
  });

  it('reports a shipped agent asked for a unit its fuel has no factor in', async () => {
    const wtt = declarativeAgents().find((a) => a.id === 'uk-fuel-well-to-tank')!;
    const r = await runAgent(wtt, { lines: [{ fuel: 'coal-industrial', quantity: 1, unit: 'L' }] }, ctx);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues[0]?.message).toMatch(
      /steps\[0\]\.expression: \$factor\('wtt\/fuel\/coal-industrial', 'GB', 'L'\): .*available units: t, kWh/,
    );
  });

  it('reports JSONata type errors with the path and column', async () => {
    const r = await runAgent(agentOf([{ name: 's', expression: "x + 'a'" }], { s: '$s' }), { x: 1 }, ctx);
    expect(issueOf(r).path).toBe('steps[0].expression');
    expect(issueOf(r).message).toMatch(/^steps\[0\]\.expression: .* at column \d+ \(JSONata T2002\)$/);
  });

  it('refuses an output that is a function', async () => {
    const r = await runAgent(agentOf([], { f: 'function($x){ $x }' }), {}, ctx);
    expect(r).toEqual({
      ok: false,
      issues: [
        { path: 'output.f', message: 'output.f: result is a function; steps and outputs must be data' },
      ],
    });
  });

  it('is deterministic: same input, same output and provenance hash', async () => {
    const egrid = declarativeAgents().find((a) => a.id === 'us-electricity-egrid')!;
    const input = {
      lines: [
        { subregion: 'CAMX', quantity: 1234.5, unit: 'kWh' },
        { subregion: 'US', quantity: 2, unit: 'MWh' },
      ],
    };
    const runs = await Promise.all([1, 2, 3].map(() => runAgent(egrid, structuredClone(input), ctx)));
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    const other = await runAgent(egrid, { lines: [{ subregion: 'ERCT', quantity: 1, unit: 'kWh' }] }, ctx);
    expect(other.ok && runs[0]?.ok && other.output.provenance.hash !== runs[0].output.provenance.hash).toBe(
      true,
    );
  });

  it('keeps concurrent runs apart (each records only its own factors)', async () => {
    const a = agentOf([{ name: 'f', expression: "$factor('refrigerant/' & gas, 'GLOBAL', 'kg')" }], {
      v: '$f.value',
    });
    const gases = ['r-410a', 'hfc-134a', 'sf6', 'r-404a'];
    const results = await Promise.all(gases.map((gas) => runAgent(a, { gas }, ctx)));
    expect(results.map((r) => r.ok && r.output.provenance.factors.map((f) => f.id))).toEqual(
      gases.map((g) => [`ipcc/ar5/refrigerant/${g}/global/kg`]),
    );
  });
});

describe('bounded run time', () => {
  it('stops the self-applying function (infinite loop) at the time budget', async () => {
    const a = agentOf(
      [{ name: 'loop', expression: '(function($f){$f($f)})(function($f){$f($f)})' }],
      { v: '$loop' },
      { timeoutMs: 200 },
    );
    const t0 = Date.now();
    const r = await runAgent(a, {}, ctx);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(r).toEqual({
      ok: false,
      issues: [
        {
          path: 'steps[0].expression',
          message: 'steps[0].expression: run exceeded its 200 ms budget: check for an infinite loop',
        },
      ],
    });
  });

  it('stops non-terminating recursion at the depth limit', async () => {
    const a = agentOf(
      [{ name: 'deep', expression: '($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000000))' }],
      { v: '$deep' },
      { maxDepth: 300 },
    );
    const r = await runAgent(a, {}, ctx);
    expect(issueOf(r).path).toBe('steps[0].expression');
    expect(issueOf(r).message).toContain('evaluation deeper than 300 levels');
  });

  it('refuses a giant range at once', async () => {
    const t0 = Date.now();
    const r = await runAgent(agentOf([], { v: '$sum([1..9999999])' }), {}, ctx);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(issueOf(r).path).toBe('output.v');
    expect(issueOf(r).message).toContain('(JSONata D2015)');
  });

  it('stops a large but allowed nested loop at the time budget', async () => {
    const a = agentOf(
      [],
      { v: '$sum($map([1..99999], function($x){ $sum($map([1..99999], function($y){ $x * $y })) }))' },
      { timeoutMs: 200 },
    );
    const t0 = Date.now();
    const r = await runAgent(a, {}, ctx);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(issueOf(r).path).toBe('output.v');
    expect(issueOf(r).message).toContain('exceeded its 200 ms budget');
  });

  it('shares one budget across all steps of a run', async () => {
    const busy = '($sum($map([1..15000], function($x){ $x })); 1)';
    const steps = Array.from({ length: 50 }, (_, i) => ({ name: `s${i}`, expression: busy }));
    await runAgent(agentOf(steps.slice(0, 1), { v: '1' }), {}, ctx); // warm up the JIT
    // One such step (about 10-30 ms) fits a 250 ms budget even on a loaded machine; fifty together do not.
    const one = await runAgent(agentOf(steps.slice(0, 1), { v: '1' }, { timeoutMs: 250 }), {}, ctx);
    expect(one.ok).toBe(true);
    const r = await runAgent(agentOf(steps, { v: '1' }, { timeoutMs: 250 }), {}, ctx);
    expect(issueOf(r).message).toContain('exceeded its 250 ms budget');
  });
});
