/**
 * ENERGY STAR Portfolio Manager reference values (region `US`; Canadian ratios `CA`):
 * - national median EUI by property type, site and source, in kBtu per ft2 per year:
 *   `building/median-eui/site/<property-type>` and `building/median-eui/source/<property-type>`,
 *   unit `ft2` (the value is per square foot of floor area per year);
 * - source-to-site ratios: `building/source-site-ratio/<energy-type>`, unit `kBtu`
 *   (kBtu of source energy per kBtu of site energy).
 * Only the rows that could be read from public copies are bundled (see the data file's gaps).
 *
 * Validity: Portfolio Manager applies its current medians (CBECS 2018 based) and ratios
 * (August 2023 technical reference) to every period it rates, so these have no start or
 * end date of their own: valid from 1900-01-01, open-ended.
 */
import es from '../data/energy_star_portfolio_manager_eui_and_source_ratios.json' with { type: 'json' };
import type { DatasetInfo, EmissionFactor } from '../types.js';
import { factorId, slugify, type DatasetBundle } from './bundle.js';

const SOURCE = 'ENERGY-STAR';
const DATASET = 'energy-star-portfolio-manager';
const VERSION = '2023-08';
const VALID_FROM = '1900-01-01';
const MEDIAN_CITATION =
  'U.S. EPA ENERGY STAR Portfolio Manager, US National Median Source and Site EUI by property type (CBECS 2018), ' +
  'https://www.energystar.gov/buildings/benchmark/understand_metrics/what_eui';
const RATIO_CITATION =
  'U.S. EPA ENERGY STAR Portfolio Manager Technical Reference: Source Energy (August 2023), ' +
  'https://portfoliomanager.energystar.gov/pdf/reference/Source%20Energy.pdf';

/** Short, stable slugs for the energy types of the source-site ratio table. */
const ENERGY_TYPE_SLUG: Readonly<Record<string, string>> = {
  'Electricity (Grid Purchase)': 'electricity-grid',
  'Electricity (Onsite Solar or Wind - regardless of REC ownership)': 'electricity-onsite-solar-wind',
  'Natural Gas': 'natural-gas',
  'District Heating (steam/hot water)': 'district-heating',
  'District Cooling': 'district-cooling',
};

type Confidence = 'high' | 'medium' | 'low';
const level = (text: string): Confidence =>
  text.startsWith('high') ? 'high' : text.startsWith('low') ? 'low' : 'medium';

function base(activity: string, region: string, unit: string) {
  return {
    id: factorId(SOURCE, VERSION, activity, region, unit),
    source: SOURCE,
    dataset: DATASET,
    datasetVersion: VERSION,
    activity,
    region,
    unit,
    validFrom: VALID_FROM,
    validTo: null,
  };
}

const medians: EmissionFactor[] = es.national_median_eui.flatMap((r) => {
  const slug = slugify(r.property_type);
  const attributes = { propertyType: r.property_type, marketSector: r.market_sector };
  const out: EmissionFactor[] = [];
  for (const [kind, value] of [
    ['site', r.site_eui],
    ['source', r.source_eui],
  ] as const) {
    if (value === null) continue; // truncated in the only copy read: not recorded
    out.push({
      ...base(`building/median-eui/${kind}/${slug}`, 'US', 'ft2'),
      name: `${r.property_type}: national median ${kind} EUI`,
      valueUnit: `kBtu/ft2/yr (${kind} energy)`,
      value,
      citation: `${MEDIAN_CITATION}, ${r.market_sector} / ${r.property_type}, median ${kind} EUI`,
      // Read from the EPA page's stored copy (partial): values high, coverage partial.
      confidence: 'high',
      attributes,
    });
  }
  return out;
});

const ratios: EmissionFactor[] = es.source_site_ratios.rows.flatMap((r) => {
  const slug = ENERGY_TYPE_SLUG[r.energy_type];
  if (slug === undefined) throw new Error(`ENERGY STAR energy type '${r.energy_type}' has no slug`);
  const confidence = level(r.confidence);
  const out: EmissionFactor[] = [];
  for (const [region, value] of [
    ['US', r.us_ratio],
    ['CA', r.canada_ratio],
  ] as const) {
    if (value === null) continue;
    out.push({
      ...base(`building/source-site-ratio/${slug}`, region, 'kBtu'),
      name: `${r.energy_type}: source-site ratio (${region})`,
      valueUnit: 'kBtu source/kBtu site',
      value,
      citation: `${RATIO_CITATION}, Figure 1, ${r.energy_type}, ${region === 'US' ? 'U.S.' : 'Canada'} ratio`,
      confidence,
      ...(confidence === 'high' ? {} : { pendingVerification: true }),
      attributes: { energyType: r.energy_type },
    });
  }
  return out;
});

const factors = [...medians, ...ratios];

const info: DatasetInfo = {
  source: SOURCE,
  dataset: DATASET,
  version: VERSION,
  title: 'ENERGY STAR Portfolio Manager national median EUIs and source-site ratios (partial)',
  citation: `${MEDIAN_CITATION}; ${RATIO_CITATION}`,
  validFrom: VALID_FROM,
  validTo: null,
  factorCount: factors.length,
};

export const energyStarDataset: DatasetBundle = { datasets: [info], factors };
