/**
 * A recording HTTP proxy in front of dynalite (which checks no signatures): forwards every
 * request unchanged and records who signed it (the SigV4 `Credential=` access key id and the
 * session token) and which tenant partitions (`TENANT#<uuid>`) its body names, so a test can
 * check that each tenant's DynamoDB calls go out with that tenant's session of the tenant role.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SignedRequest {
  /** X-Amz-Target, e.g. DynamoDB_20120810.PutItem. */
  readonly operation: string;
  readonly accessKeyId: string;
  readonly sessionToken: string | undefined;
  /** Tenant ids of the `TENANT#<id>` keys in the body. */
  readonly tenants: readonly string[];
}

export interface SigningProxy {
  readonly endpoint: string;
  readonly requests: SignedRequest[];
  close(): Promise<void>;
}

const CREDENTIAL = /Credential=([^/]+)\//;
const TENANT_KEY = /TENANT#([0-9a-f-]{36})/g;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export async function startSigningProxy(target: string): Promise<SigningProxy> {
  const upstream = new URL(target);
  const requests: SignedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({
        operation: header(req.headers, 'x-amz-target') ?? '',
        accessKeyId: CREDENTIAL.exec(header(req.headers, 'authorization') ?? '')?.[1] ?? '',
        sessionToken: header(req.headers, 'x-amz-security-token'),
        tenants: [...new Set([...body.toString('utf8').matchAll(TENANT_KEY)].map((m) => m[1]!))],
      });
      const out = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      out.end(body);
    });
  });
  // The SDK clients reuse idle sockets; Node would close them after 5 s (ECONNRESET on the next call).
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
