/**
 * Compiles JSONata expressions of a spec and checks them statically: syntax (with line and
 * column), functions that would break determinism or the sandbox, and the literal
 * `$factor('activity', 'region', 'unit')` calls the loader verifies against the catalogue.
 */
import jsonata from 'jsonata';
import type { Issue } from '../../domain/errors.js';

/**
 * Built-ins a spec may not use. `$eval` runs text as code; `$now`/`$millis`/`$random`/
 * `$shuffle` make results depend on the clock or chance (provenance needs same input, same
 * output); `$pad` can allocate a string of any length in one step, which no time check sees.
 */
export const BANNED_FUNCTIONS: ReadonlySet<string> = new Set([
  'eval',
  'now',
  'millis',
  'random',
  'shuffle',
  'pad',
]);

/** JSONata built-in function names: a step bound under one of these would shadow it. */
export const JSONATA_BUILTINS: ReadonlySet<string> = new Set(
  (
    'sum count max min average string substring substringBefore substringAfter lowercase uppercase length trim ' +
    'pad match contains replace split join formatNumber formatBase formatInteger parseInteger number floor ceil ' +
    'round abs sqrt power random boolean not exists keys lookup spread merge reverse each error assert type sort ' +
    'shuffle distinct zip append map filter single reduce sift base64encode base64decode encodeUrlComponent ' +
    'encodeUrl decodeUrlComponent decodeUrl eval toMillis fromMillis clone now millis'
  ).split(' '),
);

/**
 * Longest sequence an expression may build (JSONata's own `sequence` guard). Large enough for
 * any realistic activity list, small enough that one built-in step over it stays in
 * milliseconds: the time check runs between evaluation steps, not inside a built-in.
 */
export const MAX_SEQUENCE = 100_000;

/** A `$factor(...)` call whose activity, region and unit are string literals. */
export interface LiteralFactorCall {
  readonly path: string;
  readonly activity: string;
  readonly region: string;
  readonly unit: string;
  readonly asOf?: string;
}

export type Compiled =
  | {
      readonly ok: true;
      readonly expression: jsonata.Expression;
      readonly factorCalls: readonly LiteralFactorCall[];
    }
  | { readonly ok: false; readonly issues: Issue[] };

interface JsonataErrorLike {
  readonly code?: string;
  readonly position?: number;
  readonly message?: string;
}

/** "at column 14" on one line; "at line 2, column 5" when the expression spans lines. */
export function locate(text: string, position: number | undefined): string {
  if (position === undefined || position <= 0) return '';
  const before = text.slice(0, Math.max(0, position - 1));
  const line = before.split('\n').length;
  const column = position - (before.lastIndexOf('\n') + 1);
  return text.includes('\n') ? ` at line ${line}, column ${column}` : ` at column ${column}`;
}

export function compile(text: string, path: string): Compiled {
  let expression: jsonata.Expression;
  try {
    expression = jsonata(text, { sequence: MAX_SEQUENCE });
  } catch (err) {
    const e = err as JsonataErrorLike;
    return {
      ok: false,
      issues: [{ path, message: `Syntax error${locate(text, e.position)}: ${e.message ?? String(err)}` }],
    };
  }
  const issues: Issue[] = [];
  const factorCalls: LiteralFactorCall[] = [];
  walk(expression.ast(), (node) => {
    const at = locate(text, node.position);
    if (node.type === ('regex' as string)) {
      issues.push({
        path,
        message: `Regular expressions are not allowed${at} (their matching time is unbounded)`,
      });
    }
    if (node.type === 'variable' && typeof node.value === 'string' && BANNED_FUNCTIONS.has(node.value)) {
      issues.push({ path, message: `$${node.value} is not available in declarative agents${at}` });
    }
    if (
      node.type === 'function' &&
      node.procedure?.type === 'variable' &&
      node.procedure.value === 'factor'
    ) {
      const args = node.arguments ?? [];
      if (args.length < 3 || args.length > 4) {
        issues.push({
          path,
          message: `$factor takes (activity, region, unit, asOf?), got ${args.length} arguments${at}`,
        });
        return;
      }
      const lit = args.map((a) => (a.type === 'string' && typeof a.value === 'string' ? a.value : undefined));
      const [activity, region, unit, asOf] = lit;
      if (activity !== undefined && region !== undefined && unit !== undefined) {
        factorCalls.push({ path, activity, region, unit, ...(asOf !== undefined ? { asOf } : {}) });
      }
    }
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, expression, factorCalls };
}

/** Visits every AST node once; the AST is a tree, but `seen` guards against shared objects. */
function walk(root: jsonata.ExprNode, visit: (n: jsonata.ExprNode) => void): void {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      stack.push(...(v as unknown[]));
      continue;
    }
    if (typeof (v as { type?: unknown }).type === 'string') visit(v as jsonata.ExprNode);
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push(child);
  }
}
