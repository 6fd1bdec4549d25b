/** Input and output schemas of the `cbam` agent (the zod boundary). */
import * as z from 'zod';

export const CBAM_SCHEMA_VERSION = '1.0.0';

/** tCO2e per tonne: finite and non-negative (zod 4 numbers reject NaN and Infinity). */
const intensity = z.number().nonnegative();

const cnCode = z
  .string()
  .transform((s) => s.replace(/[\s.]/g, ''))
  .pipe(z.string().regex(/^\d{8}$/, 'CN code must have 8 digits, e.g. "7208 51 20" or "72085120"'));

export const cbamLineSchema = z.strictObject({
  cn_code: cnCode,
  /** ISO 3166-1 alpha-2 country of origin. */
  country_of_origin: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'Expected an ISO 3166-1 alpha-2 country code, e.g. "CN", "IN", "TR"'),
  /** Net mass imported, tonnes. */
  quantity_t: z.number().positive(),
  /** Verified actual specific direct embedded emissions, tCO2e per tonne. */
  actual_direct_tco2e_per_t: intensity.optional(),
  /** Verified actual specific indirect embedded emissions, tCO2e per tonne. */
  actual_indirect_tco2e_per_t: intensity.optional(),
  /** CBAM benchmark (Impl. Reg. 2025/2620 Annex) for the free allocation adjustment, tCO2e per tonne. */
  free_allocation_benchmark_tco2e_per_t: intensity.optional(),
  description: z.string().max(200).optional(),
});

export const cbamInputSchema = z.strictObject({
  /** Quarterly report period, e.g. `2026-Q1`. */
  period: z.string().regex(/^\d{4}-Q[1-4]$/, 'Expected a quarter like "2026-Q1"'),
  /** Price of one CBAM certificate (1 tCO2e), EUR. Needed for the cost; certificates are computed without it. */
  carbon_price_eur_per_tco2e: z.number().nonnegative().optional(),
  /** Cross-sectoral correction factor of the year (Directive 2003/87/EC Art. 10a(5)); required with benchmarks. */
  cross_sectoral_correction_factor: z.number().positive().max(1).optional(),
  /**
   * Opt in to the "Other Countries and Territories" default when the bundled dataset has no
   * value for the country of origin. Off by default: the bundled definitive table is a
   * selection, so a missing country may have its own value in Reg. 2025/2621.
   */
  allow_other_countries_default: z.boolean().default(false),
  lines: z.array(cbamLineSchema).min(1).max(10_000),
});

export type CbamInput = z.output<typeof cbamInputSchema>;
export type CbamLine = z.output<typeof cbamLineSchema>;

const num = z.number();
const nullableNum = z.number().nullable();

const componentSchema = z.object({
  specific_tco2e_per_t: nullableNum,
  embedded_tco2e: nullableNum,
  /** `not_applicable`: indirect emissions of Annex II goods in the definitive period. `null`: not published. */
  source: z.enum(['actual', 'default', 'mixed', 'not_applicable']).nullable(),
  factor_id: z.string().nullable(),
});

const chargeableSchema = z.object({
  basis: z.enum(['direct', 'direct+indirect']),
  source: z.enum(['actual', 'default']),
  /** Specific value before any mark-up (actual value, or the default's total column). */
  base_specific_tco2e_per_t: num,
  mark_up_rate: num,
  specific_tco2e_per_t: num,
  gross_tco2e: num,
  free_allocation: z
    .object({
      benchmark_tco2e_per_t: num,
      cbam_factor: num,
      cross_sectoral_correction_factor: num,
      specific_tco2e_per_t: num,
      adjustment_tco2e: num,
    })
    .nullable(),
  certificates_tco2e: num,
  cost_eur: nullableNum,
});

export const cbamLineOutputSchema = z.object({
  index: z.number().int(),
  cn_code: z.string(),
  sector: z.string(),
  direct_emissions_only: z.boolean(),
  country_of_origin: z.string(),
  /** Published CN code of the default used (may be a heading), null when only actuals were used. */
  default_cn: z.string().nullable(),
  default_region: z.string().nullable(),
  quantity_t: num,
  direct: componentSchema,
  indirect: componentSchema,
  total: componentSchema,
  chargeable: chargeableSchema.nullable(),
});

export const cbamOutputSchema = z.object({
  schema_version: z.literal(CBAM_SCHEMA_VERSION),
  period: z.object({
    quarter: z.string(),
    start: z.string(),
    end: z.string(),
    phase: z.enum(['transitional', 'definitive']),
    as_of: z.string(),
  }),
  lines: z.array(cbamLineOutputSchema),
  totals: z.object({
    quantity_t: num,
    direct_tco2e: num,
    indirect_tco2e: num,
    total_tco2e: num,
  }),
  certificate_obligation: z.object({
    applies: z.boolean(),
    carbon_price_eur_per_tco2e: nullableNum,
    cbam_factor: nullableNum,
    cross_sectoral_correction_factor: nullableNum,
    gross_tco2e: num,
    free_allocation_adjustment_tco2e: num,
    certificates_tco2e: num,
    cost_eur: nullableNum,
    formula: z.string(),
  }),
  de_minimis: z
    .object({
      threshold_t: num,
      counted_mass_t: num,
      within_threshold: z.boolean(),
      note: z.string(),
    })
    .nullable(),
  defaults_used: z.array(
    z.object({
      factor_id: z.string(),
      dataset_version: z.string(),
      value: num,
      confidence: z.string().nullable(),
      pending_verification: z.boolean(),
      lines: z.array(z.number().int()),
    }),
  ),
  notes: z.array(z.string()),
});

export type CbamOutput = z.output<typeof cbamOutputSchema>;
export type CbamLineOutput = z.output<typeof cbamLineOutputSchema>;
export type CbamComponentOutput = z.output<typeof componentSchema>;
export type CbamChargeable = z.output<typeof chargeableSchema>;
