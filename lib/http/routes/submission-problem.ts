/**
 * Refusals of new work as their problems, for every route that submits executions (single
 * executions, batches): the monthly quota as 429, a full queue as 503 with Retry-After.
 */
import { QueueFullError, QuotaExceededError } from '../../services/executions.js';
import { HttpProblem } from '../problem.js';

/** Quota and backpressure refusals as their problems: 429, and 503 with Retry-After. */
export function submissionProblem(err: unknown): never {
  if (err instanceof QuotaExceededError) {
    throw new HttpProblem(429, err.code, 'Too Many Requests', err.message, { ...err.details });
  }
  if (err instanceof QueueFullError) {
    throw new HttpProblem(
      503,
      err.code,
      'Service Unavailable',
      err.message,
      { ...err.details },
      {
        'Retry-After': String(err.retryAfterSeconds),
      },
    );
  }
  throw err;
}
