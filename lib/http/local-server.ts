/**
 * The local stand-in for API Gateway REST: each HTTP request becomes an `APIGatewayProxyEvent`,
 * runs the REQUEST authorizer (result cached 5 minutes per credential, like API Gateway) for
 * non-public routes, then the same handler Lambda runs, and the result goes back over HTTP.
 * Also serves the local issuer's JWKS at `/.well-known/jwks.json`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { LRUCache } from 'lru-cache';

import type { ApiHandler } from './lambda.js';
import { HttpProblem, problemResponse } from './problem.js';
import { createRouter, type AnyRoute } from './router.js';

export interface LocalAuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: { readonly Statement: readonly { readonly Effect: string }[] };
  readonly context?: Readonly<Record<string, string | number | boolean>>;
}

/** B's `authorize` (lib/http/auth/authorize.ts) fits this; throwing `Error('Unauthorized')` means 401. */
export type LocalAuthorize = (event: {
  readonly type: 'REQUEST';
  readonly headers: Record<string, string | undefined>;
  readonly methodArn: string;
}) => Promise<LocalAuthorizerResult>;

export interface LocalServerOptions {
  readonly handler: ApiHandler;
  readonly authorize: LocalAuthorize;
  /** The route table: its public routes skip the authorizer, as in the API Gateway config. When absent, the authorizer runs whenever a credential is sent. */
  readonly routes?: readonly AnyRoute[];
  /** The local issuer's JWKS, served at /.well-known/jwks.json. */
  readonly jwks?: () => unknown;
  /** The gateway's own payload limit (API Gateway: 10 MB); the pipeline's tighter limit applies after it. @default 10 MiB */
  readonly maxBodyBytes?: number;
  /** Authorizer cache TTL; 0 turns the cache off. @default 300_000 (API Gateway's default) */
  readonly authorizerCacheTtlMs?: number;
}

type Authorized = { allow: true; context: Record<string, string | number | boolean> } | { allow: false };

export function createLocalServer(options: LocalServerOptions): Server {
  const router = options.routes ? createRouter(options.routes) : undefined;
  const ttl = options.authorizerCacheTtlMs ?? 300_000;
  const cache = ttl > 0 ? new LRUCache<string, Authorized>({ max: 10_000, ttl }) : undefined;
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;

  async function authorizeOnce(event: APIGatewayProxyEvent, credential: string): Promise<Authorized> {
    // Keyed by a hash of the credential, so the cache never holds tokens or API keys in clear.
    const key = createHash('sha256').update(credential).digest('hex');
    const cached = cache?.get(key);
    if (cached) return cached;
    const methodArn = `arn:aws:execute-api:local:000000000000:localapi/local/${event.httpMethod}${event.path}`;
    const result = await options.authorize({ type: 'REQUEST', headers: { ...event.headers }, methodArn });
    const allow = result.policyDocument.Statement.some((s) => s.Effect === 'Allow');
    const decision: Authorized = allow
      ? { allow, context: { ...result.context, principalId: result.principalId } }
      : { allow };
    cache?.set(key, decision);
    return decision;
  }

  async function respond(req: IncomingMessage, body: Buffer): Promise<APIGatewayProxyResult> {
    const event = toEvent(req, body);
    const instance = event.path;
    const refuse = (p: HttpProblem): APIGatewayProxyResult =>
      problemResponse(p, instance, event.requestContext.requestId);
    if (req.method === 'GET' && event.path === '/.well-known/jwks.json' && options.jwks) {
      return {
        statusCode: 200,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(options.jwks()),
      };
    }
    if (body.length > maxBodyBytes) {
      return refuse(
        new HttpProblem(
          413,
          'payload_too_large',
          'Content Too Large',
          `Request body over ${maxBodyBytes} bytes`,
        ),
      );
    }
    const match = router?.match(event.httpMethod, event.path);
    const credential = event.headers.authorization ?? event.headers['x-api-key'];
    const needsAuth = match
      ? match.kind === 'found' && match.route.access !== 'public'
      : credential !== undefined;
    if (needsAuth) {
      if (credential === undefined)
        return refuse(
          new HttpProblem(
            401,
            'unauthorized',
            'Unauthorized',
            'Send Authorization: Bearer <jwt> or x-api-key',
          ),
        );
      try {
        const decision = await authorizeOnce(event, credential);
        if (!decision.allow)
          return refuse(new HttpProblem(403, 'forbidden', 'Forbidden', 'The authorizer denied this request'));
        event.requestContext.authorizer = decision.context;
      } catch (error) {
        if (error instanceof Error && error.message === 'Unauthorized') {
          return refuse(
            new HttpProblem(401, 'unauthorized', 'Unauthorized', 'The token or API key is not valid'),
          );
        }
        return refuse(new HttpProblem(500, 'authorizer_error', 'Internal Server Error', 'Internal error'));
      }
    }
    try {
      return await options.handler(event, lambdaContext(event.requestContext.requestId));
    } catch {
      return refuse(new HttpProblem(502, 'bad_gateway', 'Bad Gateway', 'Internal error'));
    }
  }

  return createServer({ keepAlive: true }, (req, res) => {
    readBody(req, maxBodyBytes)
      .then((body) => respond(req, body))
      .then((result) => write(res, result))
      .catch(() => res.destroy());
  });
}

/** Keeps at most limit + 1 bytes; the rest is drained (not stored) so the client still gets its 413. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (size <= limit) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks);
}

function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEvent {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    multiValueHeaders[name] = Array.isArray(value) ? value : [value];
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v; // API Gateway keeps the last value in queryStringParameters
    (multiQuery[k] ??= []).push(v);
  }
  const hasQuery = Object.keys(query).length > 0;
  const type = headers['content-type'] ?? '';
  const textual =
    !headers['content-encoding'] && (type === '' || /json|text|xml|x-www-form-urlencoded/i.test(type));
  return {
    httpMethod: req.method ?? 'GET',
    path: url.pathname, // still percent-encoded: the router decodes per segment, so %2F stays inside one
    resource: '/{proxy+}',
    pathParameters: { proxy: url.pathname.slice(1) },
    stageVariables: null,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    body: body.length === 0 ? null : body.toString(textual ? 'utf8' : 'base64'),
    isBase64Encoded: body.length > 0 && !textual,
    requestContext: {
      requestId: randomUUID(),
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
      httpMethod: req.method ?? 'GET',
      path: url.pathname,
      stage: 'local',
      authorizer: null,
    } as unknown as APIGatewayProxyEvent['requestContext'], // the fields API Gateway sets and the pipeline reads
  };
}

function lambdaContext(requestId: string): Context {
  // No getRemainingTimeInMillis: without a deadline middy sets no timeout timer (none exists locally).
  return {
    awsRequestId: requestId,
    functionName: 'local-api',
    callbackWaitsForEmptyEventLoop: false,
  } as unknown as Context;
}

function write(res: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) headers[k] = v.map(String);
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  headers['Content-Length'] = String(body.length);
  res.writeHead(result.statusCode, headers);
  res.end(body);
}
