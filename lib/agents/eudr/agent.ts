/**
 * `eudr`: due diligence under Regulation (EU) 2023/1115 (EU Deforestation Regulation).
 * Checks Annex I scope, geolocation, plot geometry and area, the 31 December 2020 cut-off,
 * legality evidence and the country benchmark (Implementing Regulation (EU) 2025/1093, read
 * from the factor catalogue), then drafts the Annex II due diligence statement.
 */
import { ValidationError } from '../../domain/errors.js';
import { refOf } from '../../factors/catalogue.js';
import { defineBuiltinAgent } from '../zod-agent.js';
import { matchHsCode, normalizeHsCode } from './annex-i.js';
import {
  annexScopeCheck,
  areaCheck,
  countryRiskCheck,
  cutoffCheck,
  geolocationCheck,
  geometryCheck,
  legalityCheck,
  productionDateCheck,
  riskAssessmentCheck,
  type Check,
} from './checks.js';
import { benchmarkAsOf, countryRisk } from './country-risk.js';
import { eudrInputSchema, type EudrInput } from './input.schema.js';
import { EUDR_SCHEMA_VERSION, eudrOutputSchema, type EudrOutput } from './output.schema.js';
import { assessPlot, round, type PlotAssessment } from './plots.js';
import { DEFAULT_AREA_TOLERANCE } from './rules.js';
import { draftStatement } from './statement.js';

function notesFor(input: EudrInput, factorNote: string | undefined, pending: boolean): string[] {
  const notes: string[] = [];
  if (pending) {
    notes.push(
      `Country level of ${input.country_of_production} is pending verification against the official Annex of Reg. 2025/1093` +
        (factorNote ? `: ${factorNote}` : ''),
    );
  }
  if (input.commodity === 'wood') {
    notes.push(
      'Annex I wood entries are transcribed at heading/chapter level (several are "ex"): check the consolidated Annex I wording for the product.',
    );
  } else if (input.plots.some((p) => p.forest_degradation_date !== undefined)) {
    notes.push(
      'forest_degradation_date is only assessed for wood (Art. 2(13)(b)); ignored for ' +
        input.commodity +
        '.',
    );
  }
  return notes;
}

function totalsOf(plots: readonly PlotAssessment[]): EudrOutput['totals'] {
  let polygons = 0;
  let computed = 0;
  let declared = 0;
  for (const p of plots) {
    if (p.geometry_type !== 'Point') polygons++;
    if (p.computed_area_ha !== null && p.geometry_problem === null) computed += p.computed_area_ha;
    if (p.declared_area_ha !== null) declared += p.declared_area_ha;
  }
  return {
    plots: plots.length,
    polygons,
    points: plots.length - polygons,
    computed_polygon_area_ha: round(computed, 4),
    declared_area_ha: round(declared, 4),
  };
}

export const eudrAgent = defineBuiltinAgent({
  id: 'eudr',
  version: '1.0.0',
  name: 'EUDR due diligence',
  description:
    'Regulation (EU) 2023/1115 due diligence: Annex I scope, plot geolocation and area, 31 Dec 2020 cut-off, ' +
    'country risk (Reg. 2025/1093) with simplified due diligence for low risk, and a draft Annex II statement.',
  input: eudrInputSchema,
  output: eudrOutputSchema,
  run(input, ctx) {
    const hsCode = normalizeHsCode(input.hs_code);
    const match = matchHsCode(input.commodity, hsCode);
    // The schema already rejects these; kept so run() is safe when called directly.
    if (match.kind === 'invalid') throw new ValidationError([{ path: 'hs_code', message: match.message }]);

    const risk = countryRisk(
      ctx.factors,
      input.country_of_production,
      benchmarkAsOf(ctx.factors, input.assessment_date),
    );
    const simplified = risk.level === 'low' && input.evidence.risk_indications !== true;
    const tolerance = input.area_tolerance ?? DEFAULT_AREA_TOLERANCE;
    const plots = input.plots.map((p) => assessPlot(p, tolerance));
    const basis = String(risk.factor.attributes?.['basis'] ?? '');

    const productionDate = productionDateCheck(input);
    const checks: Check[] = [
      annexScopeCheck(hsCode, match, input.commodity),
      productionDate,
      geolocationCheck(input),
      geometryCheck(plots),
      areaCheck(plots, tolerance),
      cutoffCheck(input),
      legalityCheck(input),
      countryRiskCheck(input.country_of_production, risk.level, basis, simplified),
      riskAssessmentCheck(input, risk.level, simplified),
    ];
    const failed = checks.filter((c) => c.status === 'fail');
    const regulationApplies = productionDate.status !== 'not_applicable';
    const outcome = !regulationApplies ? 'out_of_scope' : failed.length ? 'non_compliant' : 'negligible_risk';
    const note = risk.factor.attributes?.['note'];

    const output: EudrOutput = {
      schema_version: EUDR_SCHEMA_VERSION,
      commodity: input.commodity,
      hs_code: hsCode,
      annex_i_entry: {
        code: match.entry.label,
        description: match.entry.description,
        partial: match.entry.partial,
      },
      country_of_production: input.country_of_production,
      risk_level: risk.level,
      country_risk_factor_id: risk.factor.id,
      due_diligence: simplified ? 'simplified' : 'full',
      regulation_applies: regulationApplies,
      outcome,
      checks,
      failed_checks: failed.map((c) => ({ id: c.id, reason: c.reason })),
      plots,
      totals: totalsOf(plots),
      statement: draftStatement(
        input,
        hsCode,
        failed.map((c) => c.id),
        regulationApplies,
      ),
      notes: notesFor(
        input,
        typeof note === 'string' ? note : undefined,
        risk.factor.pendingVerification === true,
      ),
    };
    return { output, factorsUsed: [refOf(risk.factor)] };
  },
});
