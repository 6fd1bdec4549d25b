/**
 * Regulatory constants the CBAM calculation applies, each with its legal source. Values are
 * as transcribed in lib/factors/data/cbam_default_values.json and in public verbatim
 * quotations of the acts; re-check against EUR-Lex before certifying.
 */
import type { CbamSector } from './annex-i.js';

/** Transitional period (reporting only, no certificates): Art. 32 of Reg. (EU) 2023/956. */
export const TRANSITIONAL_PERIOD = { start: '2023-10-01', end: '2025-12-31' } as const;
/** Definitive period: certificates surrendered for imports from 1 January 2026 (Art. 36(3)). */
export const DEFINITIVE_START_YEAR = 2026;

/**
 * Mark-up on default values, applied to the "total emissions" column: Implementing
 * Regulation (EU) 2025/2621, Annex I opening paragraph (as replaced by Implementing
 * Regulation (EU) 2026/1740): cement, iron and steel, aluminium and hydrogen 10 % for 2026,
 * 20 % for 2027, 30 % for 2028 onwards; fertilisers 1 % from 2026.
 */
export function markUpRate(sector: CbamSector, year: number): number {
  if (year < DEFINITIVE_START_YEAR) return 0;
  if (sector === 'fertilisers') return 0.01;
  if (sector === 'electricity') return 0;
  if (year === 2026) return 0.1;
  if (year === 2027) return 0.2;
  return 0.3;
}

/**
 * CBAM factor: share of free allocation still given to CBAM sectors, Directive 2003/87/EC
 * Art. 10a(1a) as amended by Directive (EU) 2023/959; zero from 2034.
 */
export const CBAM_FACTOR: Readonly<Record<number, number>> = {
  2026: 0.975,
  2027: 0.95,
  2028: 0.9,
  2029: 0.775,
  2030: 0.515,
  2031: 0.39,
  2032: 0.265,
  2033: 0.14,
  2034: 0,
};

export function cbamFactor(year: number): number {
  if (year < DEFINITIVE_START_YEAR) throw new RangeError(`No CBAM factor before ${DEFINITIVE_START_YEAR}`);
  return CBAM_FACTOR[year] ?? 0;
}

/**
 * Free allocation adjustment, Implementing Regulation (EU) 2025/2620, Annex points 2-4 (Art.
 * 31 of Reg. 2023/956): FAA = CBAM_y x CSCF_y x BM_g x M_g, with BM_g the CBAM benchmark
 * (column B when default values are used). Certificates = max(0, embedded - FAA).
 */
export const FREE_ALLOCATION_FORMULA =
  'certificates_tCO2e = max(0, chargeable_specific x quantity - CBAM_factor(year) x CSCF x benchmark x quantity); ' +
  'cost_EUR = certificates_tCO2e x carbon_price (Reg. 2023/956 Art. 31; Impl. Reg. 2025/2620 Annex points 2-4)';

/** De minimis: Art. 2a and Annex VII of Reg. 2023/956 (inserted by Reg. 2025/2083). */
export const DE_MINIMIS = {
  thresholdTonnes: 50,
  /** Art. 2a(4): the exemption does not apply to electricity or hydrogen. */
  excludedSectors: ['electricity', 'hydrogen'] as readonly CbamSector[],
  citation: 'Regulation (EU) 2023/956 Art. 2a and Annex VII point 1, inserted by Regulation (EU) 2025/2083',
} as const;

/** After 30 June 2024 defaults were allowed only within 20 % of a complex good's embedded emissions. */
export const TRANSITIONAL_DEFAULTS_UNRESTRICTED_UNTIL = '2024-06-30';

/**
 * CBAM benchmarks known to us, for reference only: the agent takes the benchmark as an input
 * per line and never applies these automatically (2026 values are provisional, Recital 35 of
 * Reg. 2025/2620, and several entries are leaked drafts).
 */
export interface BenchmarkReference {
  readonly product: string;
  readonly cn?: string;
  readonly value: number;
  readonly status: 'adopted-provisional' | 'draft' | 'eu-ets';
  readonly source: string;
}

export const BENCHMARK_REFERENCES: readonly BenchmarkReference[] = [
  {
    product: 'Hot-rolled flat steel, BF/BOF (C)',
    cn: '7208',
    value: 1.37,
    status: 'adopted-provisional',
    source: 'Impl. Reg. 2025/2620 Annex 5.3 column B, as quoted by a third-party note',
  },
  {
    product: 'Hot-rolled flat steel, DRI/EAF (D)',
    cn: '7208',
    value: 0.481,
    status: 'adopted-provisional',
    source: 'Impl. Reg. 2025/2620 Annex 5.3 column B, as quoted by a third-party note',
  },
  {
    product: 'Hot-rolled flat steel, scrap/EAF (E)',
    cn: '7208',
    value: 0.072,
    status: 'adopted-provisional',
    source: 'Impl. Reg. 2025/2620 Annex 5.3 column B, as quoted by a third-party note',
  },
  {
    product: 'Hydrogen',
    cn: '28041000',
    value: 5.089,
    status: 'adopted-provisional',
    source: 'Impl. Reg. 2025/2620 Annex 5.3, as quoted by a third-party note',
  },
  {
    product: 'Ammonia',
    cn: '2814',
    value: 1.57,
    status: 'draft',
    source: 'Argus Media (B1 in cbam_default_values.json)',
  },
  { product: 'Nitric acid', cn: '28080000', value: 0.23, status: 'draft', source: 'Argus Media (B1)' },
  { product: 'Primary aluminium', cn: '7601', value: 1.423, status: 'draft', source: 'Argus Media (B1)' },
  {
    product: 'Secondary aluminium (>50% scrap)',
    cn: '7601',
    value: 0.091,
    status: 'draft',
    source: 'Argus Media (B1)',
  },
  {
    product: 'Grey cement clinker (EU ETS 2021-2025)',
    cn: '25231000',
    value: 0.693,
    status: 'eu-ets',
    source: 'DEHSt VET 2021 report, as quoted in T1',
  },
];

/** EU-27 member states: goods originating there are not imports. */
export const EU_MEMBER_STATES: ReadonlySet<string> = new Set(
  'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '),
);
/** Territories with their own ISO code inside the EU customs territory (outermost regions, Aaland). */
export const EU_CUSTOMS_TERRITORIES: ReadonlySet<string> = new Set('AX GF GP MQ RE YT MF'.split(' '));
/** Annex III to Reg. 2023/956: third countries outside the scope of CBAM. */
export const ANNEX_III_COUNTRIES: ReadonlySet<string> = new Set(['IS', 'LI', 'NO', 'CH']);
