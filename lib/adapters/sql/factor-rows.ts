/** Mapping between EmissionFactor and emission_factors rows (one place for both directions). */
import type { EmissionFactor } from '../../factors/types.js';
import type { StoredFactor } from '../../ports/factor-store.js';
import { iso } from './pg-errors.js';

export const FACTOR_COLUMNS =
  'tenant_id, factor_id, source, dataset, dataset_version, activity, name, region, unit, basis, value_unit, ' +
  'value, gases, valid_from, valid_to, citation, source_row_id, confidence, pending_verification, attributes';

/** Select list matching FactorRow: calendar dates as text so no driver shifts them by a timezone. */
export const FACTOR_SELECT =
  'tenant_id, factor_id, source, dataset, dataset_version, activity, name, region, unit, basis, value_unit, value, ' +
  'gases, valid_from::text as valid_from, valid_to::text as valid_to, citation, source_row_id, confidence, ' +
  'pending_verification, attributes, deprecated_at';

/** Rows arrive as one JSON array parameter: one round trip per batch, typed by this list. */
export const FACTOR_RECORDSET = `jsonb_to_recordset($1::jsonb) as x(
  tenant_id uuid, factor_id text, source text, dataset text, dataset_version text, activity text, name text,
  region text, unit text, basis text, value_unit text, value double precision, gases jsonb, valid_from date,
  valid_to date, citation text, source_row_id text, confidence text, pending_verification boolean, attributes jsonb)`;

export function toFactorRecord(f: EmissionFactor, tenantId: string | null): Record<string, unknown> {
  return {
    tenant_id: tenantId,
    factor_id: f.id,
    source: f.source,
    dataset: f.dataset,
    dataset_version: f.datasetVersion,
    activity: f.activity,
    name: f.name,
    region: f.region,
    unit: f.unit,
    basis: f.basis ?? null,
    value_unit: f.valueUnit,
    value: f.value,
    gases: f.gases ?? null,
    valid_from: f.validFrom,
    valid_to: f.validTo,
    citation: f.citation,
    source_row_id: f.sourceRowId ?? null,
    confidence: f.confidence ?? null,
    pending_verification: f.pendingVerification ?? false,
    attributes: f.attributes ?? null,
  };
}

export interface FactorRow {
  tenant_id: string | null;
  factor_id: string;
  source: string;
  dataset: string;
  dataset_version: string;
  activity: string;
  name: string;
  region: string;
  unit: string;
  basis: 'gross' | 'net' | null;
  value_unit: string;
  value: number;
  gases: EmissionFactor['gases'] | null;
  valid_from: string;
  valid_to: string | null;
  citation: string;
  source_row_id: string | null;
  confidence: EmissionFactor['confidence'] | null;
  pending_verification: boolean;
  attributes: EmissionFactor['attributes'] | null;
  deprecated_at: Date | string | null;
}

/** Optional fields absent in the source stay absent (not null), so rows equal the catalogue's. */
export function toStoredFactor(r: FactorRow): StoredFactor {
  return {
    id: r.factor_id,
    source: r.source,
    dataset: r.dataset,
    datasetVersion: r.dataset_version,
    activity: r.activity,
    name: r.name,
    region: r.region,
    unit: r.unit,
    ...(r.basis ? { basis: r.basis } : {}),
    valueUnit: r.value_unit,
    value: Number(r.value),
    ...(r.gases ? { gases: r.gases } : {}),
    validFrom: r.valid_from,
    validTo: r.valid_to,
    citation: r.citation,
    ...(r.source_row_id ? { sourceRowId: r.source_row_id } : {}),
    ...(r.confidence ? { confidence: r.confidence } : {}),
    ...(r.pending_verification ? { pendingVerification: true } : {}),
    ...(r.attributes ? { attributes: r.attributes } : {}),
    tenantId: r.tenant_id,
    deprecatedAt: r.deprecated_at === null ? null : iso(r.deprecated_at),
  };
}
