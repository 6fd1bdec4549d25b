/** Geometry validity: the linear convex fast path never disagrees with the turf checks. */
import { booleanValid } from '@turf/boolean-valid';
import { kinks } from '@turf/kinks';
import { describe, expect, it } from 'vitest';
import type { PlotGeometry } from '../../../lib/agents/eudr/geojson.schema.js';
import {
  allowedDifferenceHa,
  geometryProblem,
  isStrictlyConvexRing,
} from '../../../lib/agents/eudr/plots.js';

type Ring = [number, number][];

/** Deterministic PRNG (LCG) so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Ring through points at the given angles and radii around (cx, cy), closed. */
function radialRing(cx: number, cy: number, angles: number[], radii: number[]): Ring {
  const ring: Ring = angles.map((a, i) => [
    cx + (radii[i] ?? 1) * Math.cos(a),
    cy + (radii[i] ?? 1) * Math.sin(a),
  ]);
  ring.push([...ring[0]!] as [number, number]);
  return ring;
}

function turfValid(ring: Ring): boolean {
  const g = { type: 'Polygon' as const, coordinates: [ring] };
  return kinks(g).features.length === 0 && Boolean(booleanValid(g));
}

describe('isStrictlyConvexRing', () => {
  it('accepts random convex polygons, and turf agrees they are valid', () => {
    const next = rng(42);
    for (let t = 0; t < 200; t++) {
      const n = 3 + Math.floor(next() * 60);
      const angles = Array.from({ length: n }, () => next() * 2 * Math.PI).sort((a, b) => a - b);
      const ring = radialRing(
        -50 + next(),
        -10 + next(),
        angles,
        Array.from({ length: n }, () => 0.002),
      );
      const convex = isStrictlyConvexRing(ring);
      // Random angles can coincide or be collinear only with negligible probability.
      expect(convex).toBe(true);
      expect(turfValid(ring)).toBe(true);
      expect(isStrictlyConvexRing([...ring].reverse())).toBe(true);
    }
  });

  it('never claims a ring valid that turf rejects (random star-shaped and scrambled rings)', () => {
    const next = rng(7);
    const rings: Ring[] = [];
    for (let t = 0; t < 300; t++) {
      const n = 4 + Math.floor(next() * 12);
      const angles = Array.from({ length: n }, () => next() * 2 * Math.PI);
      if (t % 2 === 0) angles.sort((a, b) => a - b); // star-shaped, often non-convex; odd t: scrambled, often crossing
      const radii = angles.map(() => 0.001 + next() * 0.002);
      rings.push(radialRing(10, 50, angles, radii));
    }
    const fast = rings.filter((r) => isStrictlyConvexRing(r));
    expect(fast.filter((r) => !turfValid(r))).toEqual([]);
    // Both branches are exercised: some rings take the fast path, some turf rejects.
    expect(rings.filter((r) => !turfValid(r)).length).toBeGreaterThan(0);
    expect(fast.length).toBeGreaterThan(0);
  });

  it('rejects a pentagram (turns one way, but twice around)', () => {
    const angles = [0, 2, 4, 1, 3].map((k) => (k * 2 * Math.PI) / 5);
    const ring = radialRing(0, 0, angles, [1, 1, 1, 1, 1]);
    expect(isStrictlyConvexRing(ring)).toBe(false);
    expect(kinks({ type: 'Polygon', coordinates: [ring] }).features.length).toBe(5);
  });

  it('rejects a ring with a collinear or repeated vertex (falls back to turf)', () => {
    const collinear: Ring = [
      [0, 0],
      [0.5, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ];
    expect(isStrictlyConvexRing(collinear)).toBe(false);
    expect(geometryProblem({ type: 'Polygon', coordinates: [collinear] })).toBeNull();
  });
});

describe('geometryProblem', () => {
  it('accepts a non-convex simple polygon (L shape) through the turf path', () => {
    const l: PlotGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [2, 0],
          [2, 1],
          [1, 1],
          [1, 2],
          [0, 2],
          [0, 0],
        ],
      ],
    };
    expect(geometryProblem(l)).toBeNull();
  });

  it('rejects a hole that crosses its outer ring', () => {
    const g: PlotGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
          [0, 0],
        ],
        [
          [0.5, 0.5],
          [1.5, 0.5],
          [1.5, 0.7],
          [0.5, 0.7],
          [0.5, 0.5],
        ],
      ],
    };
    expect(geometryProblem(g)).toMatch(/edges cross|hole crossing/);
  });

  it('points are always valid geometry', () => {
    expect(geometryProblem({ type: 'Point', coordinates: [1, 2] })).toBeNull();
  });
});

describe('allowedDifferenceHa', () => {
  it.each([
    [100, 5], // 5 % of 100 = 5 > 0.1
    [2, 0.1], // 5 % of 2 = 0.1 = floor
    [1, 0.1], // 5 % of 1 = 0.05 < 0.1 floor
  ])('declared %s ha allows ±%s ha by default', (declared, allowed) => {
    expect(allowedDifferenceHa(declared, { relative: 0.05, absolute_ha: 0.1 })).toBeCloseTo(allowed, 12);
  });
});
