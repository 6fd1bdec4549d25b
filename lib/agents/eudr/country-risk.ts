/**
 * Country risk from the catalogue (Implementing Regulation (EU) 2025/1093 as factors of
 * dataset `eudr-country-benchmark`), so the level is cited in the run's provenance.
 */
import { ValidationError } from '../../domain/errors.js';
import { FactorNotFoundError, type FactorCatalogue } from '../../factors/catalogue.js';
import type { EmissionFactor } from '../../factors/types.js';
import {
  EUDR_BENCHMARK_DATASET,
  EUDR_COUNTRY_RISK_ACTIVITY,
  EUDR_COUNTRY_RISK_UNIT,
  EUDR_SOURCE,
  type CountryRiskLevel,
} from '../../factors/datasets/eudr.js';

const LEVELS: readonly string[] = ['low', 'standard', 'high'];

export interface CountryRisk {
  readonly level: CountryRiskLevel;
  readonly factor: EmissionFactor;
}

/**
 * The benchmark in force on `assessment_date`; without one, the newest benchmark the catalogue
 * holds (its start date is the as-of date), so the result depends only on input and catalogue.
 */
export function benchmarkAsOf(catalogue: FactorCatalogue, assessmentDate: string | undefined): string {
  if (assessmentDate !== undefined) return assessmentDate;
  const starts = catalogue
    .datasets()
    .filter((d) => d.source === EUDR_SOURCE && d.dataset === EUDR_BENCHMARK_DATASET)
    .map((d) => d.validFrom)
    .sort();
  const latest = starts[starts.length - 1];
  if (latest === undefined) throw new Error(`catalogue has no ${EUDR_BENCHMARK_DATASET} dataset`);
  return latest;
}

export function countryRisk(catalogue: FactorCatalogue, country: string, asOf: string): CountryRisk {
  let factor: EmissionFactor;
  try {
    factor = catalogue.lookup({
      activity: EUDR_COUNTRY_RISK_ACTIVITY,
      region: country,
      unit: EUDR_COUNTRY_RISK_UNIT,
      asOf,
      source: EUDR_SOURCE,
    });
  } catch (err) {
    if (err instanceof FactorNotFoundError && err.reason === 'region') {
      throw new ValidationError([
        {
          path: 'country_of_production',
          message: `Unknown country '${country}': use an ISO 3166-1 alpha-2 code, e.g. BR (Brazil), CI (Côte d'Ivoire), ID (Indonesia)`,
        },
      ]);
    }
    if (err instanceof FactorNotFoundError && err.reason === 'date') {
      throw new ValidationError([
        {
          path: 'assessment_date',
          message: `No EUDR country benchmark in force on ${asOf}: Implementing Regulation (EU) 2025/1093 applies from 2025-05-26`,
        },
      ]);
    }
    throw err;
  }
  const level = factor.attributes?.['level'];
  if (typeof level !== 'string' || !LEVELS.includes(level)) {
    throw new Error(`factor ${factor.id} has no valid attributes.level`);
  }
  return { level: level as CountryRiskLevel, factor };
}
