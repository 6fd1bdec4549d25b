/**
 * Golden cases for every shipped declarative agent: at least 10 each, expected values
 * computed by hand from the published tables (arithmetic beside each case).
 */
import { describe, expect, it } from 'vitest';
import { declarativeAgents } from '../../../lib/agents/declarative/index.js';
import { runAgent } from '../../../lib/agents/runner.js';
import { FactorCatalogue } from '../../../lib/factors/catalogue.js';

const ctx = { factors: FactorCatalogue.builtin() };

interface Case {
  readonly name: string;
  readonly input: unknown;
  /** Dotted path in the output -> expected number (or string). */
  readonly expect: Readonly<Record<string, number | string>>;
}

const line = (o: Record<string, unknown>): { lines: Record<string, unknown>[] } => ({ lines: [o] });

// 1 MMBtu = 1e6 Btu x 1055.05585262 J; 1 GJ = 0.947817120313 MMBtu; 1 kWh = 0.00341214163313 MMBtu.
// 1 US gal = 3.785411784 L; 1 scf = 0.3048^3 m3 = 0.028316846592 m3; eGRID kg/kWh = lb/MWh x 0.45359237 / 1000.
const CASES: Readonly<Record<string, readonly Case[]>> = {
  // DESNZ 2024: UK electricity 0.20705 kgCO2e/kWh (7_400_4000_5_1); T&D 0.01830 (13_402_4000_5_1).
  'uk-electricity-location-based': [
    {
      name: '1000 kWh',
      input: line({ quantity: 1000, unit: 'kWh' }),
      expect: {
        'totals.scope2_location_based.value': 207.05,
        'totals.scope3_cat3_td_losses.value': 18.3,
        'totals.total.value': 225.35,
      },
    }, // 1000 x 0.20705; 1000 x 0.0183; sum
    {
      name: '1 MWh',
      input: line({ quantity: 1, unit: 'MWh' }),
      expect: { 'totals.electricity.value': 1000, 'totals.scope2_location_based.value': 207.05 },
    }, // 1 MWh = 1000 kWh x 0.20705
    {
      name: '3.6 GJ',
      input: line({ quantity: 3.6, unit: 'GJ' }),
      expect: { 'totals.electricity.value': 1000, 'totals.scope3_cat3_td_losses.value': 18.3 },
    }, // 3.6 GJ / 3.6 MJ per kWh = 1000 kWh
    { name: 'zero', input: line({ quantity: 0, unit: 'kWh' }), expect: { 'totals.total.value': 0 } }, // 0 x anything
    {
      name: '12345.6 kWh',
      input: line({ quantity: 12345.6, unit: 'kWh' }),
      expect: {
        'totals.scope2_location_based.value': 2556.15648,
        'totals.scope3_cat3_td_losses.value': 225.92448,
      },
    }, // 12345.6 x 0.20705; 12345.6 x 0.0183
    {
      name: 'two lines',
      input: {
        lines: [
          { quantity: 500, unit: 'kWh' },
          { quantity: 0.5, unit: 'MWh' },
        ],
      },
      expect: { 'totals.scope2_location_based.value': 207.05, 'lines.1.kwh': 500 },
    }, // (500 + 500) x 0.20705
    {
      name: '250 MWh',
      input: line({ quantity: 250000, unit: 'kWh' }),
      expect: { 'totals.scope2_location_based.value': 51762.5, 'totals.scope3_cat3_td_losses.value': 4575 },
    }, // 250000 x 0.20705; x 0.0183
    {
      name: '7.2 GJ',
      input: line({ quantity: 7.2, unit: 'GJ' }),
      expect: { 'totals.scope2_location_based.value': 414.1, 'totals.scope3_cat3_td_losses.value': 36.6 },
    }, // 2000 kWh x 0.20705; x 0.0183
    {
      name: '1 kWh',
      input: line({ quantity: 1, unit: 'kWh' }),
      expect: { 'lines.0.scope2_kg_co2e': 0.20705, 'lines.0.scope3_td_losses_kg_co2e': 0.0183 },
    }, // the factors themselves
    {
      name: 'three meters',
      input: { lines: [100, 200, 300].map((q) => ({ quantity: q, unit: 'kWh', meter: `m${q}` })) },
      expect: {
        'totals.scope2_location_based.value': 124.23,
        'totals.scope3_cat3_td_losses.value': 10.98,
        'lines.2.meter': 'm300',
      },
    }, // 600 x 0.20705; 600 x 0.0183
  ],
  // DESNZ 2024: district and onsite heat & steam 0.17965 kgCO2e/kWh; district distribution (5% loss) 0.00946.
  'uk-purchased-heat-steam': [
    {
      name: 'district 1000 kWh',
      input: line({ supply: 'district', quantity: 1000, unit: 'kWh' }),
      expect: {
        'totals.scope2.value': 179.65,
        'totals.scope3_cat3_distribution_losses.value': 9.46,
        'totals.total.value': 189.11,
      },
    }, // 1000 x 0.17965; 1000 x 0.00946
    {
      name: 'onsite 1000 kWh',
      input: line({ supply: 'onsite', quantity: 1000, unit: 'kWh' }),
      expect: { 'totals.scope2.value': 179.65, 'totals.scope3_cat3_distribution_losses.value': 0 },
    }, // onsite: no network losses
    {
      name: 'district 1 MWh',
      input: line({ supply: 'district', quantity: 1, unit: 'MWh' }),
      expect: { 'totals.scope2.value': 179.65, 'totals.scope3_cat3_distribution_losses.value': 9.46 },
    }, // 1000 kWh
    {
      name: 'district 3.6 GJ',
      input: line({ supply: 'district', quantity: 3.6, unit: 'GJ' }),
      expect: { 'totals.heat_and_steam.value': 1000, 'totals.scope2.value': 179.65 },
    }, // 3.6 GJ = 1000 kWh
    {
      name: 'onsite 36 GJ',
      input: line({ supply: 'onsite', quantity: 36, unit: 'GJ' }),
      expect: { 'totals.scope2.value': 1796.5 },
    }, // 10000 kWh x 0.17965
    {
      name: 'zero',
      input: line({ supply: 'district', quantity: 0, unit: 'kWh' }),
      expect: { 'totals.total.value': 0 },
    },
    {
      name: 'mixed',
      input: {
        lines: [
          { supply: 'district', quantity: 500, unit: 'kWh' },
          { supply: 'onsite', quantity: 500, unit: 'kWh' },
        ],
      },
      expect: { 'totals.scope2.value': 179.65, 'totals.scope3_cat3_distribution_losses.value': 4.73 },
    }, // 1000 x 0.17965; 500 x 0.00946
    {
      name: 'district 2500 kWh',
      input: line({ supply: 'district', quantity: 2500, unit: 'kWh' }),
      expect: { 'totals.scope2.value': 449.125, 'totals.scope3_cat3_distribution_losses.value': 23.65 },
    }, // 2500 x 0.17965; 2500 x 0.00946
    {
      name: 'district 12.5 MWh',
      input: line({ supply: 'district', quantity: 12.5, unit: 'MWh' }),
      expect: { 'totals.scope2.value': 2245.625, 'totals.scope3_cat3_distribution_losses.value': 118.25 },
    }, // 12500 x 0.17965; x 0.00946
    {
      name: 'onsite 1 kWh',
      input: line({ supply: 'onsite', quantity: 1, unit: 'kWh' }),
      expect: { 'lines.0.scope2_kg_co2e': 0.17965, 'lines.0.factor': 'desnz/2024/heat-steam/onsite/gb/kwh' },
    },
  ],
  // eGRID2023 rev2 total output rates; T&D = Scope 2 x loss / (1 - loss).
  'us-electricity-egrid': [
    {
      name: 'CAMX 1000 kWh',
      input: line({ subregion: 'CAMX', quantity: 1000, unit: 'kWh' }),
      expect: {
        'totals.scope2_location_based.value': 195.03700802971,
        'totals.scope3_cat3_td_losses.value': 8.33839137561847,
        'lines.0.scope2_gases_kg_co2e.co2': 194.34800121968,
      },
    }, // 429.983 x 0.45359237 = 195.037008 kg/MWh; x 0.041/0.959; CO2 428.464 x 0.45359237
    {
      name: 'US average 1 MWh',
      input: line({ subregion: 'US', quantity: 1, unit: 'MWh' }),
      expect: {
        'totals.scope2_location_based.value': 349.66710055508,
        'totals.scope3_cat3_td_losses.value': 15.3298728844607,
      },
    }, // 770.884 x 0.45359237; x 0.042/0.958
    {
      name: 'ERCT',
      input: line({ subregion: 'ERCT', quantity: 1000, unit: 'kWh' }),
      expect: {
        'totals.scope2_location_based.value': 334.12929392073,
        'totals.scope3_cat3_td_losses.value': 14.6486746812846,
      },
    }, // 736.629 x 0.45359237; x 0.042/0.958
    {
      name: 'NYUP',
      input: line({ subregion: 'NYUP', quantity: 1000, unit: 'kWh' }),
      expect: {
        'totals.scope2_location_based.value': 110.12134121912,
        'totals.scope3_cat3_td_losses.value': 4.8278667340324,
      },
    }, // 242.776 x 0.45359237; x 0.042/0.958
    {
      name: 'HIOA 500 kWh',
      input: line({ subregion: 'HIOA', quantity: 500, unit: 'kWh' }),
      expect: {
        'totals.scope2_location_based.value': 339.955461117195,
        'totals.scope3_cat3_td_losses.value': 15.6464856581136,
      },
    }, // 1498.947 x 0.45359237 / 2; x 0.044/0.956
    {
      name: 'RFCE 2 MWh',
      input: line({ subregion: 'RFCE', quantity: 2, unit: 'MWh' }),
      expect: {
        'totals.scope2_location_based.value': 543.5578806658,
        'totals.scope3_cat3_td_losses.value': 23.8303037452647,
      },
    }, // 599.17 x 0.45359237 x 2; x 0.042/0.958
    {
      name: 'SRMW',
      input: line({ subregion: 'SRMW', quantity: 1000, unit: 'kWh' }),
      expect: {
        'totals.scope2_location_based.value': 566.34726851934,
        'lines.0.scope2_gases_kg_co2e.co2': 562.38151042843,
      },
    }, // 1248.582 x 0.45359237; CO2 1239.839 x 0.45359237
    {
      name: 'NWPP zero',
      input: line({ subregion: 'NWPP', quantity: 0, unit: 'kWh' }),
      expect: { 'totals.total.value': 0, 'lines.0.grid_gross_loss_fraction': 0.041 },
    },
    {
      name: 'MROW + RMPA',
      input: {
        lines: [
          { subregion: 'MROW', quantity: 1000, unit: 'kWh' },
          { subregion: 'RMPA', quantity: 1000, unit: 'kWh' },
        ],
      },
      expect: {
        'totals.scope2_location_based.value': 893.16465343567,
        'totals.scope3_cat3_td_losses.value': 38.6428083525316,
      },
    }, // 420.276918 + 472.887736; 18.425502 (0.042/0.958) + 20.217307 (0.041/0.959)
    {
      name: 'AKGD',
      input: line({ subregion: 'AKGD', quantity: 1000, unit: 'kWh' }),
      expect: {
        'totals.total.value': 428.10274913277,
        'lines.0.factor': 'egrid/2023-rev2/electricity/grid/us-egrid-akgd/kwh',
      },
    }, // 905.109 x 0.45359237 = 410.550536; + x 0.041/0.959 = 17.552213
  ],
  // DESNZ 2024 WTT fuels (kgCO2e per unit).
  'uk-fuel-well-to-tank': [
    {
      name: 'natural gas 1000 kWh (gross)',
      input: line({ fuel: 'natural-gas', quantity: 1000, unit: 'kWh' }),
      expect: { 'totals.scope3_cat3_wtt.value': 30.21 },
    }, // 1000 x 0.03021 (11_100_1004_6_1)
    {
      name: 'natural gas 100 m3',
      input: line({ fuel: 'natural-gas', quantity: 100, unit: 'm3' }),
      expect: { 'totals.scope3_cat3_wtt.value': 33.66 },
    }, // 100 x 0.33660
    {
      name: 'natural gas 1 MWh',
      input: line({ fuel: 'natural-gas', quantity: 1, unit: 'MWh' }),
      expect: { 'totals.scope3_cat3_wtt.value': 30.21, 'lines.0.factor_unit': 'kWh' },
    }, // 1000 kWh x 0.03021
    {
      name: 'diesel 1000 L',
      input: line({ fuel: 'diesel-average-biofuel-blend', quantity: 1000, unit: 'L' }),
      expect: { 'totals.scope3_cat3_wtt.value': 611.01 },
    }, // 1000 x 0.61101
    {
      name: 'diesel 1 m3 -> litres',
      input: line({ fuel: 'diesel-average-biofuel-blend', quantity: 1, unit: 'm3' }),
      expect: { 'totals.scope3_cat3_wtt.value': 611.01, 'lines.0.factor_quantity': 1000 },
    }, // 1 m3 = 1000 L x 0.61101
    {
      name: 'LPG 1 t',
      input: line({ fuel: 'lpg', quantity: 1, unit: 't' }),
      expect: { 'totals.scope3_cat3_wtt.value': 349.29282 },
    }, // 1 x 349.29282
    {
      name: 'LPG 1000 kg',
      input: line({ fuel: 'lpg', quantity: 1000, unit: 'kg' }),
      expect: { 'totals.scope3_cat3_wtt.value': 349.29282 },
    }, // 1 t x 349.29282
    {
      name: 'gas oil 500 L',
      input: line({ fuel: 'gas-oil', quantity: 500, unit: 'L' }),
      expect: { 'totals.scope3_cat3_wtt.value': 313.325 },
    }, // 500 x 0.62665
    {
      name: 'coal 2 t + burning oil 1000 L',
      input: {
        lines: [
          { fuel: 'coal-industrial', quantity: 2, unit: 't' },
          { fuel: 'burning-oil', quantity: 1000, unit: 'L' },
        ],
      },
      expect: { 'totals.scope3_cat3_wtt.value': 1367.07928 },
    }, // 2 x 418.14964 + 1000 x 0.53078 = 836.29928 + 530.78
    {
      name: 'fuel oil 1 US gal',
      input: line({ fuel: 'fuel-oil', quantity: 1, unit: 'gal' }),
      expect: { 'totals.scope3_cat3_wtt.value': 2.63233750047576 },
    }, // 3.785411784 L x 0.69539
  ],
  // EPA Hub 2025 Table 2: diesel 10.21 kgCO2/gal, gasoline 8.78 kgCO2/gal, CNG 0.05444 kgCO2/scf.
  'epa-mobile-combustion-co2': [
    {
      name: 'diesel 100 gal',
      input: line({ fuel: 'diesel-fuel', quantity: 100, unit: 'gal' }),
      expect: { 'totals.scope1_mobile_co2.value': 1021 },
    }, // 100 x 10.21
    {
      name: 'gasoline 100 gal',
      input: line({ fuel: 'motor-gasoline', quantity: 100, unit: 'gal' }),
      expect: { 'totals.scope1_mobile_co2.value': 878 },
    }, // 100 x 8.78
    {
      name: 'CNG 1000 scf',
      input: line({ fuel: 'compressed-natural-gas-cng', quantity: 1000, unit: 'scf' }),
      expect: { 'totals.scope1_mobile_co2.value': 54.44 },
    }, // 1000 x 0.05444
    {
      name: 'diesel 378.5411784 L',
      input: line({ fuel: 'diesel-fuel', quantity: 378.5411784, unit: 'L' }),
      expect: { 'totals.scope1_mobile_co2.value': 1021, 'lines.0.factor_quantity': 100 },
    }, // = 100 gal
    {
      name: 'gasoline 1 L',
      input: line({ fuel: 'motor-gasoline', quantity: 1, unit: 'L' }),
      expect: { 'totals.scope1_mobile_co2.value': 2.31943061970454 },
    }, // 8.78 / 3.785411784
    {
      name: 'CNG 1 m3',
      input: line({ fuel: 'compressed-natural-gas-cng', quantity: 1, unit: 'm3' }),
      expect: { 'totals.scope1_mobile_co2.value': 1.92253045631784 },
    }, // 0.05444 / 0.028316846592
    {
      name: 'zero',
      input: line({ fuel: 'diesel-fuel', quantity: 0, unit: 'gal' }),
      expect: { 'totals.scope1_mobile_co2.value': 0 },
    },
    {
      name: 'diesel + gasoline',
      input: {
        lines: [
          { fuel: 'diesel-fuel', quantity: 10, unit: 'gal' },
          { fuel: 'motor-gasoline', quantity: 10, unit: 'gal' },
        ],
      },
      expect: { 'totals.scope1_mobile_co2.value': 189.9 },
    }, // 102.1 + 87.8
    {
      name: 'gasoline 1000 gal',
      input: line({ fuel: 'motor-gasoline', quantity: 1000, unit: 'gal' }),
      expect: { 'totals.scope1_mobile_co2.value': 8780 },
    }, // 1000 x 8.78
    {
      name: 'diesel 1 gal',
      input: line({ fuel: 'diesel-fuel', quantity: 1, unit: 'gal', vehicle: 'truck 7' }),
      expect: { 'lines.0.co2_kg': 10.21, 'lines.0.vehicle': 'truck 7' },
    },
  ],
  // EPA Hub 2025 Table 1 (kg CO2, g CH4, g N2O per MMBtu) with AR5 GWPs CH4 28, N2O 265.
  'epa-stationary-combustion': [
    {
      name: 'natural gas 100 MMBtu',
      input: line({ fuel: 'natural-gas', quantity: 100, unit: 'MMBtu' }),
      expect: {
        'totals.co2.value': 5306,
        'totals.ch4.value': 0.1,
        'totals.n2o.value': 0.01,
        'totals.scope1.value': 5311.45,
      },
    }, // 100 x 53.06; 100 x 1 g; 100 x 0.1 g; 5306 + 0.1x28 + 0.01x265
    {
      name: 'natural gas 1000 therm',
      input: line({ fuel: 'natural-gas', quantity: 1000, unit: 'therm' }),
      expect: { 'totals.heat_input.value': 100, 'totals.scope1.value': 5311.45 },
    }, // 1 therm = 0.1 MMBtu
    {
      name: 'distillate 10 MMBtu',
      input: line({ fuel: 'distillate-fuel-oil-no-2', quantity: 10, unit: 'MMBtu' }),
      expect: { 'totals.scope1.value': 742.03 },
    }, // 739.6 + 0.03x28 + 0.006x265 = 739.6 + 0.84 + 1.59
    {
      name: 'bituminous 100 MMBtu',
      input: line({ fuel: 'bituminous-coal', quantity: 100, unit: 'MMBtu' }),
      expect: { 'totals.scope1.value': 9401.2 },
    }, // 9328 + 1.1x28 + 0.16x265 = 9328 + 30.8 + 42.4
    {
      name: 'propane 10 MMBtu',
      input: line({ fuel: 'propane-gas', quantity: 10, unit: 'MMBtu' }),
      expect: { 'totals.scope1.value': 617.03 },
    }, // 614.6 + 0.84 + 1.59
    {
      name: 'wood 10 MMBtu (biogenic CO2 apart)',
      input: line({ fuel: 'wood-and-wood-residuals', quantity: 10, unit: 'MMBtu' }),
      expect: {
        'totals.co2.value': 0,
        'totals.scope1.value': 11.556,
        'totals.biogenic_co2_outside_scopes.value': 938,
      },
    }, // 0.072x28 + 0.036x265 = 2.016 + 9.54; 10 x 93.8
    {
      name: 'natural gas 1000 kBtu',
      input: line({ fuel: 'natural-gas', quantity: 1000, unit: 'kBtu' }),
      expect: { 'totals.scope1.value': 53.1145 },
    }, // 1 MMBtu: 53.06 + 0.001x28 + 0.0001x265
    {
      name: 'natural gas 1 GJ',
      input: line({ fuel: 'natural-gas', quantity: 1, unit: 'GJ' }),
      expect: { 'totals.scope1.value': 50.3428324368817 },
    }, // 0.947817120313 MMBtu x 53.1145
    {
      name: 'zero',
      input: line({ fuel: 'natural-gas', quantity: 0, unit: 'MMBtu' }),
      expect: { 'totals.scope1.value': 0 },
    },
    {
      name: 'gas + wood',
      input: {
        lines: [
          { fuel: 'natural-gas', quantity: 100, unit: 'MMBtu' },
          { fuel: 'wood-and-wood-residuals', quantity: 10, unit: 'MMBtu' },
        ],
      },
      expect: { 'totals.scope1.value': 5323.006, 'totals.ch4.value': 0.172 },
    }, // 5311.45 + 11.556; 0.1 + 0.072
  ],
  // IPCC AR5 Table 8.A.1 GWP100; blends by mass fraction.
  'refrigerant-leakage': [
    {
      name: 'R-410A 10 kg',
      input: { equipment: [{ refrigerant: 'r-410a', released_kg: 10 }] },
      expect: { 'totals.scope1_fugitive.value': 19235 },
    }, // (0.5x677 + 0.5x3170) = 1923.5 x 10
    {
      name: 'HFC-134a screening',
      input: { equipment: [{ refrigerant: 'hfc-134a', charge_kg: 100, annual_leak_rate: 0.1 }] },
      expect: {
        'totals.released.value': 10,
        'totals.scope1_fugitive.value': 13000,
        'lines.0.method': 'screening',
      },
    }, // 100 x 0.1 x 1300
    {
      name: 'R-404A 1 kg',
      input: { equipment: [{ refrigerant: 'r-404a', released_kg: 1 }] },
      expect: { 'lines.0.gwp100': 3942.8 },
    }, // 0.44x3170 + 0.52x4800 + 0.04x1300 = 1394.8 + 2496 + 52
    {
      name: 'R-407C 2 kg',
      input: { equipment: [{ refrigerant: 'r-407c', released_kg: 2 }] },
      expect: { 'totals.scope1_fugitive.value': 3248.42 },
    }, // (0.23x677 + 0.25x3170 + 0.52x1300 = 155.71 + 792.5 + 676 = 1624.21) x 2
    {
      name: 'R-507A 0.5 kg',
      input: { equipment: [{ refrigerant: 'r-507a', released_kg: 0.5 }] },
      expect: { 'totals.scope1_fugitive.value': 1992.5 },
    }, // (0.5x3170 + 0.5x4800 = 3985) x 0.5
    {
      name: 'SF6 1 kg',
      input: { equipment: [{ refrigerant: 'sf6', released_kg: 1 }] },
      expect: { 'totals.scope1_fugitive_t.value': 23.5 },
    }, // 23500 kg / 1000
    {
      name: 'HFC-32 10 kg',
      input: { equipment: [{ refrigerant: 'hfc-32', released_kg: 10 }] },
      expect: { 'totals.scope1_fugitive.value': 6770 },
    }, // 10 x 677
    {
      name: 'R-407A 3 kg',
      input: { equipment: [{ refrigerant: 'r-407a', released_kg: 3 }] },
      expect: { 'totals.scope1_fugitive.value': 5770.2 },
    }, // (0.2x677 + 0.4x3170 + 0.4x1300 = 1923.4) x 3
    {
      name: 'HFC-23 0.1 kg',
      input: { equipment: [{ refrigerant: 'hfc-23', released_kg: 0.1 }] },
      expect: { 'totals.scope1_fugitive.value': 1240 },
    }, // 0.1 x 12400
    {
      name: 'two units',
      input: {
        equipment: [
          { refrigerant: 'hfc-152a', released_kg: 100, name: 'chiller' },
          { refrigerant: 'r-410a', charge_kg: 5, annual_leak_rate: 0.2 },
        ],
      },
      expect: { 'totals.scope1_fugitive.value': 15723.5, 'lines.0.name': 'chiller' },
    }, // 100x138 + 5x0.2x1923.5 = 13800 + 1923.5
  ],
  // EPA Hub 2025 Table 7: 66.33 kg CO2 + 1.25 g CH4 x 28 + 0.125 g N2O x 265 = 66.398125 kgCO2e/MMBtu.
  'epa-purchased-steam-heat': [
    {
      name: '100 MMBtu',
      input: line({ quantity: 100, unit: 'MMBtu' }),
      expect: { 'totals.scope2.value': 6639.8125, 'lines.0.co2_kg': 6633 },
    }, // 100 x 66.398125; 100 x 66.33
    {
      name: '1000 therm',
      input: line({ quantity: 1000, unit: 'therm' }),
      expect: { 'totals.scope2.value': 6639.8125 },
    }, // = 100 MMBtu
    {
      name: '1 MMBtu',
      input: line({ quantity: 1, unit: 'MMBtu' }),
      expect: {
        'totals.scope2.value': 66.398125,
        'lines.0.ch4_kg_co2e': 0.035,
        'lines.0.n2o_kg_co2e': 0.033125,
      },
    }, // 1.25/1000 x 28; 0.125/1000 x 265
    {
      name: '10 GJ',
      input: line({ quantity: 10, unit: 'GJ' }),
      expect: { 'totals.scope2.value': 629.332796317037 },
    }, // 9.47817120313 MMBtu x 66.398125
    {
      name: '1000 kWh',
      input: line({ quantity: 1000, unit: 'kWh' }),
      expect: { 'totals.scope2.value': 226.559806674133 },
    }, // 3.41214163313 MMBtu x 66.398125
    {
      name: '1 MWh',
      input: line({ quantity: 1, unit: 'MWh' }),
      expect: { 'totals.scope2.value': 226.559806674133 },
    }, // = 1000 kWh
    { name: 'zero', input: line({ quantity: 0, unit: 'MMBtu' }), expect: { 'totals.scope2.value': 0 } },
    {
      name: '1000 kBtu',
      input: line({ quantity: 1000, unit: 'kBtu' }),
      expect: { 'totals.scope2.value': 66.398125 },
    }, // = 1 MMBtu
    {
      name: 'two sites',
      input: {
        lines: [
          { quantity: 30, unit: 'MMBtu', site: 'a' },
          { quantity: 20, unit: 'MMBtu', site: 'b' },
        ],
      },
      expect: { 'totals.steam_and_heat.value': 50, 'totals.scope2.value': 3319.90625 },
    }, // 50 x 66.398125
    {
      name: 'factor cited',
      input: line({ quantity: 2, unit: 'MMBtu' }),
      expect: {
        'totals.scope2.value': 132.79625,
        'factors.steam_and_heat': 'epa-hub/2025/heat-steam/district/us/mmbtu-gross',
      },
    }, // 2 x 66.398125
  ],
};

/** Numbers match to 8 decimals (float noise only); strings exactly. */
const closeTo = (v: number | string): unknown => (typeof v === 'number' ? expect.closeTo(v, 8) : v);

function at(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

const agents = new Map(declarativeAgents().map((a) => [a.id, a]));

describe('shipped declarative agents', () => {
  it('ships at least 8 agents, each with golden cases here', () => {
    expect(agents.size).toBeGreaterThanOrEqual(8);
    expect([...agents.keys()].sort()).toEqual(Object.keys(CASES).sort());
  });

  describe.each(Object.entries(CASES))('%s', (id, cases) => {
    it('has at least 10 golden cases', () => {
      expect(cases.length).toBeGreaterThanOrEqual(10);
    });

    it.each(cases)('$name', async ({ input, expect: expected }) => {
      const agent = agents.get(id)!;
      const result = await runAgent(agent, input, ctx);
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      expect(result.output).toHaveProperty('schema_version', '1.0');
      const got = Object.fromEntries(Object.keys(expected).map((p) => [p, at(result.output, p)]));
      const want = Object.fromEntries(Object.entries(expected).map(([p, v]) => [p, closeTo(v)]));
      expect(got).toEqual(want);
      expect(result.output.provenance.factors.length).toBeGreaterThan(0);
    });
  });
});
