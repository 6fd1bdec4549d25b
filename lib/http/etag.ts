/**
 * Entity tags for GET responses. Weak (`W/"..."`) because the same representation may be
 * sent gzip-compressed or not; weak comparison is what `If-None-Match` uses anyway (RFC 9110 13.1.2).
 */
import { createHash } from 'node:crypto';

export function etagOf(body: string): string {
  return `W/"${createHash('sha256').update(body).digest('base64url')}"`;
}

function opaque(tag: string): string {
  const t = tag.trim();
  return t.startsWith('W/') ? t.slice(2) : t;
}

/** True when `If-None-Match` names this tag (weakly) or is `*`. */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const wanted = opaque(etag);
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === wanted);
}
