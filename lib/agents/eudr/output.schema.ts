/** Output of the `eudr` agent (documents the JSON Schema; the runner adds `provenance`). */
import { z } from 'zod';
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
  geometryType: z.enum(['Point', 'Polygon', 'MultiPolygon']),
  declaredAreaHa: z.number().nullable(),
  computedAreaHa: z.number().nullable(),
  geometryProblem: z.string().nullable(),
  area: z.object({ status, reason: z.string() }),
});

const statement = z.object({
  status: z.enum(['draft', 'blocked', 'not_required']),
  blockedBy: z.array(z.string()).readonly(),
  missingFields: z.array(z.string()).readonly(),
  operator: z.object({ name: z.string(), address: z.string(), eori: z.string().nullable() }),
  product: z.object({
    hsCode: z.string(),
    description: z.string(),
    tradeName: z.string().nullable(),
    scientificName: z.string().nullable(),
    netMassKg: z.number(),
    supplementaryUnit: z.object({ unit: z.string(), quantity: z.number() }).nullable(),
  }),
  countryOfProduction: z.string(),
  geolocation: z.object({
    type: z.literal('FeatureCollection'),
    features: z
      .array(
        z.object({
          type: z.literal('Feature'),
          geometry: geometrySchema,
          properties: z.object({ id: z.string(), areaHa: z.number().nullable(), productionPeriod: period }),
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
  hsCode: z.string(),
  annexIEntry: z.object({ code: z.string(), description: z.string(), partial: z.boolean() }),
  countryOfProduction: z.string(),
  /** Country risk level under Implementing Regulation (EU) 2025/1093. */
  riskLevel: level,
  countryRiskFactorId: z.string(),
  dueDiligence: z.enum(['simplified', 'full']),
  regulationApplies: z.boolean(),
  /** negligible_risk: a statement may be submitted; non_compliant: may not be placed on the market. */
  outcome: z.enum(['negligible_risk', 'non_compliant', 'out_of_scope']),
  checks: z.array(check).readonly(),
  failedChecks: z.array(z.object({ id: z.string(), reason: z.string() })).readonly(),
  plots: z.array(plotResult).readonly(),
  totals: z.object({
    plots: z.number(),
    polygons: z.number(),
    points: z.number(),
    computedPolygonAreaHa: z.number(),
    declaredAreaHa: z.number(),
  }),
  statement,
  notes: z.array(z.string()).readonly(),
});

export type EudrOutput = z.output<typeof eudrOutputSchema>;
