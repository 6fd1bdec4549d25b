/** Output of the `eudr` agent (documents the JSON Schema; the runner adds `provenance`). */
import * as z from 'zod';
import { COMMODITIES } from './annex-i.js';
import { geometrySchema } from './geojson.schema.js';

export const EUDR_SCHEMA_VERSION = '1.0.0';

const status = z.enum(['pass', 'fail', 'not_applicable']);
const level = z.enum(['low', 'standard', 'high']);
const period = z.object({ from: z.string(), to: z.string() });

const check = z.object({
  id: z.string(),
  status,
  reason: z.string(),
  reference: z.string(),
  plots: z.array(z.string()).readonly().optional(),
});

const plotResult = z.object({
  id: z.string(),
  geometry_type: z.enum(['Point', 'Polygon', 'MultiPolygon']),
  declared_area_ha: z.number().nullable(),
  computed_area_ha: z.number().nullable(),
  geometry_problem: z.string().nullable(),
  area: z.object({ status, reason: z.string() }),
});

const statement = z.object({
  status: z.enum(['draft', 'blocked', 'not_required']),
  blocked_by: z.array(z.string()).readonly(),
  missing_fields: z.array(z.string()).readonly(),
  operator: z.object({ name: z.string(), address: z.string(), eori: z.string().nullable() }),
  product: z.object({
    hs_code: z.string(),
    description: z.string(),
    trade_name: z.string().nullable(),
    scientific_name: z.string().nullable(),
    net_mass_kg: z.number(),
    supplementary_unit: z.object({ unit: z.string(), quantity: z.number() }).nullable(),
  }),
  country_of_production: z.string(),
  geolocation: z.object({
    type: z.literal('FeatureCollection'),
    features: z
      .array(
        z.object({
          type: z.literal('Feature'),
          geometry: geometrySchema,
          properties: z.object({ id: z.string(), area_ha: z.number().nullable(), production_period: period }),
        }),
      )
      .readonly(),
  }),
  declaration: z.string().nullable(),
  signature: z.object({
    name: z.string().nullable(),
    function: z.string().nullable(),
    date: z.string().nullable(),
  }),
});

export const eudrOutputSchema = z.object({
  schema_version: z.literal(EUDR_SCHEMA_VERSION),
  commodity: z.enum(COMMODITIES),
  /** Declared code without spaces or dots. */
  hs_code: z.string(),
  annex_i_entry: z.object({ code: z.string(), description: z.string(), partial: z.boolean() }),
  country_of_production: z.string(),
  /** Country risk level under Implementing Regulation (EU) 2025/1093. */
  risk_level: level,
  country_risk_factor_id: z.string(),
  due_diligence: z.enum(['simplified', 'full']),
  regulation_applies: z.boolean(),
  /** negligible_risk: a statement may be submitted; non_compliant: may not be placed on the market. */
  outcome: z.enum(['negligible_risk', 'non_compliant', 'out_of_scope']),
  checks: z.array(check).readonly(),
  failed_checks: z.array(z.object({ id: z.string(), reason: z.string() })).readonly(),
  plots: z.array(plotResult).readonly(),
  totals: z.object({
    plots: z.number(),
    polygons: z.number(),
    points: z.number(),
    computed_polygon_area_ha: z.number(),
    declared_area_ha: z.number(),
  }),
  statement,
  notes: z.array(z.string()).readonly(),
});

export type EudrOutput = z.output<typeof eudrOutputSchema>;
