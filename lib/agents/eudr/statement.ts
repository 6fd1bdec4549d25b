/**
 * Draft due diligence statement with the Annex II fields (as amended by Reg. 2025/2650:
 * point 4 deleted). The geolocation reuses the validated input geometries, not copies.
 */
import type { EudrInput } from './input.schema.js';
import { DDS_DECLARATION } from './rules.js';
import type { PlotGeometry } from './geojson.schema.js';

export type StatementStatus = 'draft' | 'blocked' | 'not_required';

export interface PlotFeature {
  readonly type: 'Feature';
  readonly geometry: PlotGeometry;
  readonly properties: {
    readonly id: string;
    readonly area_ha: number | null;
    readonly production_period: { readonly from: string; readonly to: string };
  };
}

export interface DueDiligenceStatement {
  readonly status: StatementStatus;
  /** Failed checks that stop the statement (Art. 3: no placing on the market). */
  readonly blocked_by: readonly string[];
  /** Fields still to complete before submission to the information system. */
  readonly missing_fields: readonly string[];
  /** Annex II point 1. */
  readonly operator: { readonly name: string; readonly address: string; readonly eori: string | null };
  /** Annex II point 2. */
  readonly product: {
    readonly hs_code: string;
    readonly description: string;
    readonly trade_name: string | null;
    readonly scientific_name: string | null;
    readonly net_mass_kg: number;
    readonly supplementary_unit: { readonly unit: string; readonly quantity: number } | null;
  };
  /** Annex II point 3. */
  readonly country_of_production: string;
  readonly geolocation: { readonly type: 'FeatureCollection'; readonly features: readonly PlotFeature[] };
  /** Annex II point 5; null while the statement is blocked or not required. */
  readonly declaration: string | null;
  /** Annex II point 6: signed by a person when submitted. */
  readonly signature: {
    readonly name: string | null;
    readonly function: string | null;
    readonly date: string | null;
  };
}

export function draftStatement(
  input: EudrInput,
  hsCode: string,
  failedChecks: readonly string[],
  regulationApplies: boolean,
): DueDiligenceStatement {
  const status: StatementStatus = !regulationApplies
    ? 'not_required'
    : failedChecks.length
      ? 'blocked'
      : 'draft';
  const missing: string[] = [];
  if (input.operator.eori === undefined) missing.push('operator.eori (required for import and export)');
  if (input.commodity === 'wood' && input.product.scientific_name === undefined) {
    missing.push('product.scientific_name (full scientific name of the wood species)');
  }
  if (input.operator.signatory === undefined)
    missing.push('operator.signatory (name and function of the signatory)');
  if (input.assessment_date === undefined) missing.push('assessment_date (date of the statement)');
  const features: PlotFeature[] = input.plots.map((p) => ({
    type: 'Feature',
    geometry: p.geometry,
    properties: {
      id: p.id,
      area_ha: p.area_ha ?? null,
      production_period: p.production_period ?? input.production_period,
    },
  }));
  return {
    status,
    blocked_by: failedChecks,
    missing_fields: missing,
    operator: {
      name: input.operator.name,
      address: input.operator.address,
      eori: input.operator.eori ?? null,
    },
    product: {
      hs_code: hsCode,
      description: input.product.description,
      trade_name: input.product.trade_name ?? null,
      scientific_name: input.product.scientific_name ?? null,
      net_mass_kg: input.product.net_mass_kg,
      supplementary_unit: input.product.supplementary_unit ?? null,
    },
    country_of_production: input.country_of_production,
    geolocation: { type: 'FeatureCollection', features },
    declaration: status === 'draft' ? DDS_DECLARATION : null,
    signature: {
      name: input.operator.signatory?.name ?? null,
      function: input.operator.signatory?.function ?? null,
      date: input.assessment_date ?? null,
    },
  };
}
