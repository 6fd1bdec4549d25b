/** Emission factors and version diffs as the API shows them (snake_case). */
import * as z from 'zod';

import type { EmissionFactor, FactorDiff } from '../../factors/types.js';

export const factorSchema = z.object({
  factor_id: z.string(),
  owner: z.enum(['platform', 'tenant']),
  source: z.string(),
  dataset: z.string(),
  dataset_version: z.string(),
  activity: z.string(),
  name: z.string(),
  region: z.string(),
  unit: z.string(),
  basis: z.enum(['gross', 'net']).nullable(),
  value_unit: z.string(),
  value: z.number(),
  gases: z.object({ co2: z.number(), ch4: z.number(), n2o: z.number() }).partial().nullable(),
  valid_from: z.string(),
  valid_to: z.string().nullable(),
  citation: z.string(),
  source_row_id: z.string().nullable(),
  confidence: z.enum(['high', 'medium', 'low']).nullable(),
  pending_verification: z.boolean(),
  deprecated_at: z.string().nullable(),
  attributes: z.record(z.string(), z.union([z.number(), z.string()])),
});

export const factorDiffSchema = z.object({
  source: z.string(),
  from: z.string(),
  to: z.string(),
  added: z.array(factorSchema),
  removed: z.array(factorSchema),
  changed: z.array(
    z.object({
      key: z.string(),
      before: factorSchema,
      after: factorSchema,
      percent_change: z.number().nullable(),
    }),
  ),
  unchanged: z.number().int(),
});

type Stored = EmissionFactor & { readonly tenantId?: string | null; readonly deprecatedAt?: string | null };

export function factorView(f: Stored): z.output<typeof factorSchema> {
  return {
    factor_id: f.id,
    owner: f.tenantId ? 'tenant' : 'platform',
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
    gases: f.gases ? { ...f.gases } : null,
    valid_from: f.validFrom,
    valid_to: f.validTo,
    citation: f.citation,
    source_row_id: f.sourceRowId ?? null,
    confidence: f.confidence ?? null,
    pending_verification: f.pendingVerification ?? false,
    deprecated_at: f.deprecatedAt ?? null,
    attributes: { ...f.attributes },
  };
}

export function diffView(d: FactorDiff): z.output<typeof factorDiffSchema> {
  return {
    source: d.source,
    from: d.from,
    to: d.to,
    added: d.added.map(factorView),
    removed: d.removed.map(factorView),
    changed: d.changed.map((c) => ({
      key: c.key,
      before: factorView(c.before),
      after: factorView(c.after),
      percent_change: c.percentChange,
    })),
    unchanged: d.unchanged,
  };
}
