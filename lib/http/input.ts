/**
 * The request's params, query and body, size-checked, JSON-parsed and validated with the
 * route's zod schemas. One 400 lists every invalid field of all three, paths prefixed with
 * `params.`, `query.` or `body.`, so a client can fix everything in one round trip.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { z } from 'zod';

import type { Issue } from '../domain/errors.js';

import { HttpProblem } from './problem.js';
import type { AnyRoute } from './router.js';
import type { RouteInput } from './types.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Query parameters the pipeline itself consumes; routes never see them. */
const PIPELINE_QUERY = new Set(['fields']);

export async function parseInput(
  route: AnyRoute,
  event: APIGatewayProxyEvent,
  params: Record<string, string>,
  maxBodyBytes: number,
): Promise<RouteInput<unknown, unknown, unknown>> {
  const rawBody = readBody(event, maxBodyBytes);
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) {
    if (v !== undefined && !PIPELINE_QUERY.has(k)) query[k] = v;
  }
  const issues: Issue[] = [];
  const input = {
    params: await validate(route.params, params, 'params', issues),
    query: await validate(route.query, query, 'query', issues),
    body: route.body ? await validate(route.body, parseJson(rawBody), 'body', issues) : undefined,
  };
  if (issues.length > 0) {
    throw new HttpProblem(
      400,
      'validation_failed',
      'Bad Request',
      `The request has ${issues.length} invalid field(s)`,
      {
        errors: issues,
      },
    );
  }
  return input;
}

function readBody(event: APIGatewayProxyEvent, maxBodyBytes: number): string | undefined {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.length > maxBodyBytes) {
    throw new HttpProblem(
      413,
      'payload_too_large',
      'Content Too Large',
      `The request body is ${bytes.length} bytes; the limit is ${maxBodyBytes} bytes`,
      { limit_bytes: maxBodyBytes },
    );
  }
  return bytes.toString('utf8');
}

function parseJson(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    // The parser's own message names internals of the runtime; the client needs only this.
    throw new HttpProblem(400, 'malformed_json', 'Bad Request', 'The request body is not valid JSON');
  }
}

async function validate(
  schema: z.ZodType | undefined,
  value: unknown,
  prefix: string,
  issues: Issue[],
): Promise<unknown> {
  if (!schema) return value;
  const result = await schema.safeParseAsync(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const base = [prefix, ...issue.path.map(String)];
    // One entry per unexpected key, so each offending field is named with its own path.
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const path = key === undefined ? base : [...base, key];
      issues.push({ path: path.join('.'), message: key === undefined ? issue.message : 'unknown field' });
    }
  }
  return undefined;
}
