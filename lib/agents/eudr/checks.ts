/**
 * The due diligence checks, one function each. Every check returns pass / fail /
 * not_applicable with a reason a compliance officer can act on and the article it applies.
 */
import type { CountryRiskLevel } from '../../factors/datasets/eudr.js';
import type { HsMatch } from './annex-i.js';
import type { EudrInput } from './input.schema.js';
import type { PlotAssessment } from './plots.js';
import { CHECK_RATES, CUTOFF_DATE, ENTRY_INTO_FORCE, EUTR_TRANSITION_END, POINT_MAX_HA } from './rules.js';

export type CheckStatus = 'pass' | 'fail' | 'not_applicable';

export interface Check {
  readonly id: string;
  readonly status: CheckStatus;
  readonly reason: string;
  /** Article(s) of Regulation (EU) 2023/1115 (or other act) the check applies. */
  readonly reference: string;
  /** Plots that failed this check, by id. */
  readonly plots?: readonly string[];
}

export function annexScopeCheck(
  code: string,
  match: Exclude<HsMatch, { kind: 'invalid' }>,
  commodity: string,
): Check {
  const e = match.entry;
  const reference = 'Art. 1(1), Art. 2(1)-(2), Annex I';
  if (match.kind === 'other_commodity') {
    return {
      id: 'annex_i_scope',
      status: 'fail',
      reason: `HS code ${code} is listed in Annex I under ${e.commodity} ('${e.label}' ${e.description}), not under the declared commodity ${commodity}`,
      reference,
    };
  }
  const partial = e.partial
    ? ` The entry is partial ('ex'): only part of the heading is covered, confirm the product is: ${e.description}.`
    : '';
  return {
    id: 'annex_i_scope',
    status: 'pass',
    reason: `HS code ${code} is in Annex I under ${commodity}: '${e.label}' ${e.description}.${partial}`,
    reference,
  };
}

export function geolocationCheck(input: EudrInput): Check {
  let points = 0;
  for (const p of input.plots) if (p.geometry.type === 'Point') points++;
  const polygons = input.plots.length - points;
  // Violations (a point above 4 ha, a point without a declared area, malformed GeoJSON) are
  // rejected as input issues before this runs: no statement can be drafted with them.
  const pointRule =
    input.commodity === 'cattle'
      ? 'points locate the establishments where the cattle were kept (no polygon threshold)'
      : `every point plot is declared at most ${POINT_MAX_HA} ha; larger plots are polygons`;
  return {
    id: 'geolocation_rules',
    status: 'pass',
    reason: `${input.plots.length} plot(s): ${polygons} polygon(s), ${points} point(s); ${pointRule}; each plot has a production period.`,
    reference: 'Art. 2(28), Art. 9(1)(d)',
  };
}

export function geometryCheck(plots: readonly PlotAssessment[]): Check {
  const bad = plots.filter((p) => p.geometry_problem !== null);
  return {
    id: 'geometry_valid',
    status: bad.length === 0 ? 'pass' : 'fail',
    reason:
      bad.length === 0
        ? 'every polygon is simple: no self-intersections, spikes or holes crossing their outer ring'
        : bad.map((p) => `plot ${p.id}: ${p.geometry_problem}`).join('; '),
    reference: 'Art. 2(28) (polygon describing the perimeter); RFC 7946 / OGC simple features',
    ...(bad.length ? { plots: bad.map((p) => p.id) } : {}),
  };
}

export function areaCheck(
  plots: readonly PlotAssessment[],
  tol: { relative: number; absolute_ha: number },
): Check {
  const compared = plots.filter((p) => p.area.status !== 'not_applicable');
  const bad = compared.filter((p) => p.area.status === 'fail');
  const rule = `tolerance max(${tol.relative * 100} % of declared, ${tol.absolute_ha} ha)`;
  if (compared.length === 0) {
    return {
      id: 'declared_area',
      status: 'not_applicable',
      reason: `no valid polygon with a declared area to compare (${rule})`,
      reference: 'plausibility check of the geolocation (Art. 9(1)(d)); tolerance set by this agent',
    };
  }
  return {
    id: 'declared_area',
    status: bad.length === 0 ? 'pass' : 'fail',
    reason:
      bad.length === 0
        ? `${compared.length} polygon area(s) match the declared area within ${rule}`
        : bad.map((p) => `plot ${p.id}: ${p.area.reason}`).join('; '),
    reference: 'plausibility check of the geolocation (Art. 9(1)(d)); tolerance set by this agent',
    ...(bad.length ? { plots: bad.map((p) => p.id) } : {}),
  };
}

export function cutoffCheck(input: EudrInput): Check {
  const reasons: string[] = [];
  const failed: string[] = [];
  for (const p of input.plots) {
    if (p.deforestation_date !== undefined && p.deforestation_date > CUTOFF_DATE) {
      failed.push(p.id);
      reasons.push(
        `plot ${p.id}: land deforested on ${p.deforestation_date}, after the cut-off date ${CUTOFF_DATE}`,
      );
    } else if (
      input.commodity === 'wood' &&
      p.forest_degradation_date !== undefined &&
      p.forest_degradation_date > CUTOFF_DATE
    ) {
      failed.push(p.id);
      reasons.push(
        `plot ${p.id}: forest degradation on ${p.forest_degradation_date}, after the cut-off date ${CUTOFF_DATE}`,
      );
    }
  }
  if (!input.evidence.deforestation_free) {
    reasons.push(
      'no adequately conclusive and verifiable information that the products are deforestation-free (evidence.deforestation_free is false)',
    );
  }
  const reference = 'Art. 2(13), Art. 3(a), Art. 9(1)(g)';
  if (reasons.length === 0) {
    return {
      id: 'deforestation_cutoff',
      status: 'pass',
      reason: `no plot deforested${input.commodity === 'wood' ? ' or degraded' : ''} after ${CUTOFF_DATE}, and evidence of deforestation-free production is recorded`,
      reference,
    };
  }
  // A product mixing commodities from a failed plot is blocked as a whole (Art. 9(1)(d)).
  const mixing = failed.length
    ? '. Products containing commodities from these plots may not be placed on the market'
    : '';
  return {
    id: 'deforestation_cutoff',
    status: 'fail',
    reason: reasons.join('; ') + mixing,
    reference,
    ...(failed.length ? { plots: failed } : {}),
  };
}

export function legalityCheck(input: EudrInput): Check {
  return {
    id: 'legality',
    status: input.evidence.legally_produced ? 'pass' : 'fail',
    reason: input.evidence.legally_produced
      ? 'evidence of production in accordance with the relevant legislation of the country of production is recorded'
      : 'no adequately conclusive and verifiable information that the products were produced legally (evidence.legally_produced is false)',
    reference: 'Art. 2(40), Art. 3(b), Art. 9(1)(h)',
  };
}

/** Earliest start and latest end over the input's and every plot's production period. */
export function productionSpan(input: EudrInput): { from: string; to: string } {
  let { from, to } = input.production_period;
  for (const p of input.plots) {
    if (p.production_period === undefined) continue;
    if (p.production_period.from < from) from = p.production_period.from;
    if (p.production_period.to > to) to = p.production_period.to;
  }
  return { from, to };
}

export function productionDateCheck(input: EudrInput): Check {
  const { from, to } = productionSpan(input);
  const reference = 'Art. 1(2), Art. 38(1); wood: Art. 37';
  if (to < ENTRY_INTO_FORCE) {
    const wood =
      input.commodity === 'wood'
        ? ` Wood products: Regulation (EU) No 995/2010 (EUTR) applies until ${EUTR_TRANSITION_END} (Art. 37).`
        : '';
    return {
      id: 'production_date',
      status: 'not_applicable',
      reason: `produced ${from} to ${to}, entirely before entry into force on ${ENTRY_INTO_FORCE}: the Regulation does not apply to these products.${wood}`,
      reference,
    };
  }
  const mixed =
    from < ENTRY_INTO_FORCE
      ? ` Part of the production predates ${ENTRY_INTO_FORCE}; it is treated as in scope because the lots are declared together.`
      : '';
  return {
    id: 'production_date',
    status: 'pass',
    reason: `produced ${from} to ${to}: the Regulation applies (production from ${ENTRY_INTO_FORCE}).${mixed}`,
    reference,
  };
}

export function countryRiskCheck(
  country: string,
  level: CountryRiskLevel,
  basis: string,
  simplified: boolean,
): Check {
  const regime = simplified
    ? 'simplified due diligence: no risk assessment or mitigation needed (Art. 13(1))'
    : 'full due diligence: information, risk assessment and mitigation (Arts. 9-11)';
  return {
    id: 'country_risk',
    status: 'pass',
    reason: `${country}: ${level} risk (${basis}); ${regime}; competent authorities check ${CHECK_RATES[level]} (Art. 16)`,
    reference: 'Art. 29, Implementing Regulation (EU) 2025/1093; Art. 13, Art. 16',
  };
}

export function riskAssessmentCheck(input: EudrInput, level: CountryRiskLevel, simplified: boolean): Check {
  const reference = 'Art. 10, Art. 11, Art. 13';
  if (simplified) {
    return {
      id: 'risk_assessment',
      status: 'not_applicable',
      reason:
        'every plot is in a low-risk country and no information points to a risk: simplified due diligence (Art. 13(1))',
      reference,
    };
  }
  const why =
    level === 'low'
      ? 'low-risk country, but the operator knows of information pointing to a risk, so Arts. 10-11 apply (Art. 13(2))'
      : `${level}-risk country`;
  if (input.evidence.risk_assessment_done !== true) {
    return {
      id: 'risk_assessment',
      status: 'fail',
      reason: `${why}: no Art. 10 risk assessment is recorded`,
      reference,
    };
  }
  if (input.evidence.risk_negligible !== true) {
    return {
      id: 'risk_assessment',
      status: 'fail',
      reason: `${why}: the risk assessment (after any Art. 11 mitigation) did not conclude that the risk is negligible; the products may not be placed on the market (Art. 3(c), Art. 10(1))`,
      reference,
    };
  }
  return {
    id: 'risk_assessment',
    status: 'pass',
    reason: `${why}: risk assessment done and the risk is negligible`,
    reference,
  };
}
