/**
 * A fake API Gateway (REST API v1) management endpoint on 127.0.0.1: the REST-JSON wire
 * protocol of the API-key and usage-plan calls the usage-key provisioning makes (GetApiKeys,
 * CreateApiKey, UpdateApiKey, DeleteApiKey, GetUsagePlans, CreateUsagePlanKey,
 * DeleteUsagePlanKey), with the service's behaviour where the adapter depends on it:
 * - requests must be SigV4-signed for `apigateway` and accept JSON; bodies are JSON;
 * - `name` (nameQuery) matches key names by prefix; list calls page with `limit`/`position`;
 * - created keys are disabled unless `enabled: true`; timestamps are epoch seconds;
 * - errors carry `x-amzn-ErrorType` and `{ message }`: 404 NotFoundException for unknown keys
 *   and plans, 409 ConflictException for a key already in a plan (and, with `uniqueValues`,
 *   a second key with the same value), 429 TooManyRequestsException when told to throttle.
 * Plans are seeded by the test (the stack creates them in AWS).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';

export interface FakeKey {
  id: string;
  name: string;
  value: string;
  description?: string;
  enabled: boolean;
  createdDate: number;
}

export interface FakePlan {
  readonly id: string;
  readonly name: string;
  readonly apiStages: readonly { apiId: string; stage: string }[];
  readonly keyIds: Set<string>;
}

export interface FakeApiGateway {
  readonly endpoint: string;
  readonly keys: Map<string, FakeKey>;
  readonly plans: Map<string, FakePlan>;
  /** `METHOD /path?query` of every request, in order. */
  readonly calls: string[];
  addPlan(id: string, name: string, apiStages: { apiId: string; stage: string }[]): FakePlan;
  /** Adds a key directly (as another creator, or an earlier run, would have). */
  addKey(key: Omit<FakeKey, 'id' | 'createdDate'> & { createdDate?: number }): FakeKey;
  /** Answer the next n requests with 429 TooManyRequestsException. */
  throttleNext(n: number): void;
  close(): Promise<void>;
}

export interface FakeApiGatewayOptions {
  /** Refuse a second key with an existing value (409). @default true */
  readonly uniqueValues?: boolean;
  /** Items per page when the caller asks for more. @default 500 */
  readonly maxPage?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/apigateway\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/;

export async function startFakeApiGateway(options: FakeApiGatewayOptions = {}): Promise<FakeApiGateway> {
  const keys = new Map<string, FakeKey>();
  const plans = new Map<string, FakePlan>();
  const calls: string[] = [];
  let nextId = 1;
  let throttled = 0;
  const clock = { t: 1_700_000_000 };
  const newId = (): string => `k${String(nextId++).padStart(6, '0')}`;

  const addKey: FakeApiGateway['addKey'] = (k) => {
    const key: FakeKey = { ...k, id: newId(), createdDate: k.createdDate ?? clock.t++ };
    keys.set(key.id, key);
    return key;
  };

  function page<T>(items: T[], url: URL): { item: T[]; position?: string } {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 25), options.maxPage ?? 500);
    const start = Number(url.searchParams.get('position') ?? 0);
    const item = items.slice(start, start + limit);
    return start + limit < items.length ? { item, position: String(start + limit) } : { item };
  }

  function keyView(k: FakeKey, withValue: boolean): Record<string, unknown> {
    const { value, ...rest } = k;
    return withValue ? { ...rest, value } : rest;
  }

  function planOf(id: string): FakePlan {
    const plan = plans.get(id);
    if (!plan) throw new HttpError(404, 'NotFoundException', 'Invalid Usage Plan ID specified');
    return plan;
  }

  function keyOf(id: string): FakeKey {
    const key = keys.get(id);
    if (!key) throw new HttpError(404, 'NotFoundException', 'Invalid API Key identifier specified');
    return key;
  }

  function route(method: string, url: URL, body: Record<string, unknown>): [number, unknown] {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'apikeys' && parts.length === 1 && method === 'GET') {
      const prefix = url.searchParams.get('name') ?? '';
      const withValues = url.searchParams.get('includeValues') === 'true';
      const matching = [...keys.values()]
        .filter((k) => k.name.startsWith(prefix))
        .map((k) => keyView(k, withValues));
      return [200, page(matching, url)];
    }
    if (parts[0] === 'apikeys' && parts.length === 1 && method === 'POST') {
      const value = typeof body.value === 'string' ? body.value : `generated-${nextId}-${'x'.repeat(20)}`;
      if (value.length < 20)
        throw new HttpError(400, 'BadRequestException', 'API Key value should be at least 20 characters');
      if ((options.uniqueValues ?? true) && [...keys.values()].some((k) => k.value === value))
        throw new HttpError(409, 'ConflictException', 'API Key already exists');
      const key = addKey({
        name: typeof body.name === 'string' ? body.name : '',
        value,
        enabled: body.enabled === true,
        ...(typeof body.description === 'string' ? { description: body.description } : {}),
      });
      return [201, keyView(key, true)];
    }
    if (parts[0] === 'apikeys' && parts.length === 2 && method === 'PATCH') {
      const key = keyOf(parts[1]!);
      for (const op of (body.patchOperations ?? []) as { op: string; path: string; value?: string }[]) {
        if (op.op !== 'replace' || op.path !== '/enabled')
          throw new HttpError(400, 'BadRequestException', `Invalid patch path ${op.path}`);
        key.enabled = op.value === 'true';
      }
      return [200, keyView(key, false)];
    }
    if (parts[0] === 'apikeys' && parts.length === 2 && method === 'DELETE') {
      keyOf(parts[1]!);
      keys.delete(parts[1]!);
      for (const plan of plans.values()) plan.keyIds.delete(parts[1]!);
      return [202, undefined];
    }
    if (parts[0] === 'usageplans' && parts.length === 1 && method === 'GET') {
      const keyId = url.searchParams.get('keyId');
      if (keyId !== null) keyOf(keyId);
      const matching = [...plans.values()]
        .filter((p) => keyId === null || p.keyIds.has(keyId))
        .map((p) => ({ id: p.id, name: p.name, apiStages: p.apiStages }));
      return [200, page(matching, url)];
    }
    if (parts[0] === 'usageplans' && parts[2] === 'keys' && parts.length === 3 && method === 'POST') {
      const plan = planOf(parts[1]!);
      if (body.keyType !== 'API_KEY')
        throw new HttpError(400, 'BadRequestException', 'keyType must be API_KEY');
      const key = keyOf(String(body.keyId));
      if (plan.keyIds.has(key.id))
        throw new HttpError(
          409,
          'ConflictException',
          `Usage Plan ${plan.id} cannot be added because API Key ${key.id} already exists`,
        );
      plan.keyIds.add(key.id);
      return [201, { id: key.id, type: 'API_KEY', name: key.name, value: key.value }];
    }
    if (parts[0] === 'usageplans' && parts[2] === 'keys' && parts.length === 4 && method === 'DELETE') {
      const plan = planOf(parts[1]!);
      if (!plan.keyIds.delete(parts[3]!))
        throw new HttpError(404, 'NotFoundException', 'Invalid Usage Plan Key identifier specified');
      return [202, undefined];
    }
    throw new HttpError(404, 'UnknownOperationException', `${method} ${url.pathname}`);
  }

  const reply = (res: ServerResponse, status: number, body: unknown, type?: string): void => {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(type
        ? {
            'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.backplane.controlplane/`,
          }
        : {}),
    });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const url = new URL(req.url ?? '/', 'http://fake');
    calls.push(`${req.method} ${url.pathname}${url.search}`);
    try {
      if (!SIGV4.test(String(req.headers.authorization)))
        throw new HttpError(403, 'UnrecognizedClientException', 'Missing or malformed SigV4 signature');
      if (req.headers.accept !== 'application/json')
        throw new HttpError(
          400,
          'BadRequestException',
          'API Gateway management calls must accept application/json',
        );
      if (raw !== '' && !String(req.headers['content-type']).startsWith('application/json'))
        throw new HttpError(415, 'UnsupportedMediaTypeException', 'Bodies are JSON');
      if (throttled > 0) {
        throttled--;
        throw new HttpError(429, 'TooManyRequestsException', 'Too Many Requests');
      }
      const body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
      const [status, out] = route(req.method ?? 'GET', url, body);
      reply(res, status, out);
    } catch (err) {
      if (!(err instanceof HttpError)) return reply(res, 500, { message: String(err) }, 'InternalFailure');
      reply(res, err.status, { message: err.message }, err.type);
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    keys,
    plans,
    calls,
    addPlan(id, name, apiStages) {
      const plan: FakePlan = { id, name, apiStages, keyIds: new Set() };
      plans.set(id, plan);
      return plan;
    },
    addKey,
    throttleNext(n) {
      throttled = n;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/** An SDK client for the fake: static test credentials (requests are really signed), 3 attempts. */
export function apiGatewayClient(endpoint: string): APIGatewayClient {
  return new APIGatewayClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
    maxAttempts: 3,
  });
}
