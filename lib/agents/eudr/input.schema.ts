/**
 * Input of the `eudr` agent. Everything a due diligence statement needs is validated here,
 * including the rules the schema alone cannot express (HS code in Annex I, point plots up
 * to 4 ha, date order), so one run reports every input problem at once with its path.
 */
import * as z from 'zod';
import { COMMODITIES, matchHsCode, normalizeHsCode } from './annex-i.js';
import { geometrySchema } from './geojson.schema.js';
import { POINT_MAX_HA } from './rules.js';

const isoDate = z.iso.date({ error: 'expected a calendar date YYYY-MM-DD' });

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

// zod still runs this refinement after a (non-aborting) date format issue: compare only
// well-formed dates, so "yesterday" gets one issue, not a second misleading one.
const period = z
  .strictObject({ from: isoDate, to: isoDate })
  .refine((p) => !DATE_SHAPE.test(p.from) || !DATE_SHAPE.test(p.to) || p.from <= p.to, {
    path: ['to'],
    error: 'production period ends before it starts',
  });

const positiveHa = z.number().positive('area must be greater than 0 ha');

export const plotSchema = z.strictObject({
  /** Operator's plot reference, unique within the input. */
  id: z.string().min(1).max(200),
  geometry: geometrySchema.describe(
    'GeoJSON Point (plots up to 4 ha, or cattle establishments), Polygon or MultiPolygon, [lon, lat] WGS 84',
  ),
  /** Area the operator declares, in hectares; required for a point (to apply the 4 ha rule). */
  area_ha: positiveHa.optional().describe('declared plot area in hectares; required for a point'),
  /** Date or period of production on this plot (Art. 9(1)(d)); defaults to the input's. */
  production_period: period.optional(),
  /** Date the land was last converted from forest, if it ever was (Art. 2(3), 2(13)). */
  deforestation_date: isoDate.optional().describe('date the land was last converted from forest, if ever'),
  /** Wood only: date of forest degradation caused by the harvest, if any (Art. 2(7), 2(13)(b)). */
  forest_degradation_date: isoDate
    .optional()
    .describe('wood only: date of forest degradation caused by the harvest, if any'),
});

export const eudrInputSchema = z
  .strictObject({
    commodity: z.enum(COMMODITIES).describe('relevant commodity (Annex I of Regulation (EU) 2023/1115)'),
    /** HS (or CN/TARIC) code of the product, 4 to 10 digits; spaces and dots are ignored. */
    hs_code: z.string().min(1).max(20).describe('HS/CN code, 4-10 digits, in Annex I for the commodity'),
    country_of_production: z
      .string()
      .regex(/^[A-Z]{2}$/, "ISO 3166-1 alpha-2 country code expected, e.g. 'BR', 'CI', 'ID' (not 'BRA')"),
    production_period: period,
    plots: z.array(plotSchema).min(1, 'at least one plot of land is required (Art. 9(1)(d))').max(100_000),
    product: z.strictObject({
      description: z.string().min(1),
      trade_name: z.string().min(1).optional(),
      /** Wood: full scientific name of the species (Annex II point 2). */
      scientific_name: z.string().min(1).optional(),
      net_mass_kg: z.number().positive('net mass must be greater than 0 kg'),
      supplementary_unit: z
        .strictObject({ unit: z.string().min(1), quantity: z.number().positive() })
        .optional(),
    }),
    operator: z.strictObject({
      name: z.string().min(1),
      address: z.string().min(1),
      /** Required for import and export (Annex II point 1). */
      eori: z.string().min(1).optional(),
      email: z.email().optional(),
      signatory: z.strictObject({ name: z.string().min(1), function: z.string().min(1) }).optional(),
    }),
    /** What the operator's evidence shows (Art. 9(1)(g)-(h), 10, 13). */
    evidence: z.strictObject({
      /** Adequately conclusive and verifiable information that the products are deforestation-free. */
      deforestation_free: z.boolean(),
      /** ... and were produced in accordance with the relevant legislation of the country of production. */
      legally_produced: z.boolean(),
      /** An Art. 10 risk assessment was carried out (not needed under simplified due diligence). */
      risk_assessment_done: z.boolean().optional(),
      /** Its conclusion, after any Art. 11 mitigation: the risk is negligible. */
      risk_negligible: z.boolean().optional(),
      /** The operator knows of information pointing to a risk (Art. 13(2): simplified regime lost). */
      risk_indications: z.boolean().optional(),
    }),
    /** Date of the assessment / statement; selects the country benchmark in force. */
    assessment_date: isoDate.optional(),
    /** Declared-vs-computed plot area tolerance; defaults in rules.ts (5 % or 0.1 ha). */
    area_tolerance: z
      .strictObject({ relative: z.number().min(0).max(1), absolute_ha: z.number().min(0) })
      .optional(),
  })
  .superRefine((input, ctx) => {
    const match = matchHsCode(input.commodity, normalizeHsCode(input.hs_code));
    if (match.kind === 'invalid') ctx.addIssue({ code: 'custom', path: ['hs_code'], message: match.message });

    const seen = new Map<string, number>();
    input.plots.forEach((plot, i) => {
      const first = seen.get(plot.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['plots', i, 'id'],
          message: `duplicate plot id (also plots.${first})`,
        });
      } else seen.set(plot.id, i);
      // Art. 2(28): above 4 ha a polygon is required, except for cattle (establishments).
      if (plot.geometry.type === 'Point' && input.commodity !== 'cattle') {
        if (plot.area_ha === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['plots', i, 'area_ha'],
            message: `a point is only allowed for plots up to ${POINT_MAX_HA} ha: declare area_ha, or give a polygon`,
          });
        } else if (plot.area_ha > POINT_MAX_HA) {
          ctx.addIssue({
            code: 'custom',
            path: ['plots', i, 'geometry'],
            message:
              `plot of ${plot.area_ha} ha is above ${POINT_MAX_HA} ha: Art. 2(28) of Regulation (EU) 2023/1115 ` +
              'requires a polygon describing its perimeter, not a single point',
          });
        }
      }
      const asOf = input.assessment_date;
      if (asOf !== undefined && DATE_SHAPE.test(asOf)) {
        const p = plot.production_period;
        if (p && p.to > asOf) {
          ctx.addIssue({
            code: 'custom',
            path: ['plots', i, 'production_period', 'to'],
            message: `production cannot end after the assessment date ${asOf}`,
          });
        }
        for (const key of ['deforestation_date', 'forest_degradation_date'] as const) {
          const d = plot[key];
          if (d !== undefined && d > asOf) {
            ctx.addIssue({
              code: 'custom',
              path: ['plots', i, key],
              message: `date is after the assessment date ${asOf}`,
            });
          }
        }
      }
    });
    const asOf = input.assessment_date;
    if (asOf !== undefined && DATE_SHAPE.test(asOf) && input.production_period.to > asOf) {
      ctx.addIssue({
        code: 'custom',
        path: ['production_period', 'to'],
        message: `production cannot end after the assessment date ${asOf}`,
      });
    }
  });

export type EudrInput = z.output<typeof eudrInputSchema>;
export type Plot = z.output<typeof plotSchema>;
