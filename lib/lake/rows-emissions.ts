/**
 * emission_results rows of the emission agents, numbers exactly as the agent returned them.
 * - fuel-emissions: one row per fuel line (scope 1, stationary or mobile combustion).
 * - building-energy: one row per energy line (scope 1 on-site fuel, scope 2 purchased energy).
 * - declarative agents: their lines have no common shape, so one row per `totals` entry
 *   whose key names a scope (`scope1`, `scope2_location_based`, `scope3_cat3_td_losses` ...)
 *   in kgCO2e (or kgCO2 for CO2-only factor sets); the key is the category.
 */
import { buildingEnergyOutput } from '../agents/building-energy/schema.js';
import { fuelEmissionsOutput } from '../agents/fuel-emissions/schema.js';
import { isRecord, type ExecutionContext, type LakeRow } from './row-types.js';

const EMPTY_GASES = { co2_kg: null, ch4_kg_co2e: null, n2o_kg_co2e: null } as const;

export function emissionRowsOf(ctx: ExecutionContext): LakeRow[] {
  switch (ctx.execution.agentId) {
    case 'fuel-emissions':
      return fuelRows(ctx);
    case 'building-energy':
      return buildingRows(ctx);
    default:
      return declarativeRows(ctx);
  }
}

function fuelRows(ctx: ExecutionContext): LakeRow[] {
  const parsed = fuelEmissionsOutput.safeParse(ctx.output);
  if (!parsed.success) return [];
  return parsed.data.lines.map((l) => ({
    ...ctx.base,
    line_index: l.index,
    site: l.id ?? null,
    scope: l.scope,
    category: `${l.use}_combustion`,
    activity: l.activity,
    quantity: l.quantity,
    unit: l.unit,
    factor_id: l.factor.id,
    factor_value: l.factor.value,
    factor_unit: `${l.factor.value_unit}/${l.factor.unit}`,
    dataset_version: l.factor.dataset_version,
    co2e_kg: l.co2e_kg,
    co2_kg: l.gases?.co2_kg ?? null,
    ch4_kg_co2e: l.gases?.ch4_kg_co2e ?? null,
    n2o_kg_co2e: l.gases?.n2o_kg_co2e ?? null,
    period_start: l.period.start,
    period_end: l.period.end,
    activity_date: l.period.end,
  }));
}

function buildingRows(ctx: ExecutionContext): LakeRow[] {
  const parsed = buildingEnergyOutput.safeParse(ctx.output);
  if (!parsed.success) return [];
  const out = parsed.data;
  // The agent emits one emissions line per input energy line, in order.
  return out.emissions.lines.map((l, i) => {
    const energy = out.energy[i];
    return {
      ...ctx.base,
      line_index: i,
      site: out.property_type,
      scope: l.scope,
      category:
        l.scope === 1
          ? 'stationary_combustion'
          : l.carrier.includes('electricity')
            ? 'purchased_electricity'
            : 'purchased_heat_cooling',
      activity: l.carrier,
      quantity: energy?.quantity ?? null,
      unit: energy?.unit ?? null,
      factor_id: l.factor_id,
      factor_value: l.factor_value,
      factor_unit: l.factor_unit,
      dataset_version: ctx.datasetVersionOf(l.factor_id),
      co2e_kg: l.co2e_kg,
      ...EMPTY_GASES,
      period_start: `${out.year}-01-01`,
      period_end: `${out.year}-12-31`,
      activity_date: `${out.year}-12-31`,
    };
  });
}

const SCOPE_KEY = /^scope([123])(?:_|$)/;
const CO2E_UNITS = new Set(['kgCO2e', 'kgCO2']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function declarativeRows(ctx: ExecutionContext): LakeRow[] {
  const totals = ctx.output['totals'];
  if (!isRecord(totals)) return [];
  const input = isRecord(ctx.execution.input) ? ctx.execution.input : {};
  const asOf = typeof input['asOf'] === 'string' && DATE.test(input['asOf']) ? input['asOf'] : null;
  const factors = factorIdsOf(ctx.output);
  // A single cited factor is unambiguous; with several, which total used which is unknown.
  const factorId = factors.length === 1 ? factors[0]! : null;
  const rows: LakeRow[] = [];
  for (const [key, total] of Object.entries(totals)) {
    const scope = SCOPE_KEY.exec(key)?.[1];
    if (!scope || !isRecord(total) || typeof total['value'] !== 'number') continue;
    if (typeof total['unit'] !== 'string' || !CO2E_UNITS.has(total['unit'])) continue;
    rows.push({
      ...ctx.base,
      line_index: rows.length,
      site: null,
      scope: Number(scope),
      category: key,
      activity: ctx.execution.agentId,
      quantity: null,
      unit: null,
      factor_id: factorId,
      factor_value: null,
      factor_unit: null,
      dataset_version: ctx.datasetVersionOf(factorId),
      co2e_kg: total['value'],
      ...EMPTY_GASES,
      period_start: null,
      period_end: asOf,
      activity_date: asOf ?? ctx.execution.updatedAt.slice(0, 10),
    });
  }
  return rows;
}

function factorIdsOf(output: Readonly<Record<string, unknown>>): string[] {
  const provenance = output['provenance'];
  if (!isRecord(provenance) || !Array.isArray(provenance['factors'])) return [];
  return (provenance['factors'] as unknown[])
    .map((f) => (isRecord(f) && typeof f['id'] === 'string' ? f['id'] : undefined))
    .filter((id): id is string => id !== undefined);
}
