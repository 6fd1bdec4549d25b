/**
 * GeoJSON (RFC 7946) geometries a plot may have: Point, Polygon or MultiPolygon, in
 * WGS 84 longitude/latitude. Structural rules (ranges, ring size, closed rings) are checked
 * here so each fault comes back with its exact path; topology (self-intersection, spikes)
 * is a compliance check on the parsed geometry (see plots.ts).
 */
import * as z from 'zod';

const lon = z
  .number()
  .min(-180, 'longitude must be between -180 and 180 (GeoJSON positions are [lon, lat])')
  .max(180, 'longitude must be between -180 and 180 (GeoJSON positions are [lon, lat])');
const lat = z
  .number()
  .min(-90, 'latitude must be between -90 and 90 (GeoJSON positions are [lon, lat])')
  .max(90, 'latitude must be between -90 and 90 (GeoJSON positions are [lon, lat])');

/** [lon, lat] with an optional altitude, which is ignored. */
const position = z.tuple([lon, lat], { error: 'a position is [longitude, latitude]' }).rest(z.number());

/** A closed linear ring: at least 4 positions, last equal to first (RFC 7946 3.1.6). */
const ring = z
  .array(position)
  .min(4, 'a polygon ring needs at least 4 positions (3 corners and the closing position)')
  .superRefine((r, ctx) => {
    const first = r[0];
    const last = r[r.length - 1];
    if (first && last && (first[0] !== last[0] || first[1] !== last[1])) {
      ctx.addIssue({
        code: 'custom',
        message: `ring is not closed: the last position [${last[0]}, ${last[1]}] must equal the first [${first[0]}, ${first[1]}]`,
      });
    }
  });

const polygonCoords = z.array(ring).min(1, 'a polygon needs an outer ring');

export const pointSchema = z.object({ type: z.literal('Point'), coordinates: position });
export const polygonSchema = z.object({ type: z.literal('Polygon'), coordinates: polygonCoords });
export const multiPolygonSchema = z.object({
  type: z.literal('MultiPolygon'),
  coordinates: z.array(polygonCoords).min(1, 'a MultiPolygon needs at least one polygon'),
});

export const geometrySchema = z.discriminatedUnion('type', [pointSchema, polygonSchema, multiPolygonSchema], {
  error: 'geometry must be a GeoJSON Point, Polygon or MultiPolygon with [lon, lat] coordinates',
});

export type PlotGeometry = z.output<typeof geometrySchema>;
