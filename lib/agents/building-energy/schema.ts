import * as z from 'zod';
import { countryCode, nonNegative, positive } from '../schemas.js';

/** Energy carriers with a published ENERGY STAR source-site ratio. */
export const CARRIERS = [
  'electricity',
  'onsite_renewable_electricity',
  'natural_gas',
  'district_heating',
  'district_cooling',
] as const;
export type Carrier = (typeof CARRIERS)[number];

export const buildingEnergyInput = z.strictObject({
  floor_area: z.strictObject({ value: positive, unit: z.enum(['m2', 'ft2']) }),
  /** ENERGY STAR Portfolio Manager property type, by name ("K-12 School") or slug ("k-12-school"). */
  property_type: z.string().trim().min(1).max(200),
  location: z.strictObject({
    country: countryCode,
    /** EPA eGRID subregion acronym (e.g. CAMX); US only. Omitted: the US national average. */
    egrid_subregion: z
      .string()
      .regex(/^[A-Z]{4}$/, { error: 'expected a 4-letter eGRID subregion acronym, e.g. CAMX' })
      .optional(),
  }),
  /** Reporting year; energy quantities are that year's totals (12 months). */
  year: z.number().int().min(1990).max(2100),
  energy: z
    .array(
      z.strictObject({
        carrier: z.enum(CARRIERS),
        quantity: nonNegative,
        /** An energy unit: kWh, MWh, GJ, therm, MMBtu or kBtu. */
        unit: z.string().trim().min(1).max(50),
      }),
    )
    .min(1, { error: 'at least one energy line is required' })
    .max(100),
});
export type BuildingEnergyInput = z.output<typeof buildingEnergyInput>;

const eui = z.object({ kbtu_per_ft2: z.number(), kwh_per_m2: z.number() });

export const buildingEnergyOutput = z.object({
  schema_version: z.literal('1.0.0'),
  property_type: z.string(),
  year: z.number(),
  floor_area: z.object({ ft2: z.number(), m2: z.number() }),
  energy: z.array(
    z.object({
      carrier: z.enum(CARRIERS),
      quantity: z.number(),
      unit: z.string(),
      site_kbtu: z.number(),
      source_site_ratio: z.number(),
      source_kbtu: z.number(),
    }),
  ),
  site_eui: eui,
  source_eui: eui,
  benchmark: z.object({
    basis: z.string(),
    median_site_eui_kbtu_per_ft2: z.number().nullable(),
    median_source_eui_kbtu_per_ft2: z.number(),
    /** Building EUI / national median EUI: below 1 uses less energy than the median. */
    site_ratio: z.number().nullable(),
    source_ratio: z.number(),
  }),
  emissions: z.object({
    scope1_kg_co2e: z.number(),
    scope2_location_kg_co2e: z.number(),
    total_kg_co2e: z.number(),
    lines: z.array(
      z.object({
        carrier: z.enum(CARRIERS),
        scope: z.union([z.literal(1), z.literal(2)]),
        factor_id: z.string().nullable(),
        factor_value: z.number().nullable(),
        factor_unit: z.string().nullable(),
        co2e_kg: z.number(),
      }),
    ),
  }),
  notes: z.array(z.string()),
  factors_used: z.array(z.string()),
});
export type BuildingEnergyOutput = z.output<typeof buildingEnergyOutput>;
