/** runAgent: validate, run, attach provenance; domain errors become issues, bugs propagate. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runAgent } from '../../lib/agents/runner.js';
import type { Agent } from '../../lib/agents/types.js';
import { defineBuiltinAgent } from '../../lib/agents/zod-agent.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/domain/errors.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';

const ctx = { factors: FactorCatalogue.builtin() };
const input = z.strictObject({ mode: z.string(), n: z.number().default(1) });
const output = z.object({ doubled: z.number() });

/** A tiny agent whose behaviour the input selects; `calls` counts runs. */
function tinyAgent() {
  const state = { calls: 0 };
  const agent = defineBuiltinAgent({
    id: 'tiny',
    version: '0.0.1',
    name: 'Tiny',
    description: 'test agent',
    input,
    output,
    run: ({ mode, n }, { factors }) => {
      state.calls++;
      switch (mode) {
        case 'type-error':
          throw new TypeError('bug: undefined is not a function');
        case 'plain-error':
          throw new Error('bug: plain error');
        case 'validation':
          throw new ValidationError([
            { path: 'n', message: 'n must be even' },
            { path: 'mode', message: 'mode is odd' },
          ]);
        case 'not-found':
          throw new NotFoundError('widget', 'w-1', 'Allowed: w-2, w-3');
        case 'with-path':
          throw new ConflictError('already there', { path: 'n' });
        default: {
          const gas = factors.get('desnz/2024/fuel/natural-gas/gb/kwh-gross');
          if (!gas) throw new Error('factor missing');
          return {
            output: { doubled: n * 2 },
            factorsUsed: [{ id: gas.id, dataset: gas.dataset, datasetVersion: gas.datasetVersion }],
          };
        }
      }
    },
  });
  return { agent, state };
}

describe('runAgent', () => {
  it('returns the output with provenance on success', async () => {
    const { agent, state } = tinyAgent();
    const r = await runAgent(agent, { mode: 'ok', n: 21 }, ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.output.doubled).toBe(42);
    expect(r.output.provenance).toMatchObject({
      agent_id: 'tiny',
      agent_version: '0.0.1',
      algorithm: 'sha256/rfc8785',
      factors: [
        {
          id: 'desnz/2024/fuel/natural-gas/gb/kwh-gross',
          dataset: 'desnz-ghg-conversion-factors',
          dataset_version: '2024',
        },
      ],
    });
    expect(state.calls).toBe(1);
  });

  it('invalid input comes back as issues and the agent never runs', async () => {
    const { agent, state } = tinyAgent();
    const r = await runAgent(agent, { mode: 'ok', n: 'two', extra: true }, ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(['(root)', 'n']);
    expect(state.calls).toBe(0);
  });

  it('a ValidationError passes its issues through unchanged', async () => {
    const { agent } = tinyAgent();
    expect(await runAgent(agent, { mode: 'validation' }, ctx)).toEqual({
      ok: false,
      issues: [
        { path: 'n', message: 'n must be even' },
        { path: 'mode', message: 'mode is odd' },
      ],
    });
  });

  it('another DomainError becomes one issue at its details.path, else (root)', async () => {
    const { agent } = tinyAgent();
    expect(await runAgent(agent, { mode: 'not-found' }, ctx)).toEqual({
      ok: false,
      issues: [{ path: '(root)', message: "widget 'w-1' not found: Allowed: w-2, w-3" }],
    });
    expect(await runAgent(agent, { mode: 'with-path' }, ctx)).toEqual({
      ok: false,
      issues: [{ path: 'n', message: 'already there' }],
    });
  });

  it('a TypeError (a bug, not bad input) propagates', async () => {
    const { agent, state } = tinyAgent();
    await expect(runAgent(agent, { mode: 'type-error' }, ctx)).rejects.toThrow(TypeError);
    await expect(runAgent(agent, { mode: 'type-error' }, ctx)).rejects.toThrow(
      'bug: undefined is not a function',
    );
    expect(state.calls).toBe(2);
  });

  it('a plain Error propagates too', async () => {
    const { agent } = tinyAgent();
    await expect(runAgent(agent, { mode: 'plain-error' }, ctx)).rejects.toThrow('bug: plain error');
  });

  it('awaits agents that run asynchronously (declarative agents) with the same error rules', async () => {
    const { agent: sync } = tinyAgent();
    const asyncAgent: Agent<z.output<typeof input>, z.output<typeof output>> = {
      ...sync,
      id: 'tiny-async',
      run: async (i, c) => {
        await Promise.resolve();
        return sync.run(i, c);
      },
    };
    const r = await runAgent(asyncAgent, { mode: 'ok', n: 2 }, ctx);
    expect(r.ok && r.output.doubled).toBe(4);
    expect(r.ok && r.output.provenance.agent_id).toBe('tiny-async');
    expect(await runAgent(asyncAgent, { mode: 'validation' }, ctx)).toMatchObject({ ok: false });
    await expect(runAgent(asyncAgent, { mode: 'type-error' }, ctx)).rejects.toThrow(TypeError);
  });

  it('the parsed input (with defaults) is what gets hashed', async () => {
    const { agent } = tinyAgent();
    const a = await runAgent(agent, { mode: 'ok' }, ctx);
    const b = await runAgent(agent, { n: 1, mode: 'ok' }, ctx);
    const c = await runAgent(agent, { mode: 'ok', n: 2 }, ctx);
    if (!a.ok || !b.ok || !c.ok) throw new Error('expected success');
    expect(b.output.provenance.hash).toBe(a.output.provenance.hash);
    expect(c.output.provenance.hash).not.toBe(a.output.provenance.hash);
  });
});
