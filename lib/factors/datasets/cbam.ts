/**
 * EU CBAM default values (embedded emissions, tCO2e per tonne of good) as catalogue factors.
 *
 * Two dataset versions:
 * - `transitional-2023`: the Commission's global defaults for the transitional period
 *   (1 Oct 2023 - 31 Dec 2025), region `GLOBAL`.
 * - `definitive-2026`: country-specific defaults of Implementing Regulation (EU) 2025/2621
 *   (from 1 Jan 2026), region = ISO 3166-1 alpha-2 of the country of origin, or `OTHER` for
 *   the "Other Countries and Territories" table.
 *
 * Activity key: `cbam/<cn digits>/direct|indirect|total`. The CN digits are the code AS
 * PUBLISHED in the source row: 8 digits where the row names a CN subheading, fewer where the
 * publisher (or our transcription source) gives one value for a whole heading or
 * subheading (e.g. `7208`, `310210`). The agent matches an import's 8-digit code to the
 * longest published code that is a prefix of it, never shorter than a 4-digit heading.
 *
 * Only published numbers become factors: a missing component (e.g. the indirect value of a
 * total-only row, or "N/A in table") gets no factor, so nothing is ever invented. Every row
 * is a secondary transcription (the primary documents were not read directly; see the JSON
 * `retrieved_from`), so every factor is `pendingVerification: true`.
 */
import data from '../data/cbam_default_values.json' with { type: 'json' };
import type { DatasetInfo, EmissionFactor } from '../types.js';
import type { DatasetBundle } from './bundle.js';

export const CBAM_SOURCE = 'CBAM';
export const CBAM_DATASET = 'cbam-default-values';
export const CBAM_TRANSITIONAL_VERSION = 'transitional-2023';
export const CBAM_DEFINITIVE_VERSION = 'definitive-2026';
export const CBAM_UNIT = 't';
export const CBAM_VALUE_UNIT = 'tCO2e/t';
/** Region of the "Other Countries and Territories" table (Reg. 2025/2621, Annex I). */
export const CBAM_OTHER_REGION = 'OTHER';
export const CBAM_GLOBAL_REGION = 'GLOBAL';

export type CbamComponent = 'direct' | 'indirect' | 'total';

export function cbamActivity(cn: string, component: CbamComponent): string {
  return `cbam/${cn}/${component}`;
}

const TRANSITIONAL = { validFrom: '2023-10-01', validTo: '2025-12-31' } as const;
const DEFINITIVE = { validFrom: '2026-01-01', validTo: null } as const;

const [URL_TRANSITIONAL, URL_DEFINITIVE] = data.official_urls;

const CITATION_TRANSITIONAL =
  "European Commission DG TAXUD, 'Default values for the transitional period of the CBAM between " +
  `1 October 2023 and 31 December 2025' (Brussels, 22 Dec 2023, JRC estimates), ${URL_TRANSITIONAL}.`;
const CITATION_DEFINITIVE =
  'Commission Implementing Regulation (EU) 2025/2621, Annex I (country-specific default values, ' +
  `EC xlsx 'DVs as adopted' dated 4 Feb 2026), ${URL_DEFINITIVE}. Annex I was later replaced by ` +
  'Implementing Regulation (EU) 2026/1740 (reported by third parties, not verified here).';
const SECONDARY =
  'Secondary transcription (primary document not read directly); see lib/factors/data/cbam_default_values.json.';

/**
 * How each transitional JSON row (keyed by its `cn` text, asserted at load) maps to the CN
 * code it covers. Ferro-alloy rows are named by alloy; their CN subheadings are the
 * Combined Nomenclature's: ferro-manganese 7202 11/19, ferro-chromium 7202 41/49,
 * ferro-nickel 7202 60 00.
 */
const TRANSITIONAL_CN: Readonly<Record<string, string>> = {
  '2523 10 00': '25231000',
  '2523 21 00': '25232100',
  '2523 29 00': '25232900',
  '2523 30 00': '25233000',
  '2523 90 00': '25239000',
  '7201': '7201',
  '7202 (ferro-nickel)': '72026000',
  '7202 (ferro-manganese)': '72021',
  '7202 (ferro-chromium)': '72024',
  '7206': '7206',
  '7208': '7208',
  '7306 40 (welded, of stainless steel)': '730640',
  '2814': '2814',
  '2808': '2808',
  '3102 10': '310210',
  '3102 50': '310250',
  '3105 20': '310520',
  '2804 10 00': '28041000',
  '7601': '7601',
  '7608': '7608',
  '7616 99 90': '76169990',
};

/** Definitive-period rows: CN text prefix -> published CN digits. */
const DEFINITIVE_CN: readonly (readonly [string, string])[] = [
  ['7208', '7208'],
  ['3102 10 90', '31021090'],
  ['2804 10 00', '28041000'],
  ['7601', '7601'],
  ['2523 10 00', '25231000'],
  ['2523 29 00', '25232900'],
  ['2523 90 00', '25239000'],
];

/** Country names as the source writes them -> ISO 3166-1 alpha-2 (or OTHER). */
const COUNTRY_CODES: Readonly<Record<string, readonly string[]>> = {
  China: ['CN'],
  India: ['IN'],
  Türkiye: ['TR'],
  'South Korea': ['KR'],
  'United States': ['US'],
  'Other Countries and Territories': [CBAM_OTHER_REGION],
  // One source line states one value for four countries.
  'India / Albania / Belarus / Iran': ['IN', 'AL', 'BY', 'IR'],
  Albania: ['AL'],
  'Congo, Democratic Republic of': ['CD'],
  Congo: ['CG'],
  Iran: ['IR'],
};

/** Per-source confidence of definitive rows: D1-D3 mirror the regulation, B1 is a press report of a draft. */
const DEFINITIVE_SOURCE_CONFIDENCE: Readonly<Record<string, 'high' | 'medium' | 'low'>> = {
  D1: 'medium',
  D2: 'medium',
  D3: 'medium',
  T1: 'medium',
  B1: 'low',
};

/**
 * Rows we doubt, with why: their confidence is lowered to `low` and the reason kept on the factor.
 * Key: `<row cn text>|<country text>`.
 */
const DOUBTS: Readonly<Record<string, string>> = {
  '2804 10 00 (hydrogen)|China':
    'Equals the Annex IV value (26.64, country of production unknown) that a third-party quotation of ' +
    'Reg. 2026/1740 gives, while the same quotation lists 10.82-17.74 for other countries: possibly mislabelled.',
};

function confidenceOf(text: string): 'high' | 'medium' | 'low' {
  if (text.startsWith('high')) return 'high';
  if (text.startsWith('medium')) return 'medium';
  if (text.startsWith('low')) return 'low';
  throw new Error(`cbam dataset: unrecognised confidence '${text}'`);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

interface RowFactors {
  readonly version: string;
  readonly cn: string;
  readonly region: string;
  readonly description: string;
  readonly values: Partial<Record<CbamComponent, number>>;
  readonly confidence: 'high' | 'medium' | 'low';
  readonly citation: string;
  readonly attributes: Record<string, number | string>;
  readonly validity: { readonly validFrom: string; readonly validTo: string | null };
}

function factorsOf(row: RowFactors): EmissionFactor[] {
  const out: EmissionFactor[] = [];
  for (const component of ['direct', 'indirect', 'total'] as const) {
    const value = row.values[component];
    if (value === undefined) continue;
    const activity = cbamActivity(row.cn, component);
    out.push({
      id: `${CBAM_SOURCE}/${row.version}/${activity}/${row.region}/${CBAM_UNIT}`.toLowerCase(),
      source: CBAM_SOURCE,
      dataset: CBAM_DATASET,
      datasetVersion: row.version,
      activity,
      name: `${row.description} - ${component} embedded emissions (CBAM default)`,
      region: row.region,
      unit: CBAM_UNIT,
      valueUnit: CBAM_VALUE_UNIT,
      value,
      validFrom: row.validity.validFrom,
      validTo: row.validity.validTo,
      citation: `${row.citation} ${SECONDARY}`,
      confidence: row.confidence,
      pendingVerification: true,
      attributes: { cn: row.cn, ...row.attributes },
    });
  }
  return out;
}

function transitionalFactors(): EmissionFactor[] {
  return data.transitional_period_defaults.rows.flatMap((r) => {
    const cn = TRANSITIONAL_CN[r.cn];
    if (cn === undefined) throw new Error(`cbam dataset: no CN mapping for transitional row '${r.cn}'`);
    return factorsOf({
      version: CBAM_TRANSITIONAL_VERSION,
      cn,
      region: CBAM_GLOBAL_REGION,
      description: r.description,
      values: { direct: num(r.direct), indirect: num(r.indirect), total: num(r.total) },
      confidence: confidenceOf(r.confidence),
      citation: CITATION_TRANSITIONAL,
      attributes: { sourceRow: r.cn, sources: r.sources.join('; '), confidenceNote: r.confidence },
      validity: TRANSITIONAL,
    });
  });
}

function definitiveFactors(): EmissionFactor[] {
  return data.definitive_period_2026.examples_tco2e_per_t.flatMap((r) => {
    const cn = DEFINITIVE_CN.find(([prefix]) => r.cn.startsWith(prefix))?.[1];
    if (cn === undefined) throw new Error(`cbam dataset: no CN mapping for definitive row '${r.cn}'`);
    const regions = COUNTRY_CODES[r.country];
    if (regions === undefined) throw new Error(`cbam dataset: no country code for '${r.country}'`);
    const sourceKey = r.source.slice(0, 2);
    const confidence = DEFINITIVE_SOURCE_CONFIDENCE[sourceKey];
    if (confidence === undefined) throw new Error(`cbam dataset: unknown source '${r.source}'`);
    const row = r as Record<string, unknown>;
    const attributes: Record<string, number | string> = {
      sourceRow: r.cn,
      country: r.country,
      sources: r.source,
    };
    if (typeof row['route'] === 'string') attributes['route'] = row['route'];
    const doubt = DOUBTS[`${r.cn}|${r.country}`];
    if (doubt !== undefined) attributes['doubt'] = doubt;
    if (typeof row['indirect'] === 'string') attributes['indirectNote'] = row['indirect'];
    // The published mark-up-inclusive columns are kept for cross-checking only: the agent
    // applies the mark-up to the total itself, as the CBAM Registry does.
    for (const year of ['2026', '2027', '2028']) {
      const v = num(row[`y${year}`]);
      if (v !== undefined) attributes[`publishedWithMarkUp${year}`] = v;
    }
    return regions.flatMap((region) =>
      factorsOf({
        version: CBAM_DEFINITIVE_VERSION,
        cn,
        region,
        description: `${r.cn} (${r.country})`,
        values: { direct: num(row['direct']), indirect: num(row['indirect']), total: num(row['total']) },
        confidence: doubt === undefined ? confidence : 'low',
        citation: CITATION_DEFINITIVE,
        attributes,
        validity: DEFINITIVE,
      }),
    );
  });
}

const factors: EmissionFactor[] = [...transitionalFactors(), ...definitiveFactors()];

const count = (version: string): number => factors.filter((f) => f.datasetVersion === version).length;

const datasets: DatasetInfo[] = [
  {
    source: CBAM_SOURCE,
    dataset: CBAM_DATASET,
    version: CBAM_TRANSITIONAL_VERSION,
    title: 'EU CBAM default values, transitional period (Oct 2023 - Dec 2025), global, selected CN codes',
    citation: `${CITATION_TRANSITIONAL} ${SECONDARY}`,
    ...TRANSITIONAL,
    factorCount: count(CBAM_TRANSITIONAL_VERSION),
  },
  {
    source: CBAM_SOURCE,
    dataset: CBAM_DATASET,
    version: CBAM_DEFINITIVE_VERSION,
    title: 'EU CBAM default values, definitive period (2026+), country-specific examples',
    citation: `${CITATION_DEFINITIVE} ${SECONDARY}`,
    ...DEFINITIVE,
    factorCount: count(CBAM_DEFINITIVE_VERSION),
  },
];

export const cbamDataset: DatasetBundle = { datasets, factors };
