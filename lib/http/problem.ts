/**
 * RFC 9457 problem details: the one error shape every client sees. Domain errors are mapped
 * to a status here; anything unknown becomes a 500 whose body carries only the request id,
 * so no stack trace or internal message can leak.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';

import {
  ConflictError,
  DomainError,
  NotFoundError,
  UnitConversionError,
  UnknownUnitError,
  ValidationError,
} from '../domain/errors.js';
import type { Issue } from '../domain/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_BASE = 'https://glaf.dev/problems/';

/** Thrown by the pipeline (and by routes) to answer with a specific problem. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: Readonly<{ errors?: readonly Issue[] } & Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly request_id: string;
  readonly errors?: readonly Issue[];
  readonly [extension: string]: unknown;
}

/** Maps any thrown value to a problem; `internal` is true when the cause must be logged as a bug. */
export function toProblem(error: unknown): { problem: HttpProblem; internal: boolean } {
  if (error instanceof HttpProblem) return { problem: error, internal: false };
  if (error instanceof DomainError) return { problem: fromDomainError(error), internal: false };
  if (error instanceof Error && error.name === 'TimeoutError') {
    return {
      problem: new HttpProblem(504, 'timeout', 'Gateway Timeout', 'The request took too long'),
      internal: true,
    };
  }
  return {
    problem: new HttpProblem(500, 'internal_error', 'Internal Server Error', 'Internal error'),
    internal: true,
  };
}

function fromDomainError(error: DomainError): HttpProblem {
  // Domain errors are written for users (see lib/domain/errors.ts), so message and details may be shown.
  const extra = detailsWithoutIssues(error);
  if (error instanceof ValidationError) {
    return new HttpProblem(400, error.code, 'Bad Request', error.message, { ...extra, errors: error.issues });
  }
  if (error instanceof NotFoundError)
    return new HttpProblem(404, error.code, 'Not Found', error.message, extra);
  if (error instanceof ConflictError)
    return new HttpProblem(409, error.code, 'Conflict', error.message, extra);
  if (error instanceof UnitConversionError || error instanceof UnknownUnitError) {
    return new HttpProblem(400, error.code, 'Bad Request', error.message, extra);
  }
  return new HttpProblem(422, error.code, 'Unprocessable Content', error.message, extra);
}

function detailsWithoutIssues(error: DomainError): Record<string, unknown> {
  // `issues` becomes `errors`; `type`, `status` etc. belong to the problem and must not be overwritten.
  const reserved = new Set(['issues', 'type', 'title', 'status', 'detail', 'instance', 'request_id']);
  return Object.fromEntries(Object.entries(error.details).filter(([key]) => !reserved.has(key)));
}

export function problemBody(problem: HttpProblem, instance: string, requestId: string): ProblemBody {
  return {
    ...problem.extra,
    type: PROBLEM_BASE + problem.code,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance,
    request_id: requestId,
  };
}

export function problemResponse(
  problem: HttpProblem,
  instance: string,
  requestId: string,
): APIGatewayProxyResult {
  return {
    statusCode: problem.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...problem.headers },
    body: JSON.stringify(problemBody(problem, instance, requestId)),
  };
}
