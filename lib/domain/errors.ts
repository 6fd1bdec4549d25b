/**
 * Typed errors of the domain. Each carries what a caller needs to fix the input;
 * none carries a stack trace to the user (adapters map them to problem details).
 */

/** One invalid field: `path` is a JSON-pointer-like dotted path ("lines.0.quantity"). */
export interface Issue {
  readonly path: string;
  readonly message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** Structured details safe to show to a client. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.details };
  }
}

/** Input does not match a schema; lists every invalid field. */
export class ValidationError extends DomainError {
  readonly code = 'validation_failed';
  constructor(
    readonly issues: readonly Issue[],
    message = 'Input is invalid',
  ) {
    super(message, { issues });
  }
}

export class NotFoundError extends DomainError {
  readonly code: string = 'not_found';
  constructor(
    readonly kind: string,
    readonly key: string,
    hint?: string,
  ) {
    super(`${kind} '${key}' not found${hint ? `: ${hint}` : ''}`, { kind, key, ...(hint ? { hint } : {}) });
  }
}

export class ConflictError extends DomainError {
  readonly code: string = 'conflict';
}

/** Converting between units of different dimensions (e.g. kg to kWh) is never silent. */
export class UnitConversionError extends DomainError {
  readonly code = 'unit_conversion';
  constructor(
    readonly from: string,
    readonly to: string,
    reason: string,
  ) {
    super(`Cannot convert ${from} to ${to}: ${reason}`, { from, to });
  }
}

export class UnknownUnitError extends DomainError {
  readonly code = 'unknown_unit';
  constructor(
    readonly unit: string,
    readonly allowed: readonly string[],
  ) {
    super(`Unknown unit '${unit}'. Allowed: ${allowed.join(', ')}`, { unit, allowed });
  }
}
