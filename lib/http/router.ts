/**
 * Matches a method and raw path against the route table. Segments are compared exactly;
 * `{name}` takes one URL-decoded segment (so a factor id may carry an encoded '/'), and a
 * literal segment wins over a parameter (`/v1/factors/lookup` before `/v1/factors/{factorId}`).
 * A trailing slash is a different path.
 */
import type { RouteDef } from './types.js';

// Route handlers are contravariant in their input types; the table holds routes of any shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDef<any, any, any>;

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: AnyRoute; readonly params: Record<string, string> }
  | { readonly kind: 'method_not_allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not_found' };

type Segment = { readonly literal: string } | { readonly param: string };

interface Compiled {
  readonly route: AnyRoute;
  readonly segments: readonly Segment[];
}

export interface Router {
  match(method: string, rawPath: string): RouteMatch;
  readonly routes: readonly AnyRoute[];
}

export function createRouter(routes: readonly AnyRoute[]): Router {
  const compiled = routes.map((route) => ({ route, segments: compile(route.path) }));
  assertUnique(compiled);
  return {
    routes,
    match(method, rawPath) {
      const segments = splitPath(rawPath);
      if (segments === null) return { kind: 'not_found' };
      let best: { entry: Compiled; params: Record<string, string>; score: string } | undefined;
      const allow = new Set<string>();
      for (const entry of compiled) {
        const matched = matchSegments(entry.segments, segments);
        if (!matched) continue;
        allow.add(entry.route.method);
        if (entry.route.method !== method) continue;
        if (!best || matched.score > best.score) best = { entry, ...matched };
      }
      if (best) return { kind: 'found', route: best.entry.route, params: best.params };
      if (allow.size > 0) return { kind: 'method_not_allowed', allow: [...allow].sort() };
      return { kind: 'not_found' };
    },
  };
}

function compile(path: string): Segment[] {
  return path
    .split('/')
    .slice(1)
    .map((s) => (s.startsWith('{') && s.endsWith('}') ? { param: s.slice(1, -1) } : { literal: s }));
}

/** Raw segments, URL-decoded one by one; null when the path is not decodable. */
function splitPath(rawPath: string): string[] | null {
  if (!rawPath.startsWith('/')) return null;
  try {
    return rawPath.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return null;
  }
}

/** The score ('1' per literal, '0' per parameter) ranks literal-first matches higher. */
function matchSegments(
  pattern: readonly Segment[],
  segments: readonly string[],
): { params: Record<string, string>; score: string } | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  let score = '';
  for (const [i, seg] of pattern.entries()) {
    const value = segments[i] ?? '';
    if ('literal' in seg) {
      if (seg.literal !== value) return null;
      score += '1';
    } else {
      if (value === '') return null;
      params[seg.param] = value;
      score += '0';
    }
  }
  return { params, score };
}

function assertUnique(compiled: readonly Compiled[]): void {
  const seen = new Set<string>();
  for (const { route } of compiled) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) throw new Error(`Route table has ${key} twice (operationId ${route.operationId})`);
    seen.add(key);
  }
}
