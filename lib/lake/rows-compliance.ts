/**
 * Rows of the compliance agents, numbers exactly as the agent returned them:
 * cbam -> one cbam_import_lines row per import line; eudr -> one eudr_checks row per
 * execution (the due-diligence check of one product). Other agents: undefined.
 */
import { cbamOutputSchema, type CbamOutput } from '../agents/cbam/schema.js';
import { eudrOutputSchema, type EudrOutput } from '../agents/eudr/output.schema.js';
import type { ExecutionContext, LakeRow } from './row-types.js';

type Rows = { cbam_import_lines?: LakeRow[]; eudr_checks?: LakeRow[] };

export function complianceRowsOf(ctx: ExecutionContext): Rows | undefined {
  switch (ctx.execution.agentId) {
    case 'cbam': {
      const parsed = cbamOutputSchema.safeParse(ctx.output);
      return { cbam_import_lines: parsed.success ? cbamRows(ctx, parsed.data) : [] };
    }
    case 'eudr': {
      const parsed = eudrOutputSchema.safeParse(ctx.output);
      return { eudr_checks: parsed.success ? [eudrRow(ctx, parsed.data)] : [] };
    }
    default:
      return undefined;
  }
}

function cbamRows(ctx: ExecutionContext, out: CbamOutput): LakeRow[] {
  const versionOf = (id: string | null): string | null =>
    id === null
      ? null
      : (out.defaults_used.find((d) => d.factor_id === id)?.dataset_version ?? ctx.datasetVersionOf(id));
  return out.lines.map((l) => {
    const defaultId = l.total.factor_id ?? l.direct.factor_id;
    return {
      ...ctx.base,
      line_index: l.index,
      quarter: out.period.quarter,
      phase: out.period.phase,
      cn_code: l.cn_code,
      sector: l.sector,
      country_of_origin: l.country_of_origin,
      quantity_t: l.quantity_t,
      direct_tco2e: l.direct.embedded_tco2e,
      indirect_tco2e: l.indirect.embedded_tco2e,
      total_tco2e: l.total.embedded_tco2e,
      direct_source: l.direct.source,
      default_factor_id: defaultId,
      dataset_version: versionOf(defaultId),
      certificates_tco2e: l.chargeable?.certificates_tco2e ?? null,
      cost_eur: l.chargeable?.cost_eur ?? null,
    };
  });
}

function eudrRow(ctx: ExecutionContext, out: EudrOutput): LakeRow {
  return {
    ...ctx.base,
    commodity: out.commodity,
    hs_code: out.hs_code,
    country_of_production: out.country_of_production,
    risk_level: out.risk_level,
    country_risk_factor_id: out.country_risk_factor_id,
    due_diligence: out.due_diligence,
    outcome: out.outcome,
    checks_total: out.checks.length,
    checks_failed: out.failed_checks.length,
    failed_checks: out.failed_checks.map((c) => c.id).join(','),
    plots: out.totals.plots,
    computed_polygon_area_ha: out.totals.computed_polygon_area_ha,
    declared_area_ha: out.totals.declared_area_ha,
    net_mass_kg: out.statement.product.net_mass_kg,
    statement_status: out.statement.status,
  };
}
