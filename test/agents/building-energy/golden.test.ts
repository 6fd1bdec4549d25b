/**
 * Golden cases for building-energy, worked out by hand from the published tables:
 * ENERGY STAR Portfolio Manager national medians (CBECS 2018) and source-site ratios
 * (Technical Reference, August 2023: grid electricity 2.80, natural gas 1.05, district
 * heating 1.20, district cooling 1.00, on-site solar/wind 1.00), EPA eGRID2023 rev2 total
 * output rates, DESNZ 2024 (and 2023) UK factors, and the EPA Hub 2025.
 * Constants:
 *   1 Btu (IT) = 1055.05585262 J, so 1 kWh = 3 600 000 / 1 055 055.85262 = 3.41214163313 kBtu
 *   1 therm = 100 kBtu; 1 MMBtu = 1000 kBtu; 1 GJ = 10^9 / 1 055 055.85262 = 947.817120313 kBtu
 *   1 ft2 = 0.09290304 m2;  eGRID kg/kWh = lb/MWh x 0.45359237 / 1000
 */
import { describe, expect, it } from 'vitest';
import { building, expectRel, runOk } from './fixtures.js';

describe('building-energy golden: EUI and ENERGY STAR benchmark', () => {
  it('US K-12 school, 10 000 ft2, 100 000 kWh grid electricity, US average grid', async () => {
    const out = await runOk(building());
    // floor area 10 000 ft2 x 0.09290304 = 929.0304 m2
    expectRel(out.floor_area.ft2, 10_000);
    expectRel(out.floor_area.m2, 929.0304);
    const [e] = out.energy;
    // site: 100 000 kWh x 3.41214163313 = 341 214.163313 kBtu; source x 2.80 = 955 399.657276 kBtu
    expectRel(e?.site_kbtu, 341_214.163313);
    expect(e?.source_site_ratio).toBe(2.8);
    expectRel(e?.source_kbtu, 955_399.657276);
    // site EUI 341 214.163313 / 10 000 = 34.1214163313 kBtu/ft2; 100 000 kWh / 929.0304 m2 = 107.639104167 kWh/m2
    expectRel(out.site_eui.kbtu_per_ft2, 34.1214163313);
    expectRel(out.site_eui.kwh_per_m2, 107.639104167);
    // source EUI 95.5399657276 kBtu/ft2; 280 000 kWh / 929.0304 = 301.389491668 kWh/m2
    expectRel(out.source_eui.kbtu_per_ft2, 95.5399657276);
    expectRel(out.source_eui.kwh_per_m2, 301.389491668);
    // K-12 School medians: site 48.5, source 104.4 kBtu/ft2
    expect(out.benchmark.median_site_eui_kbtu_per_ft2).toBe(48.5);
    expect(out.benchmark.median_source_eui_kbtu_per_ft2).toBe(104.4);
    // ratios 34.1214163313 / 48.5 = 0.703534357346; 95.5399657276 / 104.4 = 0.915133771337
    expectRel(out.benchmark.site_ratio, 0.703534357346);
    expectRel(out.benchmark.source_ratio, 0.915133771337);
    // eGRID2023 US total 770.884 lb/MWh x 0.45359237 / 1000 = 0.349667100555 kg/kWh x 100 000 = 34 966.7100555 kg
    const [line] = out.emissions.lines;
    expectRel(line?.factor_value, 0.349667100555);
    expect(line?.factor_id).toBe('egrid/2023-rev2/electricity/grid/us/kwh');
    expectRel(out.emissions.scope2_location_kg_co2e, 34_966.7100555);
    expect(out.emissions.scope1_kg_co2e).toBe(0);
    expectRel(out.emissions.total_kg_co2e, 34_966.7100555);
    expect(out.notes).toEqual([]);
  });

  it('floor area in m2: 2000 m2 financial office, 300 MWh in eGRID CAMX', async () => {
    const out = await runOk(
      building({
        floor_area: { value: 2000, unit: 'm2' },
        property_type: 'Financial Office',
        location: { country: 'US', egrid_subregion: 'CAMX' },
        energy: [{ carrier: 'electricity', quantity: 300, unit: 'MWh' }],
      }),
    );
    // 2000 m2 / 0.09290304 = 21 527.8208334 ft2
    expectRel(out.floor_area.ft2, 21_527.8208334);
    expectRel(out.floor_area.m2, 2000);
    // site: 300 000 kWh x 3.41214163313 = 1 023 642.48994 kBtu; / 21 527.8208334 ft2 = 47.5497495942 kBtu/ft2
    expectRel(out.energy[0]?.site_kbtu, 1_023_642.48994);
    expectRel(out.site_eui.kbtu_per_ft2, 47.5497495942);
    // 300 000 kWh / 2000 m2 = 150 kWh/m2; source 300 000 x 2.8 / 2000 = 420 kWh/m2
    expectRel(out.site_eui.kwh_per_m2, 150);
    expectRel(out.source_eui.kwh_per_m2, 420);
    // source 47.5497495942 x 2.8 = 133.139298864 kBtu/ft2
    expectRel(out.source_eui.kbtu_per_ft2, 133.139298864);
    // Financial Office medians 52.9 / 116.4: 47.5497495942 / 52.9 = 0.89886105093; 133.139298864 / 116.4 = 1.14380840948
    expectRel(out.benchmark.site_ratio, 0.89886105093);
    expectRel(out.benchmark.source_ratio, 1.14380840948);
    // CAMX 429.983 lb/MWh x 0.45359237 / 1000 = 0.19503700803 kg/kWh x 300 000 kWh = 58 511.1024089 kg
    expectRel(out.emissions.lines[0]?.factor_value, 0.19503700803);
    expectRel(out.emissions.scope2_location_kg_co2e, 58_511.1024089);
    expect(out.emissions.lines[0]?.factor_id).toBe('egrid/2023-rev2/electricity/grid/us-egrid-camx/kwh');
  });

  it.each([
    // 1000 ft2, 10 000 kWh grid electricity: site EUI 34.1214163313, source EUI 95.5399657276 kBtu/ft2
    // [type, median site, median source, site ratio = 34.1214163313 / site, source ratio = 95.5399657276 / source]
    ['Bank Branch', 88.3, 209.9, 0.386426006017, 0.455168964877],
    ['Worship Facility', 30.5, 58.4, 1.11873496168, 1.63595831725],
    ['College/University', 84.3, 180.6, 0.404761759564, 0.529014206687],
    ['Pre-school/Daycare', 64.8, 131.5, 0.526565066841, 0.726539663328],
  ])('%s: medians %s / %s kBtu/ft2', async (type, site, source, siteRatio, sourceRatio) => {
    const out = await runOk(
      building({
        floor_area: { value: 1000, unit: 'ft2' },
        property_type: type,
        energy: [{ carrier: 'electricity', quantity: 10_000, unit: 'kWh' }],
      }),
    );
    expect(out.property_type).toBe(type);
    expect(out.benchmark.median_site_eui_kbtu_per_ft2).toBe(site);
    expect(out.benchmark.median_source_eui_kbtu_per_ft2).toBe(source);
    expectRel(out.benchmark.site_ratio, siteRatio);
    expectRel(out.benchmark.source_ratio, sourceRatio);
  });

  it('convenience store has no published site median: site ratio null, with a note', async () => {
    const out = await runOk(building({ property_type: 'Convenience Store' }));
    expect(out.benchmark.median_site_eui_kbtu_per_ft2).toBeNull();
    expect(out.benchmark.site_ratio).toBeNull();
    // source median 592.6: 95.5399657276 / 592.6 = 0.161221676894
    expect(out.benchmark.median_source_eui_kbtu_per_ft2).toBe(592.6);
    expectRel(out.benchmark.source_ratio, 0.161221676894);
    expect(out.notes).toEqual([
      "No published ENERGY STAR median site EUI for 'Convenience Store'; site ratio omitted.",
    ]);
    expect(out.factors_used).not.toContain(
      'energy-star/2023-08/building/median-eui/site/convenience-store/us/ft2',
    );
  });

  it('property type by slug resolves to the published name', async () => {
    const out = await runOk(building({ property_type: 'k-12-school' }));
    expect(out.property_type).toBe('K-12 School');
    expect(out.benchmark.median_source_eui_kbtu_per_ft2).toBe(104.4);
  });
});

describe('building-energy golden: every carrier in one US building', () => {
  it('electricity (CAMX), gas in therms, district heat in MMBtu, on-site solar in GJ, district cooling in kBtu', async () => {
    const out = await runOk(
      building({
        floor_area: { value: 50_000, unit: 'ft2' },
        location: { country: 'US', egrid_subregion: 'CAMX' },
        energy: [
          { carrier: 'electricity', quantity: 400, unit: 'MWh' },
          { carrier: 'natural_gas', quantity: 20_000, unit: 'therms' },
          { carrier: 'district_heating', quantity: 1000, unit: 'MMBtu' },
          { carrier: 'onsite_renewable_electricity', quantity: 500, unit: 'GJ' },
          { carrier: 'district_cooling', quantity: 200_000, unit: 'kBtu' },
        ],
      }),
    );
    const [elec, gas, heat, solar, cooling] = out.energy;
    // electricity 400 000 kWh x 3.41214163313 = 1 364 856.65325 kBtu, ratio 2.80
    expectRel(elec?.site_kbtu, 1_364_856.6532511767);
    expectRel(elec?.source_kbtu, 1_364_856.6532511767 * 2.8);
    // gas 20 000 therm x 100 = 2 000 000 kBtu, ratio 1.05 -> 2 100 000
    expectRel(gas?.site_kbtu, 2_000_000);
    expect(gas?.source_site_ratio).toBe(1.05);
    expectRel(gas?.source_kbtu, 2_100_000);
    // district heat 1000 MMBtu = 1 000 000 kBtu, ratio 1.20 -> 1 200 000
    expect(heat?.source_site_ratio).toBe(1.2);
    expectRel(heat?.source_kbtu, 1_200_000);
    // on-site solar 500 GJ x 947.817120313 = 473 908.560157 kBtu, ratio 1.00
    expectRel(solar?.site_kbtu, 473_908.560157);
    expect(solar?.source_site_ratio).toBe(1);
    // district cooling 200 000 kBtu, ratio 1.00
    expectRel(cooling?.source_kbtu, 200_000);
    // site 1 364 856.653251 + 2 000 000 + 1 000 000 + 473 908.560157 + 200 000 = 5 038 765.21341 kBtu
    //   / 50 000 ft2 = 100.775304268 kBtu/ft2; / 48.5 = 2.07784132512
    expectRel(out.site_eui.kbtu_per_ft2, 100.775304268);
    expectRel(out.benchmark.site_ratio, 2.07784132512);
    // source 3 821 598.62911 + 2 100 000 + 1 200 000 + 473 908.560157 + 200 000 = 7 795 507.18926 kBtu
    //   / 50 000 = 155.910143785 kBtu/ft2; / 104.4 = 1.49339218185
    expectRel(out.source_eui.kbtu_per_ft2, 155.910143785);
    expectRel(out.benchmark.source_ratio, 1.49339218185);
    // kWh/m2: 5 038 765.21341 / 3.41214163313 / (50 000 x 0.09290304 = 4645.152 m2) = 317.904842175
    expectRel(out.site_eui.kwh_per_m2, 317.904842175);
    expectRel(out.source_eui.kwh_per_m2, 491.832696646);

    const byCarrier = Object.fromEntries(out.emissions.lines.map((l) => [l.carrier, l]));
    // electricity CAMX 0.19503700803 x 400 000 = 78 014.803211884 kg (Scope 2)
    expectRel(byCarrier['electricity']?.co2e_kg, 78_014.803211884);
    // gas EPA Hub 53.1145 kg/MMBtu x 2000 MMBtu = 106 229 kg (Scope 1)
    expect(byCarrier['natural_gas']?.scope).toBe(1);
    expectRel(byCarrier['natural_gas']?.co2e_kg, 106_229);
    // EPA Table 7 steam and heat: 66.33 + 1.25 x 28/1000 + 0.125 x 265/1000 = 66.398125 kg/MMBtu x 1000 = 66 398.125 kg
    expectRel(byCarrier['district_heating']?.factor_value, 66.398125);
    expectRel(byCarrier['district_heating']?.co2e_kg, 66_398.125);
    // on-site renewables and (unbundled) district cooling: no factor, 0 kg
    expect(byCarrier['onsite_renewable_electricity']).toMatchObject({ factor_id: null, co2e_kg: 0 });
    expect(byCarrier['district_cooling']).toMatchObject({ factor_id: null, co2e_kg: 0 });
    // scope 1 = 106 229; scope 2 = 78 014.803211884 + 66 398.125 = 144 412.928211884; total 250 641.928211884
    expectRel(out.emissions.scope1_kg_co2e, 106_229);
    expectRel(out.emissions.scope2_location_kg_co2e, 144_412.928211884);
    expectRel(out.emissions.total_kg_co2e, 250_641.928211884);
    expect(out.notes).toEqual([
      'No published district cooling emission factor is bundled; its Scope 2 emissions are not included.',
    ]);
  });
});

describe('building-energy golden: grid factors', () => {
  it.each([
    // [subregion, eGRID2023 CO2e lb/MWh, kg/kWh = lb/MWh x 0.45359237 / 1000, x 1000 kWh]
    ['ERCT', 736.629, 0.334129293921, 334.129293921],
    ['NYUP', 242.776, 0.110121341219, 110.121341219],
    ['HIOA', 1498.947, 0.679910922234, 679.910922234],
    ['RFCW', 916.054, 0.415515104908, 415.515104908],
    ['AKGD', 905.109, 0.410550536418, 410.550536418],
    ['SRMW', 1248.582, 0.566347268519, 566.347268519],
  ])('eGRID %s: %s lb/MWh', async (subregion, _lbPerMwh, kgPerKwh, kgFor1000) => {
    const out = await runOk(
      building({
        location: { country: 'US', egrid_subregion: subregion },
        energy: [{ carrier: 'electricity', quantity: 1000, unit: 'kWh' }],
      }),
    );
    expectRel(out.emissions.lines[0]?.factor_value, kgPerKwh);
    expectRel(out.emissions.scope2_location_kg_co2e, kgFor1000);
    expect(out.emissions.lines[0]?.factor_id).toBe(
      `egrid/2023-rev2/electricity/grid/us-egrid-${subregion.toLowerCase()}/kwh`,
    );
  });

  it('GB 2024 office: DESNZ electricity 0.20705, district heat 0.17965, gas 0.18290 (gross)', async () => {
    const out = await runOk(
      building({
        floor_area: { value: 1500, unit: 'm2' },
        property_type: 'Financial Office',
        location: { country: 'GB' },
        energy: [
          { carrier: 'electricity', quantity: 250_000, unit: 'kWh' },
          { carrier: 'natural_gas', quantity: 300_000, unit: 'kWh' },
          { carrier: 'district_heating', quantity: 100_000, unit: 'kWh' },
        ],
      }),
    );
    const byCarrier = Object.fromEntries(out.emissions.lines.map((l) => [l.carrier, l]));
    // DESNZ 2024 UK electricity 0.20705 x 250 000 = 51 762.5 kg
    expectRel(byCarrier['electricity']?.co2e_kg, 51_762.5);
    expect(byCarrier['electricity']?.factor_id).toBe('desnz/2024/electricity/grid/gb/kwh');
    // DESNZ 2024 Natural gas kWh (Gross CV) 0.18290 x 300 000 = 54 870 kg
    expectRel(byCarrier['natural_gas']?.co2e_kg, 54_870);
    expect(byCarrier['natural_gas']?.factor_id).toBe('desnz/2024/fuel/natural-gas/gb/kwh-gross');
    // DESNZ 2024 District heat and steam 0.17965 x 100 000 = 17 965 kg
    expectRel(byCarrier['district_heating']?.co2e_kg, 17_965);
    // scope 1 54 870; scope 2 51 762.5 + 17 965 = 69 727.5; total 124 597.5
    expectRel(out.emissions.scope1_kg_co2e, 54_870);
    expectRel(out.emissions.scope2_location_kg_co2e, 69_727.5);
    expectRel(out.emissions.total_kg_co2e, 124_597.5);
    // EUI: 650 000 kWh / 1500 m2 = 433.333333333 kWh/m2;
    // source (250 000 x 2.8 + 300 000 x 1.05 + 100 000 x 1.2) / 1500 = 1 135 000 / 1500 = 756.666666667 kWh/m2
    expectRel(out.site_eui.kwh_per_m2, 433.333333333);
    expectRel(out.source_eui.kwh_per_m2, 756.666666667);
    // 650 000 x 3.41214163313 kBtu / (1500 / 0.09290304 = 16 145.8656251 ft2) = 137.365943272 kBtu/ft2; / 52.9 = 2.59670970269
    expectRel(out.site_eui.kbtu_per_ft2, 137.365943272);
    expectRel(out.benchmark.site_ratio, 2.59670970269);
    expect(out.notes).toEqual([
      'ENERGY STAR medians and source-site ratios are US national values; the comparison is indicative outside the US.',
    ]);
  });

  it('GB 2023 uses the DESNZ 2023 set (electricity 0.20707, gas 0.18293, heat 0.17965)', async () => {
    const out = await runOk(
      building({
        year: 2023,
        location: { country: 'GB' },
        energy: [
          { carrier: 'electricity', quantity: 250_000, unit: 'kWh' },
          { carrier: 'natural_gas', quantity: 300_000, unit: 'kWh' },
          { carrier: 'district_heating', quantity: 100_000, unit: 'kWh' },
        ],
      }),
    );
    // 0.20707 x 250 000 = 51 767.5; 0.18293 x 300 000 = 54 879; 0.17965 x 100 000 = 17 965
    expect(out.emissions.lines.map((l) => l.factor_id)).toEqual([
      'desnz/2023/electricity/grid/gb/kwh',
      'desnz/2023/fuel/natural-gas/gb/kwh-gross',
      'desnz/2023/heat-steam/district/gb/kwh',
    ]);
    expectRel(out.emissions.lines[0]?.co2e_kg, 51_767.5);
    expectRel(out.emissions.lines[1]?.co2e_kg, 54_879);
    expectRel(out.emissions.lines[2]?.co2e_kg, 17_965);
    // 51 767.5 + 54 879 + 17 965 = 124 611.5
    expectRel(out.emissions.total_kg_co2e, 124_611.5);
  });
});

describe('building-energy golden: energy units', () => {
  it('kWh, MWh, GJ, therm, MMBtu and kBtu convert to kBtu with the IT Btu', async () => {
    const out = await runOk(
      building({
        energy: [
          { carrier: 'electricity', quantity: 1, unit: 'kWh' },
          { carrier: 'electricity', quantity: 1, unit: 'MWh' },
          { carrier: 'electricity', quantity: 1, unit: 'GJ' },
          { carrier: 'natural_gas', quantity: 1, unit: 'therm' },
          { carrier: 'natural_gas', quantity: 1, unit: 'MMBtu' },
          { carrier: 'natural_gas', quantity: 1, unit: 'kBtu' },
        ],
      }),
    );
    const site = out.energy.map((e) => e.site_kbtu);
    // 1 kWh = 3 600 000 J / 1 055 055.85262 J = 3.41214163313 kBtu; 1 MWh = 3412.14163313 kBtu
    expectRel(site[0], 3.41214163313);
    expectRel(site[1], 3412.14163313);
    // 1 GJ = 10^9 J / 1 055 055.85262 J = 947.817120313 kBtu
    expectRel(site[2], 947.817120313);
    // 1 therm = 100 kBtu, 1 MMBtu = 1000 kBtu, 1 kBtu = 1 kBtu
    expectRel(site[3], 100);
    expectRel(site[4], 1000);
    expectRel(site[5], 1);
    // gas scope 1: (0.1 + 1 + 0.001) MMBtu x 53.1145 = 58.4790645 kg
    expectRel(out.emissions.scope1_kg_co2e, 58.4790645);
  });
});
