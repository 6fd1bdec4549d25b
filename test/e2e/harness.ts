/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON response bodies: the assertions are the type checks */
/**
 * A local platform on 127.0.0.1 port 0 with a temporary data directory, and a small fetch
 * wrapper. Everything goes over real HTTP, through the local server, the authorizer and
 * the same route table the Lambda handler serves.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPlatform, type LocalPlatform } from '../../lib/adapters/local/platform.js';
import type { Role } from '../../lib/http/types.js';

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON body, or undefined when there is none. */
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions walk it freely
}

export interface CallOptions {
  readonly token?: string;
  readonly apiKey?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export async function call(base: string, method: string, path: string, o: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token !== undefined) headers['authorization'] = `Bearer ${o.token}`;
  if (o.apiKey !== undefined) headers['x-api-key'] = o.apiKey;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

export interface TestPlatform {
  readonly platform: LocalPlatform;
  readonly dataDir: string;
  readonly url: string;
  call(method: string, path: string, o?: CallOptions): Promise<Reply>;
  token(
    tenantId: string | null,
    roles: readonly Role[],
    extra?: { platformAdmin?: boolean },
  ): Promise<string>;
  /** Onboards a tenant through the API; returns its id and an admin token. */
  tenant(slug: string): Promise<{ id: string; admin: string }>;
  /** Stops the platform; the data directory stays (see `restart`). */
  stop(): Promise<void>;
  /** Removes the data directory. */
  dispose(): Promise<void>;
}

export async function newDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'glaf-e2e-'));
}

export async function startTestPlatform(dataDir?: string): Promise<TestPlatform> {
  const dir = dataDir ?? (await newDataDir());
  const platform = await startLocalPlatform({ port: 0, host: '127.0.0.1', dataDir: dir, logLevel: 'SILENT' });
  const t: TestPlatform = {
    platform,
    dataDir: dir,
    url: platform.url,
    call: (method, path, o) => call(platform.url, method, path, o),
    token: (tenantId, roles, extra = {}) =>
      platform.mintToken({
        tenantId,
        roles: [...roles],
        platformAdmin: extra.platformAdmin ?? false,
        sub: `e2e:${roles.join('+') || 'platform'}`,
        ttlSeconds: 600,
      }),
    async tenant(slug) {
      const admin = await t.token(null, [], { platformAdmin: true });
      const r = await t.call('POST', '/v1/tenants', {
        token: admin,
        body: { slug, name: slug, home_region: 'eu-west-1', admin: { email: `admin@${slug}.example` } },
      });
      if (r.status !== 201) throw new Error(`onboarding ${slug}: ${r.status} ${r.text}`);
      const id = String(r.body.tenant.tenant_id);
      return { id, admin: await t.token(id, ['admin']) };
    },
    stop: () => platform.close(),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
  return t;
}
