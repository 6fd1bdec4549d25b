import * as z from 'zod';
import { nonNegative, period } from '../schemas.js';

export const FACTOR_SOURCES = ['DESNZ', 'EPA'] as const;

export const fuelLine = z.strictObject({
  /** Caller's own reference for the line (meter id, invoice number ...). */
  id: z.string().min(1).max(200).optional(),
  /** Fuel name as the factor set names it ("Natural gas", "natural-gas") or a common alias ("diesel"). */
  fuel: z.string().trim().min(1).max(200),
  quantity: nonNegative,
  unit: z.string().trim().min(1).max(50),
  /** ISO alpha-2; defaults to the factor source's region (DESNZ: GB, EPA: US). */
  region: z
    .string()
    .regex(/^[A-Z]{2}$/, { error: 'expected an ISO 3166-1 alpha-2 code, e.g. GB or US' })
    .optional(),
  /** Stationary (boilers, generators) or mobile (vehicles) combustion. */
  use: z.enum(['stationary', 'mobile']).default('stationary'),
  period,
});

export const fuelEmissionsInput = z.strictObject({
  /** DESNZ (UK Government conversion factors, a.k.a. DEFRA) by default; EPA for US reporting. */
  factor_source: z
    .enum([...FACTOR_SOURCES, 'DEFRA'])
    .default('DESNZ')
    .transform((s) => (s === 'DEFRA' ? 'DESNZ' : s)),
  /** Calorific-value basis for quantities given in energy units; UK gas bills are gross. */
  basis: z.enum(['gross', 'net']).default('gross'),
  lines: z.array(fuelLine).min(1, { error: 'at least one line is required' }).max(10_000),
});

export type FuelEmissionsInput = z.output<typeof fuelEmissionsInput>;
export type FuelLine = z.output<typeof fuelLine>;

const gases = z.object({
  co2_kg: z.number().optional(),
  ch4_kg_co2e: z.number().optional(),
  n2o_kg_co2e: z.number().optional(),
});

export const lineResult = z.object({
  index: z.number().int(),
  id: z.string().optional(),
  fuel: z.string(),
  activity: z.string(),
  use: z.enum(['stationary', 'mobile']),
  scope: z.literal(1),
  region: z.string(),
  period: z.object({ start: z.string(), end: z.string() }),
  quantity: z.number(),
  unit: z.string(),
  /** The quantity in the factor's unit, after conversion. */
  factor_quantity: z.object({ value: z.number(), unit: z.string() }),
  factor: z.object({
    id: z.string(),
    value: z.number(),
    unit: z.string(),
    value_unit: z.string(),
    basis: z.enum(['gross', 'net']).optional(),
    source: z.string(),
    dataset_version: z.string(),
  }),
  co2e_kg: z.number(),
  gases: gases.optional(),
});

export const fuelEmissionsOutput = z.object({
  schema_version: z.literal('1.0.0'),
  factor_source: z.enum(FACTOR_SOURCES),
  lines: z.array(lineResult),
  totals: z.object({
    co2e_kg: z.number(),
    co2e_t: z.number(),
    /** Present only when every line's factor publishes a gas split. */
    gases: gases.optional(),
    by_fuel: z.record(z.string(), z.number()),
    by_use: z.object({ stationary: z.number(), mobile: z.number() }),
  }),
  factors_used: z.array(z.string()),
  /** What an auditor must know about the figures (e.g. a factor that is CO2 only). */
  notes: z.array(z.string()),
});

export type FuelEmissionsOutput = z.output<typeof fuelEmissionsOutput>;
export type LineResult = z.output<typeof lineResult>;
