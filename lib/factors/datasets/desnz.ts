/**
 * UK DESNZ/DEFRA GHG conversion factors for company reporting: Scope 1 fuels (all rows),
 * UK grid electricity, T&D losses, heat and steam, and well-to-tank (WTT) fuels.
 * Region `GB`; values in kg CO2e per unit (AR5 GWPs).
 *
 * Validity: DESNZ publishes one set per reporting year and tells reporters to use the set
 * for the year the activity took place. So the 2023 set is valid 2023-01-01..2023-12-31 and
 * the 2024 set from 2024-01-01 with no end: no 2025 set is bundled, and an open end makes
 * 2025+ activity resolve to the latest published set instead of failing. When a 2025 set is
 * added, close 2024 at 2024-12-31.
 */
import desnz2023 from '../data/desnz_2023_fuel_conversion_factors.json' with { type: 'json' };
import desnz2024 from '../data/desnz_2024_fuel_conversion_factors.json' with { type: 'json' };
import type { DatasetInfo, EmissionFactor, GasBreakdown } from '../types.js';
import { factorId, slugify, type DatasetBundle } from './bundle.js';

const SOURCE = 'DESNZ';
const DATASET = 'desnz-ghg-conversion-factors';
const REGION = 'GB';

interface Row {
  readonly desnz_id: string;
  readonly fuel?: string;
  readonly item?: string;
  readonly unit: string;
  readonly kg_co2e_per_unit: number;
}

/** Publisher unit label -> unit code and calorific-value basis. */
function unitOf(label: string): { unit: string; basis?: 'gross' | 'net' } {
  switch (label) {
    case 'tonnes':
      return { unit: 't' };
    case 'litres':
      return { unit: 'L' };
    case 'cubic metres':
      return { unit: 'm3' };
    case 'kWh':
      return { unit: 'kWh' };
    case 'kWh (Gross CV)':
      return { unit: 'kWh', basis: 'gross' };
    case 'kWh (Net CV)':
      return { unit: 'kWh', basis: 'net' };
    default:
      throw new Error(`DESNZ unit label '${label}' has no unit code`);
  }
}

interface VersionSpec {
  readonly version: string;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly title: string;
  readonly citation: string;
  readonly confidence: 'high' | 'medium' | 'low';
}

function build(
  spec: VersionSpec,
  rows: readonly {
    row: Row;
    activity: string;
    name: string;
    table: string;
    gases?: GasBreakdown;
    confidence?: 'high' | 'medium' | 'low';
    pendingVerification?: boolean;
    note?: string;
  }[],
): EmissionFactor[] {
  return rows.map(({ row, activity, name, table, gases, confidence, pendingVerification, note }) => {
    const { unit, basis } = unitOf(row.unit);
    return {
      id: factorId(SOURCE, spec.version, activity, REGION, unit, basis),
      source: SOURCE,
      dataset: DATASET,
      datasetVersion: spec.version,
      activity,
      name,
      region: REGION,
      unit,
      ...(basis ? { basis } : {}),
      valueUnit: 'kgCO2e',
      value: row.kg_co2e_per_unit,
      ...(gases ? { gases } : {}),
      validFrom: spec.validFrom,
      validTo: spec.validTo,
      citation: `${spec.citation}, ${table}, row ${row.desnz_id} (${name}, ${row.unit})${note ? `; ${note}` : ''}`,
      sourceRowId: row.desnz_id,
      confidence: confidence ?? spec.confidence,
      ...(pendingVerification ? { pendingVerification } : {}),
    };
  });
}

// ---- 2023: selected rows from secondary copies of the full set, all pending verification ----

const spec2023: VersionSpec = {
  version: '2023',
  validFrom: '2023-01-01',
  validTo: '2023-12-31',
  title: 'UK Government GHG Conversion Factors for Company Reporting 2023 (selected rows, v1.1)',
  citation: `DESNZ, Greenhouse gas reporting: conversion factors 2023, full set v1.1, ${desnz2023.official_page}`,
  confidence: 'medium',
};

type Confidence = 'high' | 'medium' | 'low';
interface Row2023 {
  readonly desnz_id: string;
  readonly fuel?: string;
  readonly item?: string;
  readonly unit: string;
  readonly value: number;
  readonly workbook_value: number;
  readonly cell: string | null;
  readonly copies: string;
  readonly confidence: string;
}
const row2023 = (r: Row2023): Row => ({ desnz_id: r.desnz_id, unit: r.unit, kg_co2e_per_unit: r.value });
const note2023 = (r: Row2023): string =>
  `workbook${r.cell ? ` cell ${r.cell}` : ''} stores ${r.workbook_value}, rounded here to 5 dp; ` +
  `transcribed from public secondary copies (${r.copies}), pending verification against the primary workbook`;
const extra2023 = (r: Row2023) => ({
  confidence: r.confidence as Confidence,
  pendingVerification: true,
  note: note2023(r),
});

const factors2023 = build(spec2023, [
  ...desnz2023.rows.map((r) => ({
    row: row2023(r),
    activity: `fuel/${slugify(r.fuel)}`,
    name: r.fuel,
    table: `Fuels (${r.category})`,
    ...extra2023(r),
  })),
  ...desnz2023.uk_electricity.map((r) => ({
    row: row2023(r),
    activity: 'electricity/grid',
    name: 'Electricity generated: UK',
    table: 'UK electricity',
    ...extra2023(r),
  })),
  ...desnz2023.transmission_and_distribution.map((r) => ({
    row: row2023(r),
    activity: 'electricity/td-losses',
    name: 'T&D- UK electricity: Electricity: UK',
    table: 'Transmission and distribution',
    ...extra2023(r),
  })),
  ...desnz2023.heat_and_steam.map((r) => ({
    row: row2023(r),
    activity: 'heat-steam/district',
    name: r.item,
    table: 'Heat and steam',
    ...extra2023(r),
  })),
]);

// ---- 2024 ----

const spec2024: VersionSpec = {
  version: '2024',
  validFrom: '2024-01-01',
  validTo: null,
  title: 'UK Government GHG Conversion Factors for Company Reporting 2024',
  citation: `DESNZ, Greenhouse gas reporting: conversion factors 2024 (flat file), ${desnz2024.official_page}`,
  confidence: 'high',
};

/** Per-gas split rows keyed `fuel|unit label` (published CO2e of each gas). */
const split2024 = new Map<string, GasBreakdown>(
  desnz2024.per_gas_split_selected.map((s) => [
    `${s.fuel}|${s.unit}`,
    { co2: s.kg_co2e_of_co2, ch4: s.kg_co2e_of_ch4, n2o: s.kg_co2e_of_n2o },
  ]),
);

const factors2024 = build(spec2024, [
  ...desnz2024.scope1_fuels.map((row) => {
    const gases = split2024.get(`${row.fuel}|${row.unit}`);
    return {
      row,
      activity: `fuel/${slugify(row.fuel)}`,
      name: row.fuel,
      table: `Fuels (${row.category})`,
      ...(gases
        ? {
            gases,
            note: 'gas split from a third-party transcription of the flat file, reconciles to the total',
          }
        : {}),
    };
  }),
  ...desnz2024.uk_electricity_generated_kg_co2e_per_kwh.map((row) => ({
    row,
    activity: 'electricity/grid',
    name: 'Electricity generated: UK',
    table: 'UK electricity',
  })),
  ...desnz2024.transmission_and_distribution.map((row) => ({
    row,
    activity:
      row.item === 'Electricity: UK' ? 'electricity/td-losses' : 'heat-steam/district-distribution-losses',
    name: `${row.level2}: ${row.item}`,
    table: 'Transmission and distribution',
  })),
  ...desnz2024.heat_and_steam.map((row) => ({
    row,
    activity: row.item === 'District heat and steam' ? 'heat-steam/district' : 'heat-steam/onsite',
    name: row.item,
    table: 'Heat and steam',
  })),
  ...desnz2024.wtt_fuels_selected_scope3.map((row) => ({
    row,
    activity: `wtt/fuel/${slugify(row.fuel)}`,
    name: `WTT- ${row.fuel}`,
    table: 'WTT- fuels',
  })),
]);

const info = (spec: VersionSpec, factors: readonly EmissionFactor[]): DatasetInfo => ({
  source: SOURCE,
  dataset: DATASET,
  version: spec.version,
  title: spec.title,
  citation: spec.citation,
  validFrom: spec.validFrom,
  validTo: spec.validTo,
  factorCount: factors.length,
});

export const desnzDataset: DatasetBundle = {
  datasets: [info(spec2023, factors2023), info(spec2024, factors2024)],
  factors: [...factors2023, ...factors2024],
};
