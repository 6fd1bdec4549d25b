/**
 * Expected results of the named queries, computed straight from the agents' outputs as the
 * store holds them (not from the lake's row builders), so a mapping or query error shows.
 */
import { buildingEnergyOutput } from '../../lib/agents/building-energy/schema.js';
import { cbamOutputSchema } from '../../lib/agents/cbam/schema.js';
import { eudrOutputSchema } from '../../lib/agents/eudr/output.schema.js';
import { fuelEmissionsOutput } from '../../lib/agents/fuel-emissions/schema.js';
import type { Execution } from '../../lib/domain/execution.js';

export interface EmissionItem {
  readonly scope: number;
  readonly month: string;
  readonly site: string;
  readonly activity: string;
  readonly co2e: number;
}

const monthOf = (date: string): string => `${date.slice(0, 7)}-01`;

/** Every emission line item the agents reported, as the lake should hold them. */
export function emissionItems(executions: readonly Execution[]): EmissionItem[] {
  const items: EmissionItem[] = [];
  for (const e of executions.filter((x) => x.status === 'COMPLETED')) {
    if (e.agentId === 'fuel-emissions') {
      for (const l of fuelEmissionsOutput.parse(e.output).lines)
        items.push({
          scope: 1,
          month: monthOf(l.period.end),
          site: l.id ?? '(unspecified)',
          activity: l.activity,
          co2e: l.co2e_kg,
        });
    } else if (e.agentId === 'building-energy') {
      const out = buildingEnergyOutput.parse(e.output);
      for (const l of out.emissions.lines)
        items.push({
          scope: l.scope,
          month: `${out.year}-12-01`,
          site: out.property_type,
          activity: l.carrier,
          co2e: l.co2e_kg,
        });
    } else if (e.agentId === 'uk-electricity-location-based') {
      const totals = (e.output as { totals: Record<string, { value: number }> }).totals;
      const month = monthOf(e.updatedAt.slice(0, 10));
      items.push({
        scope: 2,
        month,
        site: '(unspecified)',
        activity: e.agentId,
        co2e: totals['scope2_location_based']!.value,
      });
      items.push({
        scope: 3,
        month,
        site: '(unspecified)',
        activity: e.agentId,
        co2e: totals['scope3_cat3_td_losses']!.value,
      });
    }
  }
  return items;
}

/** The agents' own totals (kg CO2e) over the same executions. */
export function agentTotalKg(executions: readonly Execution[]): number {
  let sum = 0;
  for (const e of executions.filter((x) => x.status === 'COMPLETED')) {
    if (e.agentId === 'fuel-emissions') sum += fuelEmissionsOutput.parse(e.output).totals.co2e_kg;
    if (e.agentId === 'building-energy') sum += buildingEnergyOutput.parse(e.output).emissions.total_kg_co2e;
    if (e.agentId === 'uk-electricity-location-based')
      sum += (e.output as { totals: { total: { value: number } } }).totals.total.value;
  }
  return sum;
}

export function groupSum<K extends string>(
  items: readonly EmissionItem[],
  key: (i: EmissionItem) => K,
): Map<K, { count: number; co2e: number; first: EmissionItem }> {
  const out = new Map<K, { count: number; co2e: number; first: EmissionItem }>();
  for (const i of items) {
    const k = key(i);
    const g = out.get(k) ?? { count: 0, co2e: 0, first: i };
    g.count += 1;
    g.co2e += i.co2e;
    out.set(k, g);
  }
  return out;
}

export interface CbamGroup {
  quarter: string;
  cn_code: string;
  country_of_origin: string;
  import_lines: number;
  quantity_t: number;
  total_tco2e: number;
  certificates_tco2e: number;
}

export function cbamGroups(executions: readonly Execution[]): CbamGroup[] {
  const groups = new Map<string, CbamGroup>();
  for (const e of executions.filter((x) => x.status === 'COMPLETED' && x.agentId === 'cbam')) {
    const out = cbamOutputSchema.parse(e.output);
    for (const l of out.lines) {
      const k = `${out.period.quarter}|${l.cn_code}|${l.country_of_origin}`;
      const g = groups.get(k) ?? {
        quarter: out.period.quarter,
        cn_code: l.cn_code,
        country_of_origin: l.country_of_origin,
        import_lines: 0,
        quantity_t: 0,
        total_tco2e: 0,
        certificates_tco2e: 0,
      };
      g.import_lines += 1;
      g.quantity_t += l.quantity_t;
      g.total_tco2e += l.total.embedded_tco2e ?? 0;
      g.certificates_tco2e += l.chargeable?.certificates_tco2e ?? 0;
      groups.set(k, g);
    }
  }
  return [...groups.values()].sort((x, y) =>
    `${x.quarter}|${x.cn_code}|${x.country_of_origin}` < `${y.quarter}|${y.cn_code}|${y.country_of_origin}`
      ? -1
      : 1,
  );
}

export function cbamOutputs(executions: readonly Execution[]) {
  return executions
    .filter((x) => x.status === 'COMPLETED' && x.agentId === 'cbam')
    .map((e) => cbamOutputSchema.parse(e.output));
}

export function eudrOutputs(executions: readonly Execution[]) {
  return executions
    .filter((x) => x.status === 'COMPLETED' && x.agentId === 'eudr')
    .map((e) => eudrOutputSchema.parse(e.output));
}

export const durationMs = (e: Execution): number => Date.parse(e.updatedAt) - Date.parse(e.createdAt);

export const inputBytes = (e: Execution): number => Buffer.byteLength(JSON.stringify(e.input), 'utf8');
