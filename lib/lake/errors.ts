/** Errors of the lake query path, with what the caller can do about them. */
import { DomainError } from '../domain/errors.js';

/** SQL the lake runner will not execute: anything but one read-only SELECT over the lake. */
export class LakeQueryRefusedError extends DomainError {
  readonly code = 'lake_query_refused';
}

/** No lake at the expected place yet. */
export class LakeMissingError extends DomainError {
  readonly code = 'lake_missing';
}

/** A name that is not one of the named queries. */
export class UnknownNamedQueryError extends DomainError {
  readonly code = 'unknown_named_query';
  constructor(
    readonly name: string,
    readonly allowed: readonly string[],
  ) {
    super(`Unknown query '${name}'. Named queries: ${allowed.join(', ')}`, { name, allowed });
  }
}
