import { DomainError, type Issue } from '../../domain/errors.js';

/**
 * A declarative agent spec that cannot be loaded. Every issue names the spec path
 * (`steps[2].expression`, `input`, `output.totals.co2e`) so an author can fix it without
 * reading engine code.
 */
export class SpecError extends DomainError {
  readonly code = 'spec_invalid';
  constructor(
    readonly issues: readonly Issue[],
    readonly source = '(spec)',
  ) {
    super(`${source}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues, source });
  }
}

/** A declarative run failed for a reason the author or caller can act on (spec path in the message). */
export class DeclarativeRuntimeError extends DomainError {
  readonly code: string = 'declarative_runtime';
  constructor(
    readonly specPath: string,
    message: string,
  ) {
    super(`${specPath}: ${message}`, { path: specPath });
  }
}

/** The run exceeded its wall-clock budget or its evaluation depth limit. */
export class DeclarativeLimitError extends DeclarativeRuntimeError {
  override readonly code = 'declarative_limit';
}

/** Formats a spec path from segments: `['steps', 2, 'expression']` -> `steps[2].expression`. */
export function specPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out === '' ? '(root)' : out;
}
