/**
 * Semantic versions and ranges for agent references (`fuel-emissions@^1.2`,
 * `cbam@~1.4.0`, `eudr@1.0.0`) and dependency resolution, on the `semver` package.
 */
import semver from 'semver';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';
import { RANGE_RESOLVABLE, type LifecycleStage } from './lifecycle.js';

export class InvalidSemverError extends ValidationError {
  constructor(value: unknown, path = 'version') {
    super(
      [
        {
          path,
          message: `${JSON.stringify(value)} is not a semantic version; use MAJOR.MINOR.PATCH, e.g. 1.2.0`,
        },
      ],
      'Invalid semantic version',
    );
  }
}

export class InvalidRangeError extends ValidationError {
  constructor(value: unknown, path = 'range') {
    super(
      [
        {
          path,
          message: `${JSON.stringify(value)} is not a version range; use e.g. ^1.2, ~1.4.0, 1.0.0 or >=1.0.0 <2.0.0`,
        },
      ],
      'Invalid version range',
    );
  }
}

export interface Candidate {
  readonly version: string;
  readonly status: LifecycleStage;
}

export class NoMatchingVersionError extends NotFoundError {
  override readonly code = 'no_matching_version';
  constructor(agent: string, range: string, candidates: readonly Candidate[]) {
    const listed = candidates.length
      ? candidates.map((c) => `${c.version} (${c.status})`).join(', ')
      : 'none';
    super(
      'agent version',
      `${agent}@${range}`,
      `no version satisfies '${range}'; available: ${listed}. Ranges match experimental and certified versions only; pin an exact version to run a draft or deprecated one`,
    );
  }
}

export class DependencyCycleError extends ConflictError {
  override readonly code = 'dependency_cycle';
  constructor(readonly cycle: readonly string[]) {
    super(`Dependency cycle: ${cycle.join(' -> ')}`, { cycle });
  }
}

/** Returns the version if it is a full semver (no 'v' prefix, no loose forms). */
export function parseVersion(value: unknown, path = 'version'): string {
  if (typeof value !== 'string' || semver.valid(value) !== value) throw new InvalidSemverError(value, path);
  return value;
}

export function parseRange(value: unknown, path = 'range'): string {
  if (
    typeof value !== 'string' ||
    value.trim() === '' ||
    value.length > 100 ||
    semver.validRange(value) === null
  ) {
    throw new InvalidRangeError(value, path);
  }
  return value.trim();
}

/** An exact pin ("1.4.0" or "=1.4.0") selects that version whatever its stage. */
export function exactPin(range: string): string | undefined {
  const v = range.startsWith('=') ? range.slice(1) : range;
  return semver.valid(v) === v ? v : undefined;
}

/**
 * The version a reference selects: an exact pin matches any stage (deprecated versions
 * stay runnable for pinned callers); a range takes the highest experimental/certified match.
 */
export function resolveVersion(agent: string, range: string, candidates: readonly Candidate[]): Candidate {
  const r = parseRange(range);
  const pin = exactPin(r);
  const eligible = pin
    ? candidates.filter((c) => c.version === pin)
    : candidates.filter((c) => RANGE_RESOLVABLE.includes(c.status));
  const best = pin
    ? eligible[0]?.version
    : semver.maxSatisfying(
        eligible.map((c) => c.version),
        r,
      );
  const chosen = best ? eligible.find((c) => c.version === best) : undefined;
  if (!chosen) {
    const sorted = [...candidates].sort((a, b) => semver.compare(a.version, b.version));
    throw new NoMatchingVersionError(agent, r, sorted);
  }
  return chosen;
}

/** `name@range`; a bare name means the highest resolvable version (`*`). */
export function parseAgentRef(ref: unknown): { readonly agent: string; readonly range: string } {
  if (typeof ref !== 'string' || ref.length === 0 || ref.length > 200) {
    throw new ValidationError([
      { path: 'ref', message: 'expected "agent@range", e.g. "fuel-emissions@^1.2"' },
    ]);
  }
  const at = ref.indexOf('@', 1);
  const agent = at < 0 ? ref : ref.slice(0, at);
  const range = at < 0 ? '*' : ref.slice(at + 1);
  return { agent, range: parseRange(range, 'ref') };
}
