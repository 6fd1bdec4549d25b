import { DomainError, ValidationError, type Issue } from '../../domain/errors.js';
import type { FactorCatalogue } from '../../factors/catalogue.js';
import { FactorNotFoundError, refOf } from '../../factors/catalogue.js';
import type { EmissionFactor, FactorRef } from '../../factors/types.js';
import { convert, normalizeUnit } from '../../factors/units.js';
import { sig12 } from '../numbers.js';
import type { AgentRunOutput } from '../types.js';
import { defineBuiltinAgent } from '../zod-agent.js';
import { allowedFuels, CATALOGUE_SOURCE, DEFAULT_REGION, fuelActivity } from './fuels.js';
import {
  fuelEmissionsInput,
  fuelEmissionsOutput,
  type FuelEmissionsInput,
  type FuelEmissionsOutput,
  type FuelLine,
  type LineResult,
} from './schema.js';

/**
 * Scope 1 stationary and mobile combustion: quantity x published factor, per line, with
 * the gas split where the publisher gives one. The factor set in force on the last day
 * of each line's period is used (DESNZ tells reporters to use the set for the year the
 * activity took place; the period end places multi-month periods in their reporting year).
 */
export const fuelEmissionsAgent = defineBuiltinAgent({
  id: 'fuel-emissions',
  version: '1.0.0',
  name: 'Fuel combustion emissions (Scope 1)',
  description:
    'Scope 1 emissions of stationary and mobile fuel combustion from DESNZ (UK, default) or US EPA GHG Emission Factors Hub factors.',
  manifest: { timeoutMs: 10_000, syncAllowed: true },
  input: fuelEmissionsInput,
  output: fuelEmissionsOutput,
  run: (input, ctx) => calculate(input, ctx.factors),
});

export function calculate(
  input: FuelEmissionsInput,
  catalogue: FactorCatalogue,
): AgentRunOutput<FuelEmissionsOutput> {
  const issues: Issue[] = [];
  const lines: LineResult[] = [];
  const used = new Map<string, FactorRef>();
  input.lines.forEach((line, index) => {
    try {
      const result = calculateLine(input, line, index, catalogue);
      used.set(result.factor.id, refOf(result.factor));
      lines.push(result.line);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      issues.push(lineIssue(err, index, line, input, catalogue));
    }
  });
  if (issues.length > 0) throw new ValidationError(issues, 'One or more lines could not be calculated');
  return { output: summarise(input, lines, [...used.keys()]), factorsUsed: [...used.values()] };
}

function calculateLine(
  input: FuelEmissionsInput,
  line: FuelLine,
  index: number,
  catalogue: FactorCatalogue,
): { line: LineResult; factor: EmissionFactor } {
  const unit = normalizeUnit(line.unit);
  const region = line.region ?? DEFAULT_REGION[input.factor_source];
  const activity = fuelActivity(line.fuel, input.factor_source, line.use);
  const factor = catalogue.lookup({
    activity,
    region,
    unit,
    asOf: line.period.end,
    source: CATALOGUE_SOURCE[input.factor_source],
    basis: input.basis,
  });
  const factorQuantity = convert(line.quantity, unit, factor.unit);
  const gases = factor.gases
    ? {
        ...(factor.gases.co2 !== undefined ? { co2_kg: sig12(factorQuantity * factor.gases.co2) } : {}),
        ...(factor.gases.ch4 !== undefined ? { ch4_kg_co2e: sig12(factorQuantity * factor.gases.ch4) } : {}),
        ...(factor.gases.n2o !== undefined ? { n2o_kg_co2e: sig12(factorQuantity * factor.gases.n2o) } : {}),
      }
    : undefined;
  const result: LineResult = {
    index,
    ...(line.id !== undefined ? { id: line.id } : {}),
    fuel: line.fuel,
    activity,
    use: line.use,
    scope: 1,
    region,
    period: line.period,
    quantity: line.quantity,
    unit,
    factor_quantity: { value: sig12(factorQuantity), unit: factor.unit },
    factor: {
      id: factor.id,
      value: factor.value,
      unit: factor.unit,
      value_unit: factor.valueUnit,
      ...(factor.basis ? { basis: factor.basis } : {}),
      source: factor.source,
      dataset_version: factor.datasetVersion,
    },
    co2e_kg: sig12(factorQuantity * factor.value),
    ...(gases ? { gases } : {}),
  };
  return { line: result, factor };
}

function summarise(input: FuelEmissionsInput, lines: LineResult[], factorIds: string[]): FuelEmissionsOutput {
  let co2e = 0;
  const byFuel: Record<string, number> = {};
  const byUse = { stationary: 0, mobile: 0 };
  for (const l of lines) {
    co2e += l.co2e_kg;
    byFuel[l.activity] = sig12((byFuel[l.activity] ?? 0) + l.co2e_kg);
    byUse[l.use] = sig12(byUse[l.use] + l.co2e_kg);
  }
  const gases = sumGases(lines);
  return {
    schema_version: '1.0.0',
    factor_source: input.factor_source,
    lines,
    totals: {
      co2e_kg: sig12(co2e),
      co2e_t: sig12(co2e / 1000),
      ...(gases ? { gases } : {}),
      by_fuel: byFuel,
      by_use: byUse,
    },
    factors_used: factorIds,
    notes: notesFor(lines),
  };
}

/** EPA mobile-combustion rows (Hub Table 2) publish CO2 only; say so rather than imply CO2e. */
function notesFor(lines: LineResult[]): string[] {
  const co2Only = lines.filter((l) => l.factor.value_unit !== 'kgCO2e').map((l) => l.index);
  return co2Only.length === 0
    ? []
    : [
        `Lines ${co2Only.join(', ')} use CO2-only factors (EPA Hub Table 2 mobile combustion); CH4 and N2O depend on ` +
          'vehicle type and distance and are not included, so co2e_kg is CO2 for those lines.',
      ];
}

/** A total gas split only when every line has the same gases published; never a partial sum. */
function sumGases(lines: LineResult[]): LineResult['gases'] {
  const keys = ['co2_kg', 'ch4_kg_co2e', 'n2o_kg_co2e'] as const;
  const out: Record<string, number> = {};
  for (const k of keys) {
    if (!lines.every((l) => l.gases?.[k] !== undefined)) continue;
    out[k] = sig12(lines.reduce((s, l) => s + (l.gases?.[k] ?? 0), 0));
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function lineIssue(
  err: DomainError,
  index: number,
  line: FuelLine,
  input: FuelEmissionsInput,
  catalogue: FactorCatalogue,
): Issue {
  const at = (field: string): string => `lines.${index}.${field}`;
  if (err.code === 'unknown_unit' || err.code === 'unit_conversion')
    return { path: at('unit'), message: err.message };
  if (!(err instanceof FactorNotFoundError)) return { path: `lines.${index}`, message: err.message };
  const source = input.factor_source;
  switch (err.reason) {
    case 'activity': {
      const allowed = allowedFuels(catalogue, source, line.use);
      return {
        path: at('fuel'),
        message: `Unknown fuel '${line.fuel}' for ${source} ${line.use} combustion. Allowed: ${allowed.join(', ')}`,
      };
    }
    case 'region':
    case 'filter':
      return {
        path: at('region'),
        message:
          `${source} factors do not cover region '${err.query.region}'` +
          (source === 'DESNZ'
            ? '; DESNZ covers GB: use factor_source "EPA" for US activity.'
            : '; EPA covers US.'),
      };
    case 'date':
      return { path: at('period'), message: err.message };
    case 'unit':
      return { path: at('unit'), message: err.message };
  }
}
