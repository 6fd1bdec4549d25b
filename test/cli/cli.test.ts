/**
 * The CLI as a user runs it: the real `agent-factory` binary in a child process (exit
 * codes, stdout/stderr), plus the command functions in-process for the listings.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { diffFactors, listAgents, searchFactors, type Out } from '../../lib/cli/commands.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/agent-factory.js', import.meta.url));

async function cli(
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = run(process.execPath, [BIN, ...args], { cwd: ROOT });
  if (stdin !== undefined) {
    child.child.stdin?.end(stdin);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function capture(): Out & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

describe('agent-factory run', () => {
  it('prints the result with provenance and exits 0 for a valid input file', async () => {
    const r = await cli(['run', 'fuel-emissions', '--input', 'lib/agents/examples/fuel-emissions.json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { totals: { co2e_kg: number }; provenance: { hash: string } };
    // 125000 kWh x 0.18290 + 4200 L x 2.51279 + 1.5 t x gas oil 3226.57859 (DESNZ 2024)
    expect(out.totals.co2e_kg).toBeCloseTo(125000 * 0.1829 + 4200 * 2.51279 + 1.5 * 3226.57859, 6);
    expect(out.provenance.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads standard input with --input - and exits 1 with every problem on invalid input', async () => {
    const bad = {
      lines: [
        { fuel: 'diesel', quantity: -5, unit: 'parsec', period: { start: '2024-01-01', end: '2024-12-31' } },
      ],
    };
    const r = await cli(['run', 'fuel-emissions', '--input', '-'], JSON.stringify(bad));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const problem = JSON.parse(r.stderr) as { ok: boolean; issues: { path: string; message: string }[] };
    expect(problem.ok).toBe(false);
    expect(problem.issues).toContainEqual(expect.objectContaining({ path: 'lines.0.quantity' }));
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 1 with a clear message for malformed JSON or a missing file', async () => {
    const malformed = await cli(['run', 'fuel-emissions', '--input', '-'], '{"lines": [');
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('is not valid JSON');
    const missing = await cli(['run', 'fuel-emissions', '--input', 'no/such/file.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
  });

  it('exits 2 and lists the agents for an unknown agent id', async () => {
    const r = await cli(['run', 'no-such-agent', '--input', 'lib/agents/examples/fuel-emissions.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('fuel-emissions');
  });
});

describe('CLI commands', () => {
  it('agents lists the four built-in agents and the declarative ones', () => {
    const io = capture();
    expect(listAgents(io, { json: true })).toBe(0);
    const agents = JSON.parse(io.out.join('')) as { id: string; kind: string }[];
    const ids = agents.map((a) => a.id);
    expect(ids).toEqual(expect.arrayContaining(['fuel-emissions', 'cbam', 'building-energy', 'eudr']));
    expect(agents.filter((a) => a.kind === 'declarative').length).toBeGreaterThanOrEqual(8);
  });

  it('factors search finds DESNZ natural gas 2024 and reports no match with exit 1', () => {
    const io = capture();
    expect(searchFactors(io, 'natural gas 2024', { json: true })).toBe(0);
    const hits = JSON.parse(io.out.join('')) as { id: string; value: number }[];
    expect(hits).toContainEqual(
      expect.objectContaining({ id: 'desnz/2024/fuel/natural-gas/gb/kwh-gross', value: 0.1829 }),
    );
    const none = capture();
    expect(searchFactors(none, 'zzzz-no-such-factor', {})).toBe(1);
    expect(none.err.join('')).toContain('No factor matches');
  });

  it('factors diff shows the DESNZ 2023 -> 2024 change of natural gas', () => {
    const io = capture();
    expect(diffFactors(io, 'DESNZ', '2023', '2024', { json: true })).toBe(0);
    const d = JSON.parse(io.out.join('')) as { changed: { key: string; percentChange: number }[] };
    // (0.18290 - 0.18293) / 0.18293 x 100 = -0.0164 %
    const gas = d.changed.find((c) => c.key.startsWith('fuel/natural-gas|GB|kWh|gross'));
    expect(gas?.percentChange).toBeCloseTo(-0.0164, 4);
  });

  it('factors diff of an unknown version exits 2 with a message', () => {
    const io = capture();
    expect(diffFactors(io, 'DESNZ', '1999', '2024', {})).toBe(2);
    expect(io.err.join('')).toMatch(/1999/);
  });
});
