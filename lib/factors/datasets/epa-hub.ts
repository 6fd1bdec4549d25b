/**
 * US EPA GHG Emission Factors Hub, 2025 edition: stationary combustion (Table 1), mobile
 * combustion CO2 (Table 2) and purchased steam and heat (Table 7). Region `US`.
 *
 * The Hub publishes CO2 in kg and CH4/N2O in g per unit; factors here are kg CO2e per unit
 * with each gas converted to CO2e using the Hub's own AR5 GWPs (Table 11: CH4 28, N2O 265):
 *   value = kg CO2 + g CH4 / 1000 * 28 + g N2O / 1000 * 265.
 * Energy denominators are HHV (gross calorific value), so MMBtu factors carry basis `gross`.
 * Biogenic CO2 (wood) is reported outside the scopes: the factor holds CH4 + N2O only and
 * keeps the biogenic CO2 as an attribute. Mobile factors are CO2 only (valueUnit `kgCO2`):
 * the Hub's mobile CH4/N2O depend on vehicle type and distance and are not bundled.
 *
 * Validity: the 2025 Hub (January 2025) is what inventories compiled in 2025, i.e. of 2024
 * activity, use; it stays valid with no end until a newer edition is bundled.
 */
import hub from '../data/epa_ghg_emission_factors_hub_2025_selected.json' with { type: 'json' };
import type { DatasetInfo, EmissionFactor } from '../types.js';
import { normalizeUnit } from '../units.js';
import { clean, factorId, slugify, type DatasetBundle } from './bundle.js';

const SOURCE = 'EPA-HUB';
const DATASET = 'epa-ghg-emission-factors-hub';
const VERSION = '2025';
const REGION = 'US';
const VALID_FROM = '2024-01-01';
const CITATION = `U.S. EPA Center for Corporate Climate Leadership, GHG Emission Factors Hub (2025), ${hub.official_url}`;
const GWP = { ch4: hub.gwp_ar5_table11.CH4, n2o: hub.gwp_ar5_table11.N2O } as const;

type Confidence = 'high' | 'medium' | 'low';
/** Row confidence strings start with the level, e.g. `high (cell D107)`. */
const level = (text: string): Confidence =>
  text.startsWith('high') ? 'high' : text.startsWith('low') ? 'low' : 'medium';

interface Part {
  readonly activity: string;
  readonly name: string;
  readonly unit: string;
  readonly co2Kg: number;
  readonly ch4G?: number;
  readonly n2oG?: number;
  readonly table: string;
  readonly confidence: Confidence;
  readonly biogenic?: boolean;
  readonly attributes?: Record<string, number | string>;
}

function factor(p: Part): EmissionFactor {
  const unit = normalizeUnit(p.unit);
  const basis = unit === 'MMBtu' ? ('gross' as const) : undefined;
  const ch4 = p.ch4G === undefined ? undefined : clean((p.ch4G / 1000) * GWP.ch4);
  const n2o = p.n2oG === undefined ? undefined : clean((p.n2oG / 1000) * GWP.n2o);
  const co2 = p.biogenic ? 0 : p.co2Kg;
  const onlyCo2 = ch4 === undefined && n2o === undefined;
  return {
    id: factorId(SOURCE, VERSION, p.activity, REGION, unit, basis),
    source: SOURCE,
    dataset: DATASET,
    datasetVersion: VERSION,
    activity: p.activity,
    name: p.name,
    region: REGION,
    unit,
    ...(basis ? { basis } : {}),
    valueUnit: onlyCo2 ? 'kgCO2' : 'kgCO2e',
    value: clean(co2 + (ch4 ?? 0) + (n2o ?? 0)),
    gases: { co2, ...(ch4 === undefined ? {} : { ch4 }), ...(n2o === undefined ? {} : { n2o }) },
    validFrom: VALID_FROM,
    validTo: null,
    citation: `${CITATION}, ${p.table}, ${p.name} per ${p.unit}; CO2e with AR5 GWPs (Table 11)`,
    confidence: p.confidence,
    ...(p.confidence === 'high' ? {} : { pendingVerification: true }),
    attributes: {
      ...(p.biogenic ? { biogenicCo2Kg: p.co2Kg } : {}),
      ...(p.ch4G === undefined ? {} : { ch4G: p.ch4G }),
      ...(p.n2oG === undefined ? {} : { n2oG: p.n2oG }),
      ...p.attributes,
    },
  };
}

interface StationaryRow {
  readonly fuel: string;
  readonly hhv: number;
  readonly hhv_unit: string;
  readonly kg_co2_per_mmbtu: number;
  readonly g_ch4_per_mmbtu: number;
  readonly g_n2o_per_mmbtu: number;
  readonly confidence: string;
  readonly [k: string]: number | string | undefined;
}

/** Physical-unit columns of Table 1: `kg_co2_per_<unit>` with matching CH4/N2O columns. */
const PHYSICAL: readonly [column: string, unit: string][] = [
  ['scf', 'scf'],
  ['gallon', 'gal'],
  ['short_ton', 'short_ton'],
];

/** `Bituminous (coal)` -> `bituminous-coal`; `... (biogenic CO2)` qualifiers dropped. */
const stationaryKey = (fuel: string): string => `fuel/${slugify(fuel.replace(/\s*\(biogenic CO2\)/, ''))}`;

const stationary = (hub.stationary_combustion_table1 as readonly StationaryRow[]).flatMap((r) => {
  const activity = stationaryKey(r.fuel);
  const biogenic = r.fuel.includes('biogenic');
  // Confidence texts read e.g. "high (per-MMBtu ...); per-scf columns medium (fixture)".
  const perUnitConfidence: Confidence = /per-(scf|gallon|short)[^;]*medium/.test(r.confidence)
    ? 'medium'
    : level(r.confidence);
  const out: EmissionFactor[] = [
    factor({
      activity,
      name: r.fuel,
      unit: 'MMBtu',
      co2Kg: r.kg_co2_per_mmbtu,
      ch4G: r.g_ch4_per_mmbtu,
      n2oG: r.g_n2o_per_mmbtu,
      table: 'Table 1 Stationary Combustion',
      confidence: level(r.confidence),
      biogenic,
      attributes: { heatContentHHV: r.hhv, heatContentUnit: r.hhv_unit },
    }),
  ];
  for (const [column, unit] of PHYSICAL) {
    const co2 = r[`kg_co2_per_${column}`];
    if (typeof co2 !== 'number') continue;
    out.push(
      factor({
        activity,
        name: r.fuel,
        unit,
        co2Kg: co2,
        ch4G: r[`g_ch4_per_${column}`] as number,
        n2oG: r[`g_n2o_per_${column}`] as number,
        table: 'Table 1 Stationary Combustion',
        confidence: perUnitConfidence,
        biogenic,
      }),
    );
  }
  return out;
});

const mobile = hub.mobile_combustion_co2_table2
  // Biodiesel's CO2 is biogenic and the Hub gives no per-gallon CH4/N2O here: nothing to report in scope.
  .filter((r) => !r.confidence.includes('biogenic'))
  .map((r) =>
    factor({
      activity: `mobile-fuel/${slugify(r.fuel)}`,
      name: r.fuel,
      unit: r.unit,
      co2Kg: r.kg_co2_per_unit,
      table: 'Table 2 Mobile Combustion CO2',
      confidence: level(r.confidence),
    }),
  );

const steam = hub.steam_and_heat_table7;
const steamAndHeat = factor({
  activity: 'heat-steam/district',
  name: 'Steam and Heat (purchased)',
  unit: 'MMBtu',
  co2Kg: steam.kg_co2_per_mmbtu,
  ch4G: steam.g_ch4_per_mmbtu,
  n2oG: steam.g_n2o_per_mmbtu,
  table: 'Table 7 Steam and Heat',
  confidence: level(steam.confidence),
});

const factors = [...stationary, ...mobile, steamAndHeat];

const info: DatasetInfo = {
  source: SOURCE,
  dataset: DATASET,
  version: VERSION,
  title: 'EPA GHG Emission Factors Hub 2025 (selected stationary, mobile and steam/heat factors)',
  citation: CITATION,
  validFrom: VALID_FROM,
  validTo: null,
  factorCount: factors.length,
};

export const epaHubDataset: DatasetBundle = { datasets: [info], factors };
