/**
 * IPCC AR5 WG1 100-year GWPs (Table 8.A.1) of common refrigerant gases, and of common HFC
 * blends computed from their components by mass fraction (the GHG Protocol / EPA method:
 * GWP_blend = sum of mass fraction x component GWP). Modelled as factors so agents cite them
 * like any other: activity `refrigerant/<gas or ASHRAE blend>` (and `ghg/co2|ch4|n2o`),
 * region `GLOBAL`, per `kg` released, value in kg CO2e.
 *
 * Secondary: values agree with two independent transcriptions but were not read from the
 * primary PDF here, so every factor is `pendingVerification` (see the JSON's provenance).
 */
import * as z from 'zod';
import raw from '../data/ipcc-ar5-gwp.json' with { type: 'json' };
import type { DatasetInfo, EmissionFactor } from '../types.js';
import { factorId, type DatasetBundle } from './bundle.js';

// The JSON is checked once at load: a typo in a hand-copied table must fail loudly.
const data = z
  .object({
    source: z.string(),
    official_url: z.string(),
    gases: z.array(z.object({ key: z.string(), name: z.string(), gwp100: z.number().positive() })),
    ghg: z.array(z.object({ key: z.string(), name: z.string(), gwp100: z.number().positive() })),
    blends: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        components: z.record(z.string(), z.number().gt(0).lte(1)),
      }),
    ),
  })
  .parse(raw);

const SOURCE = 'IPCC';
const DATASET = 'ipcc-ar5-gwp100';
const VERSION = 'ar5';
const REGION = 'GLOBAL';
// AR5 WG1 was accepted in September 2013; the metric has no end date of its own.
const VALID_FROM = '2013-09-30';
const CITATION = `${data.source} ${data.official_url}`;

const gwpOf = new Map(data.gases.map((g) => [g.key, g.gwp100]));

/** Blend GWP from components; rounded to 1e-9 so float noise never shows in a citation. */
function blendGwp(components: Readonly<Record<string, number>>, blend: string): number {
  let sum = 0;
  let fractions = 0;
  for (const [gas, fraction] of Object.entries(components)) {
    const gwp = gwpOf.get(gas);
    if (gwp === undefined) throw new Error(`Blend ${blend}: component ${gas} has no GWP in the dataset`);
    sum += fraction * gwp;
    fractions += fraction;
  }
  if (Math.abs(fractions - 1) > 1e-9)
    throw new Error(`Blend ${blend}: mass fractions sum to ${fractions}, not 1`);
  return Math.round(sum * 1e9) / 1e9;
}

function factor(
  activity: string,
  name: string,
  value: number,
  citation: string,
  attributes?: Record<string, string>,
): EmissionFactor {
  return {
    id: factorId(SOURCE, VERSION, activity, REGION, 'kg'),
    source: SOURCE,
    dataset: DATASET,
    datasetVersion: VERSION,
    activity,
    name,
    region: REGION,
    unit: 'kg',
    valueUnit: 'kgCO2e',
    value,
    validFrom: VALID_FROM,
    validTo: null,
    citation,
    confidence: 'high',
    pendingVerification: true,
    ...(attributes ? { attributes } : {}),
  };
}

const factors: EmissionFactor[] = [
  // CO2, CH4, N2O: the GWPs that turn gas masses into CO2e (e.g. EPA Hub CH4/N2O grams).
  ...data.ghg.map((g) => factor(`ghg/${g.key}`, g.name, g.gwp100, `${CITATION} (Table 8.A.1, ${g.name}).`)),
  ...data.gases.map((g) =>
    factor(`refrigerant/${g.key}`, g.name, g.gwp100, `${CITATION} (Table 8.A.1, ${g.name}).`),
  ),
  ...data.blends.map((b) => {
    const parts = Object.entries(b.components);
    const composition = parts.map(([gas, f]) => `${gas} ${Math.round(f * 1000) / 10}%`).join(' / ');
    return factor(
      `refrigerant/${b.key}`,
      `${b.name} (${composition})`,
      blendGwp(b.components, b.name),
      `Computed from ${CITATION} (Table 8.A.1) by mass fraction; composition per ASHRAE Standard 34: ${composition}.`,
      { composition },
    );
  }),
];

const info: DatasetInfo = {
  source: SOURCE,
  dataset: DATASET,
  version: VERSION,
  title: 'IPCC AR5 WG1 GWP100 of refrigerant gases and common HFC blends',
  citation: CITATION,
  validFrom: VALID_FROM,
  validTo: null,
  factorCount: factors.length,
};

export const ipccAr5GwpDataset: DatasetBundle = { datasets: [info], factors };
