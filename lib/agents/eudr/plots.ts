/**
 * Per-plot geometry work: validity (turf boolean-valid + kinks), geodesic area (turf area,
 * spherical model R = 6 371 008.8 m) and the declared-area comparison. One pass per plot,
 * no re-parsing: the geometry objects are the ones zod already validated. Both turf validity
 * checks are quadratic in a ring's vertices, so a linear convexity test settles the common
 * simple case first.
 */
import { area } from '@turf/area';
import { booleanValid } from '@turf/boolean-valid';
import { kinks } from '@turf/kinks';
import type { Geometry } from 'geojson';
import type { PlotGeometry } from './geojson.schema.js';
import type { Plot } from './input.schema.js';

/** Same shape as the input's `area_tolerance`. */
export interface AreaTolerance {
  readonly relative: number;
  readonly absolute_ha: number;
}

export interface PlotAssessment {
  readonly id: string;
  readonly geometry_type: PlotGeometry['type'];
  readonly declared_area_ha: number | null;
  /** Geodesic area of a polygon, ha (4 decimals = 1 m2); null for a point. */
  readonly computed_area_ha: number | null;
  /** Why the geometry is invalid; null when valid. */
  readonly geometry_problem: string | null;
  readonly area: { readonly status: 'pass' | 'fail' | 'not_applicable'; readonly reason: string };
}

const M2_PER_HA = 10_000;

/** Rounds for output only; comparisons use the unrounded values. */
export function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

function fmt(lonLat: readonly number[]): string {
  return `[${round(lonLat[0] ?? NaN, 6)}, ${round(lonLat[1] ?? NaN, 6)}]`;
}

/**
 * O(n) proof of validity for the common case: a single ring whose turns all go the same way
 * (every cross product strictly positive, or every one strictly negative) and whose turning
 * angles sum to one full turn is a strictly convex simple polygon: no crossings, spikes or
 * repeated vertices. A star ring turns the same way but twice (4 pi) and is rejected here,
 * as is anything with a zero cross product; those go to the O(n^2) turf checks.
 */
export function isStrictlyConvexRing(ring: readonly (readonly number[])[]): boolean {
  const n = ring.length - 1; // closing position repeats the first
  if (n < 3) return false;
  let sign = 0;
  let turning = 0;
  for (let i = 0; i < n; i++) {
    const a = ring[(i + n - 1) % n]!;
    const b = ring[i]!;
    const c = ring[(i + 1) % n]!;
    const ux = b[0]! - a[0]!;
    const uy = b[1]! - a[1]!;
    const vx = c[0]! - b[0]!;
    const vy = c[1]! - b[1]!;
    const cross = ux * vy - uy * vx;
    if (cross === 0) return false;
    const s = cross > 0 ? 1 : -1;
    if (sign !== 0 && s !== sign) return false;
    sign = s;
    turning += Math.atan2(cross, ux * vx + uy * vy);
  }
  return Math.abs(Math.abs(turning) - 2 * Math.PI) < 1e-6;
}

/** Null when valid; otherwise a reason a person can act on. */
export function geometryProblem(g: PlotGeometry): string | null {
  if (g.type === 'Point') return null;
  if (g.type === 'Polygon' && g.coordinates.length === 1 && isStrictlyConvexRing(g.coordinates[0]!))
    return null;
  const geom = g as unknown as Geometry;
  const crossings = kinks(geom as Parameters<typeof kinks>[0]).features;
  const firstCrossing = crossings[0];
  if (firstCrossing) {
    return `ring edges cross at ${fmt(firstCrossing.geometry.coordinates)} (self-intersection, ${crossings.length} crossing point(s))`;
  }
  if (!booleanValid(geom)) {
    return 'invalid polygon: a spike or puncture (a vertex on another edge of its ring), or a hole crossing its outer ring';
  }
  return null;
}

/** Allowed |computed - declared| in ha: the larger of the relative and absolute tolerances. */
export function allowedDifferenceHa(declaredHa: number, tol: AreaTolerance): number {
  return Math.max(tol.relative * declaredHa, tol.absolute_ha);
}

export function assessPlot(plot: Plot, tol: AreaTolerance): PlotAssessment {
  const g = plot.geometry;
  const declared = plot.area_ha ?? null;
  const base = { id: plot.id, geometry_type: g.type, declared_area_ha: declared };
  if (g.type === 'Point') {
    return {
      ...base,
      computed_area_ha: null,
      geometry_problem: null,
      area: { status: 'not_applicable', reason: 'a point has no area to compare' },
    };
  }
  const problem = geometryProblem(g);
  const computed = area(g) / M2_PER_HA;
  const out = { ...base, computed_area_ha: round(computed, 4), geometry_problem: problem };
  if (problem !== null) {
    return {
      ...out,
      area: { status: 'not_applicable', reason: 'geometry is invalid, so its area is meaningless' },
    };
  }
  if (declared === null) {
    return { ...out, area: { status: 'not_applicable', reason: 'no declared area to compare' } };
  }
  const diff = computed - declared;
  const allowed = allowedDifferenceHa(declared, tol);
  const summary =
    `computed ${round(computed, 4)} ha vs declared ${declared} ha: difference ${round(diff, 4)} ha ` +
    `(${round((diff / declared) * 100, 2)} %), allowed ±${round(allowed, 4)} ha`;
  return Math.abs(diff) <= allowed
    ? { ...out, area: { status: 'pass', reason: summary } }
    : { ...out, area: { status: 'fail', reason: summary } };
}
