/**
 * A small S3 REST endpoint for PutObject, path-style (`/<bucket>/<key>`, which the SDK uses for
 * an IP endpoint): it checks what the real service checks on an Object Lock bucket — a body
 * integrity checksum must come with the request and match the body — and keeps the objects.
 * Proves the wire mapping of S3ObjectStore, not S3.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredObject {
  readonly body: string;
  readonly contentType: string | undefined;
  readonly checksumSha256: string | undefined;
}

export interface FakeS3 {
  readonly endpoint: string;
  readonly objects: Map<string, StoredObject>;
  close(): Promise<void>;
}

/** aws-chunked bodies (streaming with a trailing checksum): the chunks' data, the trailer's headers. */
function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const size = parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    at = eol + 2;
    if (size === 0) break;
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
  for (const line of raw.subarray(at).toString('latin1').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) trailers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

export async function startFakeS3(buckets: readonly string[]): Promise<FakeS3> {
  const objects = new Map<string, StoredObject>();
  const fail = (res: ServerResponse, status: number, code: string) => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`,
    );
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const [, bucket, ...rest] = url.pathname.split('/');
      const key = decodeURIComponent(rest.join('/'));
      if (req.method !== 'PUT' || !bucket || !key) return fail(res, 501, 'NotImplemented');
      if (!buckets.includes(bucket)) return fail(res, 404, 'NoSuchBucket');
      if (!/^AWS4-HMAC-SHA256 Credential=/.test(req.headers.authorization ?? ''))
        return fail(res, 403, 'AccessDenied');
      const raw = Buffer.concat(chunks);
      const chunked = (req.headers['content-encoding'] ?? '').includes('aws-chunked');
      const { body, trailers } = chunked ? decodeAwsChunked(raw) : { body: raw, trailers: {} };
      const claimed =
        (req.headers['x-amz-checksum-sha256'] as string | undefined) ?? trailers['x-amz-checksum-sha256'];
      const md5 = req.headers['content-md5'] as string | undefined;
      // Object Lock buckets refuse a PUT without an integrity checksum.
      if (!claimed && !md5 && !trailers['x-amz-checksum-crc32']) return fail(res, 400, 'InvalidRequest');
      if (claimed && claimed !== createHash('sha256').update(body).digest('base64'))
        return fail(res, 400, 'BadDigest');
      objects.set(`${bucket}/${key}`, {
        body: body.toString('utf8'),
        contentType: req.headers['content-type'],
        checksumSha256: claimed,
      });
      res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
