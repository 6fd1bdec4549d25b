/**
 * gzip for bodies above 1 KiB when the client accepts it; smaller bodies gain nothing from it.
 * API Gateway passes binary bodies through as base64 (`isBase64Encoded`).
 */
import { gzipSync } from 'node:zlib';

export const GZIP_MIN_BYTES = 1024;

export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** The base64 of the gzip of `body`, or null when compression does not apply. */
export function gzipBody(body: string, acceptEncoding: string | undefined): string | null {
  if (Buffer.byteLength(body, 'utf8') <= GZIP_MIN_BYTES || !acceptsGzip(acceptEncoding)) return null;
  return gzipSync(body).toString('base64');
}
