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
    readonly areaHa: number | null;
    readonly productionPeriod: { readonly from: string; readonly to: string };
  };
}

export interface DueDiligenceStatement {
  readonly status: StatementStatus;
  /** Failed checks that stop the statement (Art. 3: no placing on the market). */
  readonly blockedBy: readonly string[];
  /** Fields still to complete before submission to the information system. */
  readonly missingFields: readonly string[];
  /** Annex II point 1. */
  readonly operator: { readonly name: string; readonly address: string; readonly eori: string | null };
  /** Annex II point 2. */
  readonly product: {
    readonly hsCode: string;
    readonly description: string;
    readonly tradeName: string | null;
    readonly scientificName: string | null;
    readonly netMassKg: number;
    readonly supplementaryUnit: { readonly unit: string; readonly quantity: number } | null;
  };
  /** Annex II point 3. */
  readonly countryOfProduction: string;
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
  if (input.commodity === 'wood' && input.product.scientificName === undefined) {
    missing.push('product.scientificName (full scientific name of the wood species)');
  }
  if (input.operator.signatory === undefined)
    missing.push('operator.signatory (name and function of the signatory)');
  if (input.assessmentDate === undefined) missing.push('assessmentDate (date of the statement)');
  const features: PlotFeature[] = input.plots.map((p) => ({
    type: 'Feature',
    geometry: p.geometry,
    properties: {
      id: p.id,
      areaHa: p.areaHa ?? null,
      productionPeriod: p.productionPeriod ?? input.productionPeriod,
    },
  }));
  return {
    status,
    blockedBy: failedChecks,
    missingFields: missing,
    operator: {
      name: input.operator.name,
      address: input.operator.address,
      eori: input.operator.eori ?? null,
    },
    product: {
      hsCode,
      description: input.product.description,
      tradeName: input.product.tradeName ?? null,
      scientificName: input.product.scientificName ?? null,
      netMassKg: input.product.netMassKg,
      supplementaryUnit: input.product.supplementaryUnit ?? null,
    },
    countryOfProduction: input.countryOfProduction,
    geolocation: { type: 'FeatureCollection', features },
    declaration: status === 'draft' ? DDS_DECLARATION : null,
    signature: {
      name: input.operator.signatory?.name ?? null,
      function: input.operator.signatory?.function ?? null,
      date: input.assessmentDate ?? null,
    },
  };
}
