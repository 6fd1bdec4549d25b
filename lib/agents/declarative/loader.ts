/**
 * Loads a declarative agent spec from YAML or JSON text: structure (zod), every expression
 * (JSONata syntax and sandbox rules), the input JSON Schema (Ajv 2020, strict) and literal
 * factor references (against the catalogue). Any problem comes back as a SpecError whose
 * issues name the spec path; a valid spec becomes an Agent.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { Issue } from '../../domain/errors.js';
import { FactorCatalogue } from '../../factors/catalogue.js';
import { dimensionOf, isKnownUnit } from '../../factors/units.js';
import type { Agent, AgentContext } from '../types.js';
import { compile, JSONATA_BUILTINS, type LiteralFactorCall } from './expressions.js';
import { compileInputSchema } from './input-schema.js';
import { execute, LATEST, type CompiledOutput, type CompiledStep, type Program } from './runtime.js';
import { install } from './sandbox.js';
import {
  DEFAULT_MAX_DEPTH,
  DEFAULT_TIMEOUT_MS,
  specSchema,
  type AgentSpec,
  type OutputSpec,
} from './spec.schema.js';
import { SpecError, specPath } from './spec-error.js';

export type DeclarativeAgent = Agent<unknown, Record<string, unknown>> & { readonly spec: AgentSpec };

/** Parses YAML (a superset of JSON, so JSON text works too) into a plain value. */
function parseText(text: string): { ok: true; value: unknown } | { ok: false; issues: Issue[] } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        // prettyErrors puts "at line L, column C" in the first line of the message.
        return {
          path: '(document)',
          message: `Invalid YAML/JSON: ${(e.message.split('\n')[0] ?? '').replace(/:$/, '')}`,
        };
      }),
    };
  }
  return { ok: true, value: doc.toJS() };
}

export function loadSpec(text: string, ctx: AgentContext, source = '(spec)'): DeclarativeAgent | SpecError {
  const parsed = parseText(text);
  if (!parsed.ok) return new SpecError(parsed.issues, source);
  return loadSpecObject(parsed.value, ctx, source);
}

/** Reads a spec file and loads it against the built-in catalogue (or the one given). */
export function loadSpecFile(
  path: string,
  ctx: AgentContext = { factors: FactorCatalogue.builtin() },
): DeclarativeAgent | SpecError {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return new SpecError(
      [{ path: '(document)', message: `cannot read file: ${(err as Error).message}` }],
      path,
    );
  }
  return loadSpec(text, ctx, path);
}

export function loadSpecObject(
  value: unknown,
  ctx: AgentContext,
  source = '(spec)',
): DeclarativeAgent | SpecError {
  if (value !== null && typeof value === 'object' && !('input' in value)) {
    return new SpecError([{ path: 'input', message: 'missing JSON Schema' }], source);
  }
  const r = specSchema.safeParse(value);
  if (!r.success) {
    return new SpecError(
      r.error.issues.map((i) => ({
        path: specPath(i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))),
        message: i.message,
      })),
      source,
    );
  }
  const spec = r.data;
  const issues: Issue[] = [];

  const schema = compileInputSchema(spec.input);
  if (!schema.ok) issues.push({ path: 'input', message: schema.message });

  const factorCalls: LiteralFactorCall[] = [];
  const compileAt = (text: string, path: string, name: string): CompiledStep | undefined => {
    const c = compile(text, path);
    if (!c.ok) {
      issues.push(...c.issues);
      return undefined;
    }
    install(c.expression);
    factorCalls.push(...c.factorCalls);
    return { name, path, text, expression: c.expression };
  };

  const steps: CompiledStep[] = [];
  spec.steps.forEach((s, i) => {
    if (JSONATA_BUILTINS.has(s.name)) {
      issues.push({
        path: specPath(['steps', i, 'name']),
        message: `"${s.name}" would shadow the JSONata function $${s.name}`,
      });
    }
    const c = compileAt(s.expression, specPath(['steps', i, 'expression']), s.name);
    if (c) steps.push(c);
  });
  const compileOutput = (o: OutputSpec, segs: (string | number)[]): CompiledOutput => {
    if (typeof o === 'string') return compileAt(o, specPath(segs), segs.join('.')) ?? {};
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, compileOutput(v, [...segs, k])]));
  };
  const output = compileOutput(spec.output, ['output']);

  for (const call of factorCalls) {
    const problem = checkFactor(call, ctx);
    if (problem) issues.push({ path: call.path, message: problem });
  }
  if (issues.length > 0 || !schema.ok) return new SpecError(issues, source);

  const [major, minor] = spec.version.split('.');
  const program: Program = {
    steps,
    output,
    schemaVersion: `${major}.${minor}`,
    timeoutMs: spec.manifest?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxDepth: spec.manifest?.maxDepth ?? DEFAULT_MAX_DEPTH,
  };
  return {
    spec,
    id: spec.id,
    version: spec.version,
    name: spec.name,
    description: spec.description,
    kind: 'declarative',
    manifest: { timeoutMs: program.timeoutMs, syncAllowed: spec.manifest?.syncAllowed ?? true },
    inputJsonSchema: spec.input,
    outputJsonSchema: OUTPUT_JSON_SCHEMA,
    parseInput: schema.validate,
    run: (input, runCtx) => execute(program, input, runCtx),
  };
}

const OUTPUT_JSON_SCHEMA: Readonly<Record<string, unknown>> = Object.freeze({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['schema_version'],
  properties: { schema_version: { type: 'string' } },
  additionalProperties: true,
});

/**
 * A literal `$factor('a', 'r', 'u', asOf?)` must name a factor the catalogue has. Without an
 * as-of date any validity period counts (the run date decides later); the unit must be the
 * factor's or one of the same dimension. Returns the problem, with close matches, or undefined.
 */
function checkFactor(call: LiteralFactorCall, ctx: AgentContext): string | undefined {
  const label = `$factor('${call.activity}', '${call.region}', '${call.unit}'${call.asOf ? `, '${call.asOf}'` : ''})`;
  const r = ctx.factors.tryLookup({
    activity: call.activity,
    region: call.region,
    unit: call.unit,
    asOf: call.asOf ?? LATEST,
  });
  if (r.ok) return undefined;
  if (call.asOf === undefined && r.error.code === 'factor_not_found') {
    const dim = isKnownUnit(call.unit) ? dimensionOf(call.unit) : undefined;
    const anyPeriod = ctx.factors
      .all()
      .some(
        (f) =>
          f.activity === call.activity &&
          f.region === call.region &&
          (f.unit === call.unit || (dim !== undefined && isKnownUnit(f.unit) && dimensionOf(f.unit) === dim)),
      );
    if (anyPeriod) return undefined;
  }
  const hint = r.error.details['hint'];
  return `unknown factor ${label}: ${typeof hint === 'string' ? hint : r.error.message}`;
}
