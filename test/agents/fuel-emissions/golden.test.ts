/**
 * Golden cases for fuel-emissions. Every expected value is worked out by hand from the
 * published tables (reference copies: DESNZ 2024 flat file, DESNZ 2023 selected rows in
 * lib/factors/data/desnz_2023_fuel_conversion_factors.json, EPA GHG Emission Factors Hub
 * 2025), never copied from the agent's output. Conversion constants:
 *   1 Btu (IT) = 1055.05585262 J; 1 kWh = 3 600 000 J
 *   1 therm = 100 000 Btu = 29.3071070172 kWh;   1 MMBtu = 293.071070172 kWh
 *   1 US gallon = 3.785411784 L;  1 short ton = 0.90718474 t;  1 lb = 0.45359237 kg
 * EPA CO2e = kg CO2 + g CH4 / 1000 x 28 + g N2O / 1000 x 265 (Hub Table 11, AR5).
 */
import { describe, expect, it } from 'vitest';
import { expectRel, oneLine, runOk, YEAR_2023, YEAR_2024 } from './fixtures.js';

function first<T>(xs: readonly T[]): T {
  const x = xs[0];
  if (x === undefined) throw new Error('no line');
  return x;
}

describe('fuel-emissions golden: DESNZ 2024 fuels and units', () => {
  it('natural gas 1000 kWh defaults to the gross-CV factor', async () => {
    const out = await runOk(oneLine({ fuel: 'Natural gas', quantity: 1000, unit: 'kWh' }));
    const line = first(out.lines);
    // DESNZ 2024 Natural gas kWh (Gross CV) 0.18290 x 1000 kWh = 182.9 kg
    expectRel(line.co2e_kg, 182.9);
    expect(line.factor).toMatchObject({
      value: 0.1829,
      basis: 'gross',
      dataset_version: '2024',
      source: 'DESNZ',
    });
    expect(line.factor.id).toBe('desnz/2024/fuel/natural-gas/gb/kwh-gross');
    // 182.9 kg / 1000 = 0.1829 t
    expectRel(out.totals.co2e_t, 0.1829);
    expect(out.factor_source).toBe('DESNZ');
    expect(line.region).toBe('GB');
  });

  it('natural gas 1000 kWh with basis net uses the net-CV factor', async () => {
    const out = await runOk(
      oneLine({ fuel: 'natural-gas', quantity: 1000, unit: 'kWh (Net CV)' }, { basis: 'net' }),
    );
    // DESNZ 2024 Natural gas kWh (Net CV) 0.20264 x 1000 kWh = 202.64 kg
    expectRel(first(out.lines).co2e_kg, 202.64);
    expect(first(out.lines).factor.basis).toBe('net');
  });

  it('natural gas 10 000 cubic metres', async () => {
    const out = await runOk(oneLine({ fuel: 'Natural gas', quantity: 10_000, unit: 'cubic metres' }));
    // DESNZ 2024 Natural gas cubic metres 2.04542 x 10 000 m3 = 20 454.2 kg (not the old 2.02)
    expectRel(first(out.lines).co2e_kg, 20_454.2);
    expect(first(out.lines).unit).toBe('m3');
  });

  it('LPG 2.5 tonnes with the published gas split', async () => {
    const out = await runOk(oneLine({ fuel: 'LPG', quantity: 2.5, unit: 'tonnes' }));
    const line = first(out.lines);
    // DESNZ 2024 LPG tonnes 2939.36095 x 2.5 t = 7348.402375 kg
    expectRel(line.co2e_kg, 7348.402375);
    // split (per tonne): CO2 2935.18 x 2.5 = 7337.95; CH4 2.55 x 2.5 = 6.375; N2O 1.63 x 2.5 = 4.075
    expectRel(line.gases?.co2_kg, 7337.95);
    expectRel(line.gases?.ch4_kg_co2e, 6.375);
    expectRel(line.gases?.n2o_kg_co2e, 4.075);
  });

  it('diesel 100 US gallons of 100% mineral diesel converts to litres', async () => {
    const out = await runOk(
      oneLine({ fuel: 'Diesel (100% mineral diesel)', quantity: 100, unit: 'US gallons' }),
    );
    const line = first(out.lines);
    // 100 gal x 3.785411784 L/gal = 378.5411784 L
    expect(line.factor_quantity.unit).toBe('L');
    expectRel(line.factor_quantity.value, 378.5411784);
    // DESNZ 2024 Diesel (100% mineral diesel) litres 2.66155 x 378.5411784 L = 1007.50627337 kg
    expectRel(line.co2e_kg, 1007.50627337);
    // split per litre: CO2 2.62818 x 378.5411784 = 994.874354247; CH4 0.00029 x 378.5411784 = 0.109776941736;
    // N2O 0.03308 x 378.5411784 = 12.5221421815
    expectRel(line.gases?.co2_kg, 994.874354247);
    expectRel(line.gases?.ch4_kg_co2e, 0.109776941736);
    expectRel(line.gases?.n2o_kg_co2e, 12.5221421815);
  });

  it('natural gas 500 therms converts to kWh (gross)', async () => {
    const out = await runOk(oneLine({ fuel: 'Natural gas', quantity: 500, unit: 'therms' }));
    const line = first(out.lines);
    // 1 therm = 100 000 Btu x 1055.05585262 J / 3 600 000 J/kWh = 29.3071070172 kWh; x 500 = 14 653.5535086 kWh
    expectRel(line.factor_quantity.value, 14_653.5535086);
    // 0.18290 kg/kWh (Gross CV) x 14 653.5535086 kWh = 2680.13493672 kg
    expectRel(line.co2e_kg, 2680.13493672);
  });

  it('natural gas 2 MMBtu on the net basis', async () => {
    const out = await runOk(oneLine({ fuel: 'Natural gas', quantity: 2, unit: 'MMBtu' }, { basis: 'net' }));
    // 1 MMBtu = 293.071070172 kWh; 2 MMBtu = 586.142140344 kWh x 0.20264 (Net CV) = 118.775843319 kg
    expectRel(first(out.lines).co2e_kg, 118.775843319);
  });

  it('industrial coal in short tons and in pounds converts to tonnes', async () => {
    const out = await runOk({
      lines: [
        { fuel: 'Coal (industrial)', quantity: 3, unit: 'short tons', period: YEAR_2024 },
        { fuel: 'Coal (industrial)', quantity: 4000, unit: 'lb', period: YEAR_2024 },
      ],
    });
    const [tons, pounds] = out.lines;
    // 3 short tons x 0.90718474 t = 2.72155422 t x 2399.43994 kg/t = 6530.20589434 kg
    expectRel(tons?.factor_quantity.value, 2.72155422);
    expectRel(tons?.co2e_kg, 6530.20589434);
    // 4000 lb x 0.45359237 kg/lb = 1814.36948 kg = 1.81436948 t x 2399.43994 = 4353.47059623 kg
    expectRel(pounds?.factor_quantity.value, 1.81436948);
    expectRel(pounds?.co2e_kg, 4353.47059623);
    // split published per tonne only (CO2 2374.87, CH4 7.64, N2O 16.93):
    // CO2 2374.87 x (2.72155422 + 1.81436948) = 2374.87 x 4.5359237 = 10 772.229117419
    expectRel(out.totals.gases?.co2_kg, 10_772.229117419);
  });
});

describe('fuel-emissions golden: aliases', () => {
  it('diesel means the average biofuel blend (forecourt diesel)', async () => {
    const out = await runOk(oneLine({ fuel: 'diesel', quantity: 500, unit: 'litres' }));
    const line = first(out.lines);
    // DESNZ 2024 Diesel (average biofuel blend) litres 2.51279 x 500 L = 1256.395 kg
    expectRel(line.co2e_kg, 1256.395);
    expect(line.activity).toBe('fuel/diesel-average-biofuel-blend');
    expect(line.fuel).toBe('diesel');
  });

  it('petrol in a vehicle is mobile combustion on the average biofuel blend', async () => {
    const out = await runOk(oneLine({ fuel: 'petrol', quantity: 40, unit: 'L', use: 'mobile' }));
    // DESNZ 2024 Petrol (average biofuel blend) litres 2.0844 x 40 L = 83.376 kg
    expectRel(first(out.lines).co2e_kg, 83.376);
    expect(first(out.lines).activity).toBe('fuel/petrol-average-biofuel-blend');
    expectRel(out.totals.by_use.mobile, 83.376);
    expect(out.totals.by_use.stationary).toBe(0);
  });

  it('kerosene is burning oil, with the published gas split', async () => {
    const out = await runOk(oneLine({ fuel: 'kerosene', quantity: 2000, unit: 'litres' }));
    const line = first(out.lines);
    // DESNZ 2024 Burning oil litres 2.54015 x 2000 L = 5080.3 kg
    expectRel(line.co2e_kg, 5080.3);
    expect(line.activity).toBe('fuel/burning-oil');
    // CO2 2.52782 x 2000 = 5055.64; CH4 0.00674 x 2000 = 13.48; N2O 0.00559 x 2000 = 11.18
    expectRel(line.gases?.co2_kg, 5055.64);
    expectRel(line.gases?.ch4_kg_co2e, 13.48);
    expectRel(line.gases?.n2o_kg_co2e, 11.18);
  });

  it('jet fuel is aviation turbine fuel', async () => {
    const out = await runOk(oneLine({ fuel: 'jet fuel', quantity: 1000, unit: 'L', use: 'mobile' }));
    // DESNZ 2024 Aviation turbine fuel litres 2.54269 x 1000 L = 2542.69 kg
    expectRel(first(out.lines).co2e_kg, 2542.69);
    expect(first(out.lines).activity).toBe('fuel/aviation-turbine-fuel');
  });

  it('DEFRA is accepted as the former name of DESNZ', async () => {
    const out = await runOk(
      oneLine({ fuel: 'Propane', quantity: 100, unit: 'L' }, { factor_source: 'DEFRA' }),
    );
    // DESNZ 2024 Propane litres 1.54357 x 100 L = 154.357 kg
    expectRel(first(out.lines).co2e_kg, 154.357);
    expect(out.factor_source).toBe('DESNZ');
  });
});

describe('fuel-emissions golden: factor year by period end', () => {
  it('a 2023 period uses the 2023 set', async () => {
    const out = await runOk({
      lines: [
        { fuel: 'Natural gas', quantity: 1000, unit: 'kWh', period: YEAR_2023 },
        { fuel: 'Natural gas', quantity: 100, unit: 'm3', period: YEAR_2023 },
        { fuel: 'diesel', quantity: 100, unit: 'L', period: { start: '2023-07-01', end: '2023-12-31' } },
        { fuel: 'Propane', quantity: 100, unit: 'L', period: YEAR_2023 },
      ],
    });
    const [gasKwh, gasM3, diesel, propane] = out.lines;
    // DESNZ 2023 Natural gas kWh (Gross CV) 0.18293 x 1000 = 182.93 kg
    expectRel(gasKwh?.co2e_kg, 182.93);
    // DESNZ 2023 Natural gas cubic metres 2.03839 x 100 = 203.839 kg
    expectRel(gasM3?.co2e_kg, 203.839);
    // DESNZ 2023 Diesel (average biofuel blend) litres 2.51206 x 100 = 251.206 kg
    expectRel(diesel?.co2e_kg, 251.206);
    // DESNZ 2023 Propane litres 1.54358 x 100 = 154.358 kg (2024: 1.54357)
    expectRel(propane?.co2e_kg, 154.358);
    for (const l of out.lines) expect(l.factor.dataset_version).toBe('2023');
    // 182.93 + 203.839 + 251.206 + 154.358 = 792.333 kg
    expectRel(out.totals.co2e_kg, 792.333);
  });

  it('a period spanning new year takes the set of its end date', async () => {
    const out = await runOk(
      oneLine({
        fuel: 'diesel',
        quantity: 100,
        unit: 'L',
        period: { start: '2023-12-01', end: '2024-01-31' },
      }),
    );
    // ends in 2024 -> DESNZ 2024 Diesel (average biofuel blend) litres 2.51279 x 100 = 251.279 kg
    expectRel(first(out.lines).co2e_kg, 251.279);
    expect(first(out.lines).factor.dataset_version).toBe('2024');
  });

  it('2023-12-31 vs 2024-01-01 period ends switch the UK gas factor', async () => {
    const out = await runOk({
      lines: [
        {
          fuel: 'Natural gas',
          quantity: 1000,
          unit: 'kWh',
          period: { start: '2023-12-31', end: '2023-12-31' },
        },
        {
          fuel: 'Natural gas',
          quantity: 1000,
          unit: 'kWh',
          period: { start: '2024-01-01', end: '2024-01-01' },
        },
      ],
    });
    // 0.18293 x 1000 = 182.93 (2023) and 0.18290 x 1000 = 182.9 (2024)
    expectRel(out.lines[0]?.co2e_kg, 182.93);
    expectRel(out.lines[1]?.co2e_kg, 182.9);
    // two factors cited, in order of first use
    expect(out.factors_used).toEqual([
      'desnz/2023/fuel/natural-gas/gb/kwh-gross',
      'desnz/2024/fuel/natural-gas/gb/kwh-gross',
    ]);
  });

  it('a 2025 period falls back to the latest bundled set (2024)', async () => {
    const out = await runOk(
      oneLine({
        fuel: 'Natural gas',
        quantity: 1000,
        unit: 'kWh',
        period: { start: '2025-01-01', end: '2025-03-31' },
      }),
    );
    // 0.18290 x 1000 = 182.9 kg
    expectRel(first(out.lines).co2e_kg, 182.9);
    expect(first(out.lines).factor.dataset_version).toBe('2024');
  });
});

describe('fuel-emissions golden: EPA GHG Emission Factors Hub 2025', () => {
  const epa = { factor_source: 'EPA' } as const;

  it('natural gas 100 MMBtu, stationary, with the Hub gas split in CO2e', async () => {
    const out = await runOk(oneLine({ fuel: 'Natural Gas', quantity: 100, unit: 'MMBtu' }, epa));
    const line = first(out.lines);
    // Table 1 Natural Gas per MMBtu: 53.06 kg CO2 + 1 g CH4 x 28/1000 + 0.1 g N2O x 265/1000
    //   = 53.06 + 0.028 + 0.0265 = 53.1145 kg CO2e/MMBtu; x 100 = 5311.45 kg
    expectRel(line.co2e_kg, 5311.45);
    // CO2 53.06 x 100 = 5306; CH4 0.028 x 100 = 2.8; N2O 0.0265 x 100 = 2.65
    expectRel(line.gases?.co2_kg, 5306);
    expectRel(line.gases?.ch4_kg_co2e, 2.8);
    expectRel(line.gases?.n2o_kg_co2e, 2.65);
    expect(line.region).toBe('US');
    expect(line.factor).toMatchObject({ source: 'EPA-HUB', dataset_version: '2025', basis: 'gross' });
  });

  it('natural gas per scf and per therm', async () => {
    const out = await runOk({
      ...epa,
      lines: [
        { fuel: 'natural gas', quantity: 1000, unit: 'scf', period: YEAR_2024 },
        { fuel: 'natural gas', quantity: 1000, unit: 'therm', period: YEAR_2024 },
      ],
    });
    const [scf, therm] = out.lines;
    // per scf: 0.05444 + 0.00103 x 28/1000 + 0.0001 x 265/1000 = 0.05449534 kg; x 1000 scf = 54.49534 kg
    expectRel(scf?.co2e_kg, 54.49534);
    // 1000 therm x 0.1 MMBtu/therm = 100 MMBtu x 53.1145 = 5311.45 kg
    expectRel(therm?.factor_quantity.value, 100);
    expectRel(therm?.co2e_kg, 5311.45);
    // 54.49534 + 5311.45 = 5365.94534 kg
    expectRel(out.totals.co2e_kg, 5365.94534);
  });

  it('natural gas 1000 kWh converts to MMBtu (HHV)', async () => {
    const out = await runOk(oneLine({ fuel: 'natural gas', quantity: 1000, unit: 'kWh' }, epa));
    // 1000 kWh x 3 600 000 J / (1 000 000 x 1055.05585262 J) = 3.41214163313 MMBtu
    expectRel(first(out.lines).factor_quantity.value, 3.41214163313);
    // 3.41214163313 x 53.1145 = 181.234196773 kg
    expectRel(first(out.lines).co2e_kg, 181.234196773);
  });

  it('diesel (stationary) is distillate fuel oil No. 2 per gallon', async () => {
    const out = await runOk(oneLine({ fuel: 'diesel', quantity: 100, unit: 'gal' }, epa));
    // Table 1 Distillate Fuel Oil No. 2 per gallon: 10.21 + 0.41 x 28/1000 + 0.08 x 265/1000
    //   = 10.21 + 0.01148 + 0.0212 = 10.24268 kg/gal; x 100 = 1024.268 kg
    expectRel(first(out.lines).co2e_kg, 1024.268);
    expect(first(out.lines).activity).toBe('fuel/distillate-fuel-oil-no-2');
  });

  it('coal is bituminous per short ton; metric tonnes convert', async () => {
    const out = await runOk({
      ...epa,
      lines: [
        { fuel: 'coal', quantity: 10, unit: 'short tons', period: YEAR_2024 },
        { fuel: 'coal', quantity: 10, unit: 't', period: YEAR_2024 },
      ],
    });
    // Table 1 Bituminous per short ton: 2325 + 274 x 28/1000 + 40 x 265/1000 = 2325 + 7.672 + 10.6 = 2343.272
    // 10 short tons x 2343.272 = 23 432.72 kg
    expectRel(out.lines[0]?.co2e_kg, 23_432.72);
    // 10 t / 0.90718474 t per short ton = 11.0231131092 short tons x 2343.272 = 25 830.1523017 kg
    expectRel(out.lines[1]?.co2e_kg, 25_830.1523017);
  });

  it('propane per scf and wood (biogenic CO2 outside scopes)', async () => {
    const out = await runOk({
      ...epa,
      lines: [
        { fuel: 'propane', quantity: 1000, unit: 'scf', period: YEAR_2024 },
        { fuel: 'wood', quantity: 10, unit: 'MMBtu', period: YEAR_2024 },
      ],
    });
    // Propane Gas per scf: 0.15463 + 0.007548 x 28/1000 + 0.00151 x 265/1000 = 0.155241494; x 1000 = 155.241494 kg
    expectRel(out.lines[0]?.co2e_kg, 155.241494);
    // Wood per MMBtu: CO2 biogenic (0 in scope) + 7.2 x 28/1000 + 3.6 x 265/1000 = 0.2016 + 0.954 = 1.1556; x 10 = 11.556
    expectRel(out.lines[1]?.co2e_kg, 11.556);
    expect(out.lines[1]?.gases?.co2_kg).toBe(0);
    // CH4 0.2016 x 10 = 2.016; N2O 0.954 x 10 = 9.54
    expectRel(out.lines[1]?.gases?.ch4_kg_co2e, 2.016);
    expectRel(out.lines[1]?.gases?.n2o_kg_co2e, 9.54);
  });

  it('mobile diesel and gasoline per US gallon (Table 2, CO2 only)', async () => {
    const out = await runOk({
      ...epa,
      lines: [
        { fuel: 'diesel', use: 'mobile', quantity: 100, unit: 'US gallons', period: YEAR_2024 },
        { fuel: 'gasoline', use: 'mobile', quantity: 50, unit: 'gallons', period: YEAR_2024 },
        { fuel: 'petrol', use: 'mobile', quantity: 100, unit: 'litres', period: YEAR_2024 },
      ],
    });
    const [diesel, gasoline, litres] = out.lines;
    // Diesel Fuel 10.21 kg CO2/gal x 100 gal = 1021 kg
    expectRel(diesel?.co2e_kg, 1021);
    expect(diesel?.activity).toBe('mobile-fuel/diesel-fuel');
    expect(diesel?.factor.value_unit).toBe('kgCO2');
    // Motor Gasoline 8.78 x 50 = 439 kg
    expectRel(gasoline?.co2e_kg, 439);
    // 100 L / 3.785411784 L/gal = 26.4172052358 gal x 8.78 = 231.94306197 kg
    expectRel(litres?.factor_quantity.value, 26.4172052358);
    expectRel(litres?.co2e_kg, 231.94306197);
    // 1021 + 439 + 231.94306197 = 1691.94306197, all mobile
    expectRel(out.totals.by_use.mobile, 1691.94306197);
    expect(out.totals.by_use.stationary).toBe(0);
    // by fuel: gasoline 439 + 231.94306197 = 670.94306197
    expectRel(out.totals.by_fuel['mobile-fuel/motor-gasoline'], 670.94306197);
  });

  it('mobile CNG per scf', async () => {
    const out = await runOk(oneLine({ fuel: 'CNG', use: 'mobile', quantity: 1000, unit: 'scf' }, epa));
    // Compressed Natural Gas (CNG) 0.05444 kg CO2/scf x 1000 = 54.44 kg
    expectRel(first(out.lines).co2e_kg, 54.44);
  });
});

describe('fuel-emissions golden: multi-line totals', () => {
  it('totals, by_fuel, by_use and de-duplicated factors', async () => {
    const out = await runOk({
      lines: [
        { id: 'gas-meter-1', fuel: 'Natural gas', quantity: 1000, unit: 'kWh', period: YEAR_2024 },
        { id: 'van-fleet', fuel: 'diesel', use: 'mobile', quantity: 100, unit: 'L', period: YEAR_2024 },
        { id: 'generator', fuel: 'diesel', quantity: 200, unit: 'L', period: YEAR_2024 },
      ],
    });
    // 0.1829 x 1000 = 182.9; 2.51279 x 100 = 251.279; 2.51279 x 200 = 502.558
    expectRel(out.lines[0]?.co2e_kg, 182.9);
    expectRel(out.lines[1]?.co2e_kg, 251.279);
    expectRel(out.lines[2]?.co2e_kg, 502.558);
    // total 182.9 + 251.279 + 502.558 = 936.737 kg = 0.936737 t
    expectRel(out.totals.co2e_kg, 936.737);
    expectRel(out.totals.co2e_t, 0.936737);
    // by fuel: gas 182.9; diesel 251.279 + 502.558 = 753.837
    expect(Object.keys(out.totals.by_fuel).sort()).toEqual([
      'fuel/diesel-average-biofuel-blend',
      'fuel/natural-gas',
    ]);
    expectRel(out.totals.by_fuel['fuel/natural-gas'], 182.9);
    expectRel(out.totals.by_fuel['fuel/diesel-average-biofuel-blend'], 753.837);
    // by use: stationary 182.9 + 502.558 = 685.458; mobile 251.279
    expectRel(out.totals.by_use.stationary, 685.458);
    expectRel(out.totals.by_use.mobile, 251.279);
    // no split published for gas kWh or average diesel: no (partial) total split
    expect(out.totals.gases).toBeUndefined();
    expect(out.factors_used).toEqual([
      'desnz/2024/fuel/natural-gas/gb/kwh-gross',
      'desnz/2024/fuel/diesel-average-biofuel-blend/gb/l',
    ]);
    expect(out.provenance.factors.map((f) => f.id)).toEqual(out.factors_used);
    expect(out.lines.map((l) => [l.index, l.id])).toEqual([
      [0, 'gas-meter-1'],
      [1, 'van-fleet'],
      [2, 'generator'],
    ]);
  });

  it('gas split totals when every line has a published split', async () => {
    const out = await runOk({
      lines: [
        { fuel: 'kerosene', quantity: 1000, unit: 'L', period: YEAR_2024 },
        { fuel: 'LPG', quantity: 100, unit: 'L', period: YEAR_2024 },
        { fuel: 'Marine fuel oil', quantity: 10, unit: 'L', use: 'mobile', period: YEAR_2024 },
      ],
    });
    // totals: 2.54015 x 1000 + 1.55713 x 100 + 3.10202 x 10 = 2540.15 + 155.713 + 31.0202 = 2726.8832
    expectRel(out.totals.co2e_kg, 2726.8832);
    // CO2: 2.52782 x 1000 + 1.55491 x 100 + 3.06194 x 10 = 2527.82 + 155.491 + 30.6194 = 2713.9304
    expectRel(out.totals.gases?.co2_kg, 2713.9304);
    // CH4: 0.00674 x 1000 + 0.00136 x 100 + 0.0014 x 10 = 6.74 + 0.136 + 0.014 = 6.89
    expectRel(out.totals.gases?.ch4_kg_co2e, 6.89);
    // N2O: 0.00559 x 1000 + 0.00086 x 100 + 0.03868 x 10 = 5.59 + 0.086 + 0.3868 = 6.0628
    expectRel(out.totals.gases?.n2o_kg_co2e, 6.0628);
    // the split reconciles to the total: 2713.9304 + 6.89 + 6.0628 = 2726.8832
  });

  it('a zero quantity is a valid line with zero emissions', async () => {
    const out = await runOk(oneLine({ fuel: 'Natural gas', quantity: 0, unit: 'kWh' }));
    expect(first(out.lines).co2e_kg).toBe(0);
    expect(out.totals.co2e_kg).toBe(0);
  });
});
