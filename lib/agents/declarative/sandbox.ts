/**
 * What a spec's expressions can reach at run time: the two host functions `$factor` and
 * `$convert`, and a time/depth guard. Per-run state travels in a binding whose name has a
 * space in it, so no JSONata expression can name (or forge) it: `$` variable names cannot
 * contain spaces.
 */
import type jsonata from 'jsonata';
import { DomainError } from '../../domain/errors.js';
import { refOf } from '../../factors/catalogue.js';
import type { FactorRef } from '../../factors/types.js';
import { convert } from '../../factors/units.js';
import type { AgentContext } from '../types.js';
import { DeclarativeLimitError, DeclarativeRuntimeError } from './spec-error.js';

export const RUN_BINDING = ' run';

/** One execution's state, shared by every step of that execution. */
export class RunState {
  /** Evaluation nesting right now (JSONata's own timebox helper counts it the same way). */
  depth = 0;
  /** Where evaluation is, for error messages: `steps[2].expression`. */
  path = '(root)';
  readonly factorsUsed: FactorRef[] = [];
  private readonly seen = new Set<string>();
  private readonly deadline: number;

  constructor(
    readonly ctx: AgentContext,
    readonly timeoutMs: number,
    readonly maxDepth: number,
    /** As-of date when a `$factor` call gives none (ISO date). */
    readonly defaultAsOf: string,
  ) {
    this.deadline = Date.now() + timeoutMs;
  }

  check(): void {
    if (this.depth > this.maxDepth) {
      throw new DeclarativeLimitError(
        this.path,
        `evaluation deeper than ${this.maxDepth} levels: check for non-terminating recursion`,
      );
    }
    if (Date.now() > this.deadline) {
      throw new DeclarativeLimitError(
        this.path,
        `run exceeded its ${this.timeoutMs} ms budget: check for an infinite loop`,
      );
    }
  }

  used(ref: FactorRef): void {
    if (this.seen.has(ref.id)) return;
    this.seen.add(ref.id);
    this.factorsUsed.push(ref);
  }
}

interface Env {
  lookup(name: string | symbol): unknown;
  readonly isParallelCall?: boolean;
}

function stateOf(env: Env): RunState {
  const s = env.lookup(RUN_BINDING);
  // Only the engine evaluates compiled spec expressions, always with this binding.
  if (!(s instanceof RunState)) throw new Error('declarative expression evaluated outside a run');
  return s;
}

/**
 * Installs the guard and host functions on a compiled expression. The guard uses JSONata's
 * evaluate entry/exit hooks as its own timebox test helper does: every evaluation step
 * checks the wall clock and depth, so an infinite loop or recursion fails within the budget
 * (evaluation is a chain of microtasks, so a timer could never interrupt it).
 */
export function install(expression: jsonata.Expression): void {
  // Parallel branches (array/object constructors) would inflate nesting, so, like the helper,
  // depth counts sequential nesting only; the clock is checked on every step.
  expression.assign(
    Symbol.for('jsonata.__evaluate_entry') as unknown as string,
    (_e: unknown, _i: unknown, env: Env) => {
      const s = stateOf(env);
      if (!env.isParallelCall) s.depth++;
      s.check();
    },
  );
  expression.assign(
    Symbol.for('jsonata.__evaluate_exit') as unknown as string,
    (_e: unknown, _i: unknown, env: Env) => {
      const s = stateOf(env);
      if (!env.isParallelCall) s.depth--;
      s.check();
    },
  );
  expression.registerFunction(
    'factor',
    function (this: jsonata.Focus, activity: string, region: string, unit: string, asOf?: string) {
      const s = stateOf(this.environment);
      const q = { activity, region, unit, asOf: asOf ?? s.defaultAsOf };
      const call = `$factor('${activity}', '${region}', '${unit}'${asOf !== undefined ? `, '${asOf}'` : ''})`;
      const f = rethrow(s, call, () => s.ctx.factors.lookup(q));
      s.used(refOf(f));
      // attributes carry published extras an agent may need (e.g. eGRID grid loss fraction).
      return {
        value: f.value,
        unit: f.unit,
        valueUnit: f.valueUnit,
        id: f.id,
        gases: f.gases ?? {},
        attributes: f.attributes ?? {},
      };
    },
    '<sss?s?:o>',
  );
  expression.registerFunction(
    'convert',
    function (this: jsonata.Focus, value: number, from: string, to: string) {
      const s = stateOf(this.environment);
      return rethrow(s, `$convert(${value}, '${from}', '${to}')`, () => convert(value, from, to));
    },
    '<nss:n>',
  );
}

/** Host-function failures become DomainErrors naming the spec path and the call. */
function rethrow<T>(s: RunState, call: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DomainError) throw new DeclarativeRuntimeError(s.path, `${call}: ${err.message}`);
    throw err;
  }
}
