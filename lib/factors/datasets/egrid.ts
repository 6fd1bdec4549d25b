/**
 * EPA eGRID2023 (rev2) annual total output emission rates: all 27 subregions
 * (region `US-EGRID-<CODE>`) and the US average (region `US`), activity `electricity/grid`.
 *
 * Conversion: eGRID publishes lb per MWh; factors here are kg CO2e per kWh:
 *   kg/kWh = lb/MWh * (kg per lb) / (kWh per MWh), both taken from the unit registry.
 * The total is EPA's published CO2e rate. The gas split is CO2, CH4 * 28 and N2O * 265
 * (AR5 GWPs, as EPA uses); because EPA rounds CH4/N2O to 3 dp the split can differ from the
 * total by up to 0.129 lb/MWh (5.9e-5 kg/kWh). The grid gross loss fraction (for T&D losses,
 * Scope 3 category 3) and the generation fuel mix are kept as attributes.
 *
 * Validity: data year 2023, from 2023-01-01 with no end: location-based Scope 2 uses the
 * latest eGRID, and no newer edition is bundled.
 */
import egrid from '../data/egrid2023_subregion_output_rates.json' with { type: 'json' };
import type { DatasetInfo, EmissionFactor } from '../types.js';
import { conversionFactor } from '../units.js';
import { clean, factorId, type DatasetBundle } from './bundle.js';

const SOURCE = 'EGRID';
const DATASET = 'egrid';
const VERSION = '2023-rev2';
const VALID_FROM = '2023-01-01';
const GWP = { ch4: 28, n2o: 265 } as const;
const CITATION =
  'U.S. EPA, eGRID2023 (rev2, released 2025-06-12), subregion annual total output emission rates ' +
  '(https://www.epa.gov/egrid; Power Profiler data file app/data/subregion.json, dataYear 2023)';

/** lb/MWh -> kg/kWh. */
const LB_PER_MWH = conversionFactor('lb', 'kg') / conversionFactor('MWh', 'kWh');

/** US national row carries the country code; subregions get `US-EGRID-<CODE>`. */
export const egridRegion = (code: string): string => (code === 'US' ? 'US' : `US-EGRID-${code}`);

const factors: EmissionFactor[] = egrid.rows.map((r) => {
  const region = egridRegion(r.code);
  const mix = Object.fromEntries(
    Object.entries(r.fuel_mix_pct).map(([fuel, pct]) => [`fuelMixPct.${fuel}`, pct]),
  );
  return {
    id: factorId(SOURCE, VERSION, 'electricity/grid', region, 'kWh'),
    source: SOURCE,
    dataset: DATASET,
    datasetVersion: VERSION,
    activity: 'electricity/grid',
    name: `${r.name} (${r.code})`,
    region,
    unit: 'kWh',
    valueUnit: 'kgCO2e',
    value: clean(r.co2e_lb_per_mwh * LB_PER_MWH),
    gases: {
      co2: clean(r.co2_lb_per_mwh * LB_PER_MWH),
      ch4: clean(r.ch4_lb_per_mwh * GWP.ch4 * LB_PER_MWH),
      n2o: clean(r.n2o_lb_per_mwh * GWP.n2o * LB_PER_MWH),
    },
    validFrom: VALID_FROM,
    validTo: null,
    citation: `${CITATION}, ${r.code} ${r.name}: CO2e ${r.co2e_lb_per_mwh} lb/MWh converted to kg/kWh`,
    sourceRowId: r.code,
    confidence: 'high',
    attributes: {
      subregion: r.code,
      co2LbPerMwh: r.co2_lb_per_mwh,
      co2eLbPerMwh: r.co2e_lb_per_mwh,
      ch4LbPerMwh: r.ch4_lb_per_mwh,
      n2oLbPerMwh: r.n2o_lb_per_mwh,
      gridGrossLossFraction: r.grid_gross_loss_fraction,
      ...mix,
    },
  };
});

const info: DatasetInfo = {
  source: SOURCE,
  dataset: DATASET,
  version: VERSION,
  title: 'EPA eGRID2023 (rev2) subregion and US total output emission rates',
  citation: CITATION,
  validFrom: VALID_FROM,
  validTo: null,
  factorCount: factors.length,
};

export const egridDataset: DatasetBundle = { datasets: [info], factors };
