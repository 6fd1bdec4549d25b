/**
 * Runs a loaded spec: steps in order (each result bound as `$<name>` for later steps, the
 * input as `$`), then the output expression(s), under one wall-clock budget and depth limit.
 */
import type jsonata from 'jsonata';
import { DomainError } from '../../domain/errors.js';
import type { AgentContext, AgentRunOutput } from '../types.js';
import { locate } from './expressions.js';
import { RUN_BINDING, RunState } from './sandbox.js';
import { DeclarativeRuntimeError } from './spec-error.js';

export interface CompiledStep {
  readonly name: string;
  readonly path: string;
  readonly text: string;
  readonly expression: jsonata.Expression;
}

/** The output as the spec gives it: one expression, or an object tree of expressions. */
export type CompiledOutput = CompiledStep | { readonly [key: string]: CompiledOutput };

export interface Program {
  readonly steps: readonly CompiledStep[];
  readonly output: CompiledOutput;
  readonly schemaVersion: string;
  readonly timeoutMs: number;
  readonly maxDepth: number;
}

/** `$factor` calls without an as-of date take the latest published factor. */
export const LATEST = '9999-12-31';

export async function execute(
  program: Program,
  input: unknown,
  ctx: AgentContext,
): Promise<AgentRunOutput<Record<string, unknown>>> {
  const state = new RunState(ctx, program.timeoutMs, program.maxDepth, LATEST);
  const bindings: Record<string, unknown> = { [RUN_BINDING]: state };
  for (const step of program.steps) {
    bindings[step.name] = await evaluate(step, input, bindings, state);
  }
  const out = await evaluateOutput(program.output, input, bindings, state);
  const output: Record<string, unknown> =
    out !== null && typeof out === 'object' && !Array.isArray(out)
      ? { ...(out as Record<string, unknown>) }
      : { result: out };
  // schema_version first, so every declarative output reads the same way.
  const withVersion = { schema_version: output['schema_version'] ?? program.schemaVersion, ...output };
  return { output: withVersion, factorsUsed: state.factorsUsed };
}

function isStep(o: CompiledOutput): o is CompiledStep {
  return (
    typeof (o as { expression?: unknown }).expression === 'object' &&
    typeof (o as { text?: unknown }).text === 'string'
  );
}

async function evaluateOutput(
  o: CompiledOutput,
  input: unknown,
  bindings: Record<string, unknown>,
  state: RunState,
): Promise<unknown> {
  if (isStep(o)) return plain(await evaluate(o, input, bindings, state), o.path);
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(o)) {
    const v = await evaluateOutput(child, input, bindings, state);
    if (v !== undefined) result[key] = v;
  }
  return result;
}

async function evaluate(
  step: CompiledStep,
  input: unknown,
  bindings: Record<string, unknown>,
  state: RunState,
): Promise<unknown> {
  state.path = step.path;
  state.depth = 0;
  let raw: unknown;
  try {
    raw = await step.expression.evaluate(input, bindings);
  } catch (err) {
    if (err instanceof DomainError) throw err;
    const e = err as { code?: unknown; message?: unknown; position?: number };
    if (typeof e.code === 'string' && typeof e.message === 'string') {
      throw new DeclarativeRuntimeError(
        step.path,
        `${e.message}${locate(step.text, e.position)} (JSONata ${e.code})`,
      );
    }
    throw err;
  }
  // Step results stay JSONata values (a step may define a helper function for later steps).
  return raw;
}

/**
 * JSONata results may carry sequence flags or functions; outputs must be plain JSON with
 * finite numbers, or provenance and canonical hashing would not reproduce.
 */
function plain(v: unknown, path: string): unknown {
  if (v === undefined || v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new DeclarativeRuntimeError(path, `result is not a finite number (${v})`);
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => plain(x, path)).filter((x) => x !== undefined);
  if (typeof v === 'function')
    throw new DeclarativeRuntimeError(path, 'result is a function; steps and outputs must be data');
  if (typeof v === 'object') {
    if (
      typeof (v as { _jsonata_lambda?: unknown })._jsonata_lambda === 'boolean' ||
      (v as { _jsonata_function?: unknown })._jsonata_function
    ) {
      throw new DeclarativeRuntimeError(path, 'result is a function; steps and outputs must be data');
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = plain(x, path);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  throw new DeclarativeRuntimeError(path, `result has an unsupported type (${typeof v})`);
}
