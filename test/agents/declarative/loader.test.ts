import { describe, expect, it } from 'vitest';
import { loadSpec, loadSpecFile, SpecError } from '../../../lib/agents/declarative/index.js';
import { FactorCatalogue } from '../../../lib/factors/catalogue.js';

const ctx = { factors: FactorCatalogue.builtin() };

/** A valid spec as an object; tests break one part of it. */
function spec(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'test-agent',
    version: '1.0.0',
    name: 'Test',
    description: 'A test agent',
    input: {
      type: 'object',
      additionalProperties: false,
      required: ['refrigerants'],
      properties: {
        refrigerants: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['gas', 'kg'],
            properties: { gas: { enum: ['r-410a', 'hfc-134a'] }, kg: { type: 'number', minimum: 0 } },
          },
        },
      },
    },
    steps: [{ name: 'gwp', expression: "$factor('refrigerant/r-410a', 'GLOBAL', 'kg')" }],
    output: { total: '$sum(refrigerants.kg) * $gwp.value' },
    ...over,
  };
}

function errorOf(text: string): SpecError {
  const r = loadSpec(text, ctx);
  if (!(r instanceof SpecError)) throw new Error('expected a SpecError');
  return r;
}

describe('loadSpec', () => {
  it('loads a valid JSON spec into a declarative Agent', () => {
    const r = loadSpec(JSON.stringify(spec()), ctx);
    expect(r).not.toBeInstanceOf(SpecError);
    expect(r).toMatchObject({ id: 'test-agent', version: '1.0.0', kind: 'declarative' });
  });

  it('loads the same spec from YAML', () => {
    const yaml = [
      'id: test-agent',
      'version: 1.0.0',
      'name: Test',
      'description: d',
      'input: { type: object }',
      'steps: []',
      'output: "1 + 1"',
    ].join('\n');
    expect(loadSpec(yaml, ctx)).toMatchObject({ id: 'test-agent', kind: 'declarative' });
  });

  it('names the step path and column of a syntax error', () => {
    const steps = [
      { name: 'a', expression: '1' },
      { name: 'b', expression: '2' },
      { name: 'c', expression: '$sum(refrigerants.kg' },
    ];
    const e = errorOf(JSON.stringify(spec({ steps })));
    expect(e.issues).toEqual([
      {
        path: 'steps[2].expression',
        message: 'Syntax error at column 20: Expected ")" before end of expression',
      },
    ]);
  });

  it('gives line and column for a multi-line expression', () => {
    const e = errorOf(JSON.stringify(spec({ output: { total: '(\n  $x := 1;\n  $x +\n)' } })));
    expect(e.issues[0]?.path).toBe('output.total');
    expect(e.issues[0]?.message).toMatch(/^Syntax error at line 4, column 1: /);
  });

  it('rejects an unknown factor with the spec path and close matches', () => {
    const steps = [{ name: 'gwp', expression: "$factor('refrigerant/r-410', 'GLOBAL', 'kg')" }];
    const e = errorOf(JSON.stringify(spec({ steps })));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]?.path).toBe('steps[0].expression');
    expect(e.issues[0]?.message).toContain("unknown factor $factor('refrigerant/r-410', 'GLOBAL', 'kg')");
    expect(e.issues[0]?.message).toContain('refrigerant/r-410a');
  });

  it('rejects a factor in a unit of another dimension, listing the units it has', () => {
    const steps = [{ name: 'grid', expression: "$factor('electricity/grid', 'GB', 'L')" }];
    const e = errorOf(JSON.stringify(spec({ steps })));
    expect(e.issues[0]?.message).toMatch(/available units: kWh/);
  });

  it('checks a literal as-of date against the validity periods', () => {
    const at = (asOf: string): string =>
      JSON.stringify(
        spec({ steps: [{ name: 'f', expression: `$factor('electricity/grid', 'GB', 'kWh', '${asOf}')` }] }),
      );
    expect(loadSpec(at('2024-06-30'), ctx)).not.toBeInstanceOf(SpecError);
    expect(errorOf(at('2019-01-01')).issues[0]?.message).toMatch(/no factor valid on 2019-01-01/);
  });

  it('reports "input: missing JSON Schema"', () => {
    const s = spec();
    delete s['input'];
    expect(errorOf(JSON.stringify(s)).issues).toEqual([{ path: 'input', message: 'missing JSON Schema' }]);
  });

  it('rejects an input schema Ajv strict mode refuses, naming input', () => {
    const e = errorOf(
      JSON.stringify(spec({ input: { type: 'object', properties: { a: { type: 'nmber' } } } })),
    );
    expect(e.issues[0]?.path).toBe('input');
    expect(e.issues[0]?.message).toMatch(/invalid JSON Schema/);
  });

  it('requires the input to be an object schema', () => {
    expect(errorOf(JSON.stringify(spec({ input: { type: 'array' } }))).issues[0]?.path).toBe('input');
  });

  it('reports invalid YAML with its position', () => {
    const e = errorOf('id: x\nversion: 1.0.0\n  name: n: x\n');
    expect(e.issues[0]?.path).toBe('(document)');
    expect(e.issues[0]?.message).toMatch(/^Invalid YAML\/JSON: .* at line \d+, column \d+/);
  });

  it('rejects bad id, version and duplicate or shadowing step names with paths', () => {
    const steps = [
      { name: 'a', expression: '1' },
      { name: 'a', expression: '2' },
      { name: 'sum', expression: '3' },
      { name: 'factor', expression: '4' },
    ];
    const e = errorOf(JSON.stringify(spec({ id: 'Bad Id', version: '1.0', steps })));
    const paths = e.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['id', 'version', 'steps[1].name', 'steps[3].name']));
    const shadow = errorOf(JSON.stringify(spec({ steps: [{ name: 'sum', expression: '1' }] })));
    expect(shadow.issues).toEqual([
      { path: 'steps[0].name', message: '"sum" would shadow the JSONata function $sum' },
    ]);
  });

  it.each([
    ["$eval('1 + 1')", '$eval is not available'],
    ['$now()', '$now is not available'],
    ['$random()', '$random is not available'],
    ["$pad('x', 100000000)", '$pad is not available'],
    ['($f := $millis; $f())', '$millis is not available'],
    ["$match('aaaa', /(a+)+$/)", 'Regular expressions are not allowed'],
  ])('refuses %s', (expression, message) => {
    const e = errorOf(JSON.stringify(spec({ steps: [{ name: 'x', expression }] })));
    expect(e.issues[0]?.path).toBe('steps[0].expression');
    expect(e.issues[0]?.message).toContain(message);
  });

  it('checks $factor arity', () => {
    const e = errorOf(JSON.stringify(spec({ steps: [{ name: 'x', expression: "$factor('a', 'b')" }] })));
    expect(e.issues[0]?.message).toMatch(
      /\$factor takes \(activity, region, unit, asOf\?\), got 2 arguments/,
    );
  });

  it('collects every problem at once', () => {
    const steps = [
      { name: 'a', expression: '1 +' },
      { name: 'b', expression: "$factor('nope/nothing', 'GB', 'kWh')" },
    ];
    const e = errorOf(JSON.stringify(spec({ steps, output: { t: '((' } })));
    expect(e.issues.map((i) => i.path)).toEqual(['steps[0].expression', 'output.t', 'steps[1].expression']);
    expect(e.message).toContain('steps[0].expression: Syntax error');
  });

  it('loadSpecFile names the file in the error', () => {
    const e = loadSpecFile('/nonexistent/spec.yaml');
    expect(e).toBeInstanceOf(SpecError);
    expect((e as SpecError).message).toMatch(/^\/nonexistent\/spec\.yaml: \(document\): cannot read file/);
  });
});

describe('input validation (Ajv, zod-style paths)', () => {
  const agent = loadSpec(JSON.stringify(spec()), ctx);
  if (agent instanceof SpecError) throw agent;

  it('accepts valid input', () => {
    expect(agent.parseInput({ refrigerants: [{ gas: 'r-410a', kg: 1 }] })).toEqual({
      ok: true,
      value: { refrigerants: [{ gas: 'r-410a', kg: 1 }] },
    });
  });

  it('reports dotted paths, missing properties and allowed values', () => {
    const r = agent.parseInput({
      refrigerants: [{ gas: 'r-410a', kg: 1 }, { gas: 'r-22', kg: -1 }, { gas: 'r-410a' }],
      x: 1,
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues).toEqual(
      expect.arrayContaining([
        { path: 'x', message: 'is not an allowed property' },
        { path: 'refrigerants.1.gas', message: 'must be one of: "r-410a", "hfc-134a"' },
        { path: 'refrigerants.1.kg', message: 'must be >= 0' },
        { path: 'refrigerants.2.kg', message: 'is required' },
      ]),
    );
  });

  it.each([NaN, Infinity, -Infinity])('rejects the non-finite number %s', (kg) => {
    expect(agent.parseInput({ refrigerants: [{ gas: 'r-410a', kg }] })).toEqual({
      ok: false,
      issues: [{ path: 'refrigerants.0.kg', message: `must be a finite number (got ${String(kg)})` }],
    });
  });
});
