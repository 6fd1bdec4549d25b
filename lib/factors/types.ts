/**
 * The emission-factor model shared by the catalogue, the agents and the data layer.
 * A factor is one published number (with its gas split where the publisher gives one)
 * valid for one activity, region and unit over a date range.
 */
import type { DomainError } from '../domain/errors.js';

/** Gas breakdown in the factor's `valueUnit` numerator (e.g. kg CO2e of CH4 per unit). */
export interface GasBreakdown {
  readonly co2?: number;
  readonly ch4?: number;
  readonly n2o?: number;
}

export interface EmissionFactor {
  /** Stable id: `<source>/<datasetVersion>/<activity>/<region>/<unit>`, lower case. */
  readonly id: string;
  /** Publisher short name, e.g. `DESNZ`, `EPA-HUB`, `EGRID`, `CBAM`, `ENERGY-STAR`. */
  readonly source: string;
  /** Dataset key within the source, e.g. `desnz-ghg-conversion-factors`. */
  readonly dataset: string;
  /** Dataset version, e.g. `2024` or `2023-rev2`. */
  readonly datasetVersion: string;
  /** Activity key, slash-separated, e.g. `fuel/natural-gas`, `electricity/grid`. */
  readonly activity: string;
  /** Human label as the publisher names it, e.g. `Natural gas`. */
  readonly name: string;
  /** ISO 3166 alpha-2, `US-EGRID-<SUBREGION>`, `EU`, or `GLOBAL`. */
  readonly region: string;
  /** Denominator unit code from the unit registry (`kWh`, `L`, `t`, `m3`, `MMBtu` ...). */
  readonly unit: string;
  /** Calorific-value basis for energy units of fuels: gross (HHV) or net (LHV). */
  readonly basis?: 'gross' | 'net';
  /** Numerator of the value, e.g. `kgCO2e`, `tCO2e`, `kBtu/ft2/yr`. */
  readonly valueUnit: string;
  /** Total value (CO2e for emission factors). */
  readonly value: number;
  /** Per-gas split in `valueUnit` terms (CO2e of each gas), where published. */
  readonly gases?: GasBreakdown;
  /** ISO date (inclusive). */
  readonly validFrom: string;
  /** ISO date (inclusive); null = open-ended. */
  readonly validTo: string | null;
  /** Full citation (publication, table/row, URL). */
  readonly citation: string;
  /** Publisher's own row id where one exists (e.g. DESNZ `1_100_1004_6_1`). */
  readonly sourceRowId?: string;
  /** Confidence of the transcription as recorded in the reference data. */
  readonly confidence?: 'high' | 'medium' | 'low';
  /** Marked true where the value is a default pending verification against the primary text. */
  readonly pendingVerification?: boolean;
  /** Free-form extra published attributes (e.g. grid loss fraction, fuel mix). */
  readonly attributes?: Readonly<Record<string, number | string>>;
}

/** What an agent cites: enough to reproduce and audit a number. */
export interface FactorRef {
  readonly id: string;
  readonly dataset: string;
  readonly datasetVersion: string;
}

export interface FactorQuery {
  readonly activity: string;
  readonly region: string;
  /** Unit the caller has; an exact-unit factor wins, else one of the same dimension. */
  readonly unit: string;
  /** ISO date (YYYY-MM-DD) the factor must be valid on. */
  readonly asOf: string;
  readonly source?: string;
  readonly datasetVersion?: string;
  /** For fuel energy units; defaults to `gross` where a factor set has both. */
  readonly basis?: 'gross' | 'net';
}

export interface DatasetInfo {
  readonly source: string;
  readonly dataset: string;
  readonly version: string;
  readonly title: string;
  readonly citation: string;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly factorCount: number;
}

export interface FactorChange {
  readonly key: string;
  readonly before: EmissionFactor;
  readonly after: EmissionFactor;
  /** (after - before) / before * 100, rounded to 4 decimals; null when before is 0. */
  readonly percentChange: number | null;
}

export interface FactorDiff {
  readonly source: string;
  readonly from: string;
  readonly to: string;
  readonly added: readonly EmissionFactor[];
  readonly removed: readonly EmissionFactor[];
  readonly changed: readonly FactorChange[];
  readonly unchanged: number;
}

export type LookupResult =
  | { readonly ok: true; readonly factor: EmissionFactor }
  | { readonly ok: false; readonly error: DomainError };
