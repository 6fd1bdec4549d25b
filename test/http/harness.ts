/**
 * A local server over the real pipeline with small test routes (their operation ids come
 * from the contract, so the real RBAC matrix applies), a real TenantService on PGlite for
 * quotas, the real in-process rate limiter, and a stub authorizer mapping test tokens to
 * principals (the real authorizer is tested in test/http/auth and test/e2e).
 */
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

import { SqlTenantStore } from '../../lib/adapters/sql/tenant-store.sql.js';
import { MemoryRateLimiter } from '../../lib/adapters/local/memory-rate-limiter.js';
import { createApiHandler, type ApiHandlerOptions } from '../../lib/http/lambda.js';
import {
  createLocalServer,
  type LocalAuthorize,
  type LocalServerOptions,
} from '../../lib/http/local-server.js';
import type { AnyRoute } from '../../lib/http/router.js';
import type { AppServices } from '../../lib/http/services.js';
import { TenantService } from '../../lib/services/tenants.js';
import { openTestDb, type TestDb } from '../adapters/sql/harness.js';

export interface Caller {
  readonly principalType: 'user' | 'api_key' | 'service';
  readonly subject: string;
  readonly tenantId: string;
  readonly roles: string;
  readonly platformAdmin: 'true' | 'false';
}

/** Test tokens: `Bearer <name>` where name is a key of `callers`; `deny` -> Deny policy; `crash` -> authorizer bug. */
export function stubAuthorizer(callers: Record<string, Caller>): {
  authorize: LocalAuthorize;
  calls: () => number;
} {
  let calls = 0;
  const authorize: LocalAuthorize = (event) => {
    calls += 1;
    const header = event.headers.authorization ?? event.headers['x-api-key'] ?? '';
    const name = header.replace(/^Bearer /, '');
    if (name === 'crash')
      return Promise.reject(new Error('authorizer bug: connection string postgres://secret@db'));
    const effect = name === 'deny' ? 'Deny' : 'Allow';
    const caller = callers[name];
    if (!caller && effect === 'Allow') return Promise.reject(new Error('Unauthorized'));
    return Promise.resolve({
      principalId: caller?.subject ?? name,
      policyDocument: { Statement: [{ Effect: effect }] },
      ...(caller ? { context: { ...caller } } : {}),
    });
  };
  return { authorize, calls: () => calls };
}

export interface TestPlatform {
  readonly db: TestDb;
  readonly tenants: TenantService;
  readonly services: AppServices;
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

export async function openPlatform(): Promise<TestPlatform> {
  const db = await openTestDb('pglite');
  const tenants = new TenantService(new SqlTenantStore(db.scope));
  const limiter = new MemoryRateLimiter();
  let ready = true;
  // Only what the pipeline and the system routes touch; the resource services belong to route tests.
  const services = {
    tenants,
    limiter,
    clock: () => new Date(),
    ready: () => ready,
  } as unknown as AppServices;
  return {
    db,
    tenants,
    services,
    setReady: (r) => (ready = r),
    close: async () => {
      await limiter.close();
      await db.close();
    },
  };
}

export async function onboard(tenants: TenantService, slug: string): Promise<string> {
  const { tenant } = await tenants.onboard({
    slug,
    name: `${slug} Ltd`,
    homeRegion: 'eu-west-1',
    admin: { email: `admin@${slug}.example` },
  });
  return tenant.id;
}

export interface Running {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export async function serve(
  routes: readonly AnyRoute[],
  services: AppServices,
  server: Omit<LocalServerOptions, 'handler'>,
  handlerOptions: ApiHandlerOptions = {},
): Promise<Running> {
  const handler = createApiHandler(routes, () => services, handlerOptions);
  const http = createLocalServer({ ...server, handler });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server: http,
    close: () => new Promise<void>((resolve, reject) => http.close((e) => (e ? reject(e) : resolve()))),
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Raw bytes as sent (still gzip-compressed when Content-Encoding says so). */
  readonly raw: Buffer;
  /** Body as text, gunzipped when needed. */
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

/** Every reply body seen, to check at the end that none carries a stack trace. */
export const seenBodies: string[] = [];

/** A raw node:http call (fetch would decompress gzip out of sight). */
export function call(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        seenBodies.push(text);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          raw,
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export const bearer = (name: string): Record<string, string> => ({ authorization: `Bearer ${name}` });

/**
 * Collects what the process writes to stdout/stderr (where Powertools Logger's console goes)
 * from now until `restore()`, which also keeps the test output free of request logs.
 */
export function installLogSink(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const grab = (chunk: string | Uint8Array): boolean => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((l) => l.trim() !== ''),
    );
    return true;
  };
  process.stdout.write = grab;
  process.stderr.write = grab;
  return {
    lines,
    restore: () => {
      process.stdout.write = out;
      process.stderr.write = err;
    },
  };
}

/** The JSON log lines of one request. */
export function logsOf(lines: readonly string[], requestId: string): Record<string, unknown>[] {
  return lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((entry) => entry.requestId === requestId);
}
