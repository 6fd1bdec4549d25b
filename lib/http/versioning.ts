/**
 * API version negotiation through `Accept`, and the deprecation headers of routes on their
 * way out (RFC 9745 `Deprecation`, RFC 8594 `Sunset`, `Link rel="deprecation"`).
 */
import { HttpProblem } from './problem.js';
import type { Deprecation } from './types.js';

export const API_VERSION = '1';
export const VENDOR_JSON = 'application/vnd.glaf.v1+json';
export const SUPPORTED_MEDIA_TYPES = ['application/json', 'application/problem+json', VENDOR_JSON] as const;

interface MediaRange {
  readonly type: string;
  readonly q: number;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.split(';').map((p) => p.trim());
      const qParam = params.find((p) => p.toLowerCase().startsWith('q='));
      const q = qParam ? Number(qParam.slice(2)) : 1;
      return { type: type.toLowerCase(), q: Number.isFinite(q) ? q : 0 };
    })
    .filter((r) => r.type !== '');
}

function covers(range: string, type: string): boolean {
  if (range === '*/*') return true;
  if (range.endsWith('/*')) return type.startsWith(range.slice(0, -1));
  return range === type;
}

/**
 * The content type of a success response for this `Accept`, or a 406 problem. The vendor type
 * is used only when the client names it; wildcards and plain JSON get `application/json`.
 */
export function negotiateContentType(accept: string | undefined): string {
  if (accept === undefined || accept.trim() === '') return 'application/json';
  const ranges = parseAccept(accept).filter((r) => r.q > 0);
  if (ranges.some((r) => r.type === VENDOR_JSON)) return VENDOR_JSON;
  if (ranges.some((r) => SUPPORTED_MEDIA_TYPES.some((t) => covers(r.type, t)))) return 'application/json';
  throw new HttpProblem(
    406,
    'not_acceptable',
    'Not Acceptable',
    `None of the media types in Accept can be produced. Supported: ${SUPPORTED_MEDIA_TYPES.join(', ')}`,
    { supported: SUPPORTED_MEDIA_TYPES },
  );
}

/** Headers announcing a route's deprecation; empty for current routes. */
export function deprecationHeaders(deprecation: Deprecation | undefined): Record<string, string> {
  if (!deprecation) return {};
  const deprecatedAt = Date.parse(deprecation.deprecatedAt);
  const sunsetAt = Date.parse(deprecation.sunsetAt);
  if (Number.isNaN(deprecatedAt) || Number.isNaN(sunsetAt)) {
    throw new Error(`Route deprecation dates must be ISO 8601: ${JSON.stringify(deprecation)}`);
  }
  return {
    Deprecation: `@${Math.floor(deprecatedAt / 1000)}`,
    Sunset: new Date(sunsetAt).toUTCString(),
    ...(deprecation.link ? { Link: `<${deprecation.link}>; rel="deprecation"` } : {}),
  };
}
