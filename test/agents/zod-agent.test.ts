/** defineBuiltinAgent: JSON Schemas derived from the zod types on first read (not at import), then kept. */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defineBuiltinAgent } from '../../lib/agents/zod-agent.js';

function agentWith(input: z.ZodType, output: z.ZodType) {
  return defineBuiltinAgent({
    id: 'schemas',
    version: '1.0.0',
    name: 'Schemas',
    description: 'test agent',
    input,
    output,
    run: () => ({ output: {}, factorsUsed: [] }),
  });
}

describe('defineBuiltinAgent JSON Schemas', () => {
  it('are the zod types as JSON Schema, input side and output side', () => {
    const input = z.object({ n: z.number().default(1), when: z.iso.date() });
    const output = z.object({ total: z.number(), note: z.string().optional() });
    const agent = agentWith(input, output);
    expect(agent.inputJsonSchema).toEqual(z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' }));
    expect(agent.outputJsonSchema).toEqual(z.toJSONSchema(output, { io: 'output', unrepresentable: 'any' }));
    // io: 'input' leaves a defaulted field optional; the output side would require it.
    expect(agent.inputJsonSchema).toMatchObject({ required: ['when'] });
  });

  it('are derived on the first read, once, and travel with the agent when serialised', () => {
    let derivations = 0;
    const input = z.object({
      inner: z.lazy(() => {
        derivations += 1;
        return z.string();
      }),
    });
    const agent = agentWith(input, z.object({}));
    expect(derivations).toBe(0);
    const first = agent.inputJsonSchema;
    const afterFirstRead = derivations;
    expect(afterFirstRead).toBeGreaterThan(0);
    expect(agent.inputJsonSchema).toBe(first);
    expect(derivations).toBe(afterFirstRead);
    expect(JSON.parse(JSON.stringify(agent)) as unknown).toMatchObject({
      inputJsonSchema: { properties: { inner: { type: 'string' } } },
      outputJsonSchema: { type: 'object' },
    });
  });
});
