/**
 * EUDR country benchmarking (Commission Implementing Regulation (EU) 2025/1093) as catalogue
 * factors, so the `eudr` agent reads a country's risk level through the catalogue and cites it
 * in its provenance like any other factor.
 *
 * One factor per ISO 3166-1 alpha-2 code: value 1 = low, 2 = standard, 3 = high risk.
 * Reg. 2025/1093 lists low- and high-risk countries; every unlisted country is STANDARD
 * (Art. 1(2) as quoted in the reference data), so standard countries get explicit factors too:
 * a lookup never has to "fall back", and an unknown country code is a clear NotFound.
 */
import reference from '../data/eudr_regulation_reference.json' with { type: 'json' };
import type { DatasetInfo, EmissionFactor } from '../types.js';
import { ISO_3166_ALPHA2 } from '../../domain/countries.js';
import type { DatasetBundle } from './bundle.js';

export const EUDR_SOURCE = 'EU';
export const EUDR_BENCHMARK_DATASET = 'eudr-country-benchmark';
export const EUDR_BENCHMARK_VERSION = '2025-1093';
export const EUDR_COUNTRY_RISK_ACTIVITY = 'eudr/country-risk';
export const EUDR_COUNTRY_RISK_UNIT = 'country';

export type CountryRiskLevel = 'low' | 'standard' | 'high';
export const RISK_VALUE: Readonly<Record<CountryRiskLevel, number>> = { low: 1, standard: 2, high: 3 };

const bench = reference.country_benchmarking_2025_1093;

/**
 * Parts of EU member states that carry their own ISO code: EU law applies there
 * (Art. 355(1) TFEU outermost regions; Åland per Protocol 2 of the 1994 Act of Accession),
 * so they share their member state's low-risk level. Derived, not listed in the Annex itself.
 */
const EU_TERRITORIES: Readonly<Record<string, string>> = {
  GF: 'FR',
  GP: 'FR',
  MQ: 'FR',
  RE: 'FR',
  YT: 'FR',
  MF: 'FR',
  AX: 'FI',
};

const CITATION =
  'Commission Implementing Regulation (EU) 2025/1093 of 22 May 2025 (country benchmarking under ' +
  'Art. 29 of Regulation (EU) 2023/1115), Annex; https://eur-lex.europa.eu/eli/reg_impl/2025/1093/oj. ' +
  'Transcribed from secondary copies (reference data confidence: medium).';

const VALID_FROM = bench.in_force; // 2025-05-26

function levelOf(code: string): { level: CountryRiskLevel; basis: string; derivedFrom?: string } {
  if (bench.high_risk.includes(code))
    return { level: 'high', basis: 'listed high risk in the Annex of Reg. 2025/1093' };
  if (bench.low_risk_iso2.includes(code))
    return { level: 'low', basis: 'listed low risk in the Annex of Reg. 2025/1093' };
  const parent = EU_TERRITORIES[code];
  if (parent !== undefined) {
    return { level: 'low', basis: `part of EU member state ${parent} (EU law applies)`, derivedFrom: parent };
  }
  return {
    level: 'standard',
    basis: 'not listed in the Annex, so standard risk under Art. 1(2) of Reg. 2025/1093',
  };
}

function factorOf(code: string): EmissionFactor {
  const { level, basis, derivedFrom } = levelOf(code);
  const uncertain = (bench.uncertain as Record<string, string>)[code];
  return {
    id: `eu/${EUDR_BENCHMARK_VERSION}/${EUDR_COUNTRY_RISK_ACTIVITY}/${code}/${EUDR_COUNTRY_RISK_UNIT}`.toLowerCase(),
    source: EUDR_SOURCE,
    dataset: EUDR_BENCHMARK_DATASET,
    datasetVersion: EUDR_BENCHMARK_VERSION,
    activity: EUDR_COUNTRY_RISK_ACTIVITY,
    name: `EUDR country risk (${level})`,
    region: code,
    unit: EUDR_COUNTRY_RISK_UNIT,
    valueUnit: 'risk-level',
    value: RISK_VALUE[level],
    validFrom: VALID_FROM,
    validTo: null,
    citation: `${CITATION} ${code}: ${basis}.`,
    confidence: 'medium',
    // The reference data flags disagreeing sources (UG); derived territory levels are ours.
    ...(uncertain !== undefined || derivedFrom !== undefined ? { pendingVerification: true } : {}),
    attributes: {
      level,
      basis,
      ...(derivedFrom !== undefined ? { derivedFrom } : {}),
      ...(uncertain !== undefined ? { note: uncertain } : {}),
    },
  };
}

const factors: EmissionFactor[] = ISO_3166_ALPHA2.map(factorOf);

const datasets: DatasetInfo[] = [
  {
    source: EUDR_SOURCE,
    dataset: EUDR_BENCHMARK_DATASET,
    version: EUDR_BENCHMARK_VERSION,
    title: 'EUDR country benchmarking: low / standard / high risk (Implementing Regulation (EU) 2025/1093)',
    citation: CITATION,
    validFrom: VALID_FROM,
    validTo: null,
    factorCount: factors.length,
  },
];

export const eudrDataset: DatasetBundle = { datasets, factors };
