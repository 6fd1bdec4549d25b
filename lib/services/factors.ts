/**
 * Factor use cases over the database: load the published catalogue, point-in-time lookup,
 * version comparison, deprecation, tenant-custom factors.
 */
import * as z from 'zod';
import { parseOrThrow } from '../domain/validation.js';
import { ValidationError } from '../domain/errors.js';
import { parseUuid } from '../domain/tenant.js';
import { FactorNotFoundError } from '../factors/catalogue.js';
import type { FactorCatalogue } from '../factors/catalogue.js';
import type { EmissionFactor, FactorDiff } from '../factors/types.js';
import type { FactorStore, LoadResult, PointInTimeQuery, StoredFactor } from '../ports/factor-store.js';

const isoDate = z.iso.date('a date as YYYY-MM-DD');

const PointInTimeSchema = z
  .object({
    activity: z.string().min(1).max(200),
    region: z.string().min(1).max(60),
    unit: z.string().min(1).max(40),
    asOf: isoDate,
    source: z.string().min(1).optional(),
    datasetVersion: z.string().min(1).optional(),
    includeDeprecated: z.boolean().optional(),
  })
  .strict();

/** A tenant's own factor: the same shape as a published one, with a tenant-chosen source. */
export const CustomFactorSchema = z
  .object({
    id: z.string().min(3).max(300),
    source: z.string().min(1).max(60),
    dataset: z.string().min(1).max(120),
    datasetVersion: z.string().min(1).max(60),
    activity: z.string().min(1).max(200),
    name: z.string().min(1).max(300),
    region: z.string().min(1).max(60),
    unit: z.string().min(1).max(40),
    basis: z.enum(['gross', 'net']).optional(),
    valueUnit: z.string().min(1).max(40),
    value: z.number().finite().nonnegative(),
    gases: z
      .object({
        co2: z.number().finite().optional(),
        ch4: z.number().finite().optional(),
        n2o: z.number().finite().optional(),
      })
      .strict()
      .optional(),
    validFrom: isoDate,
    validTo: isoDate.nullable(),
    citation: z.string().min(1).max(2000),
    sourceRowId: z.string().max(200).optional(),
    confidence: z.enum(['high', 'medium', 'low']).optional(),
    pendingVerification: z.boolean().optional(),
    attributes: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
  })
  .strict()
  .refine((f) => f.validTo === null || f.validTo >= f.validFrom, {
    path: ['validTo'],
    message: 'validTo is before validFrom',
  });

export class FactorService {
  constructor(private readonly store: FactorStore) {}

  async loadCatalogue(catalogue: FactorCatalogue): Promise<LoadResult> {
    return this.store.loadPublished(catalogue.datasets(), catalogue.all());
  }

  /** The factor valid on `asOf` as the tenant sees it (its own custom factor wins). */
  async validOn(tenantId: string, raw: unknown): Promise<StoredFactor> {
    const q: PointInTimeQuery = parseOrThrow(PointInTimeSchema, raw, 'factor query');
    const found = await this.store.pointInTime(parseUuid(tenantId), q);
    const best = found[0];
    if (!best) {
      throw new FactorNotFoundError(
        { activity: q.activity, region: q.region, unit: q.unit, asOf: q.asOf },
        'date',
        [],
        'no published or custom factor covers that day for this activity, region and unit' +
          (q.includeDeprecated
            ? ''
            : ' (deprecated dataset versions are excluded unless includeDeprecated is set)'),
      );
    }
    return best;
  }

  async compare(source: string, fromVersion: string, toVersion: string): Promise<FactorDiff> {
    return this.store.diff(source, fromVersion, toVersion);
  }

  async deprecate(source: string, version: string, reason: string): Promise<number> {
    if (reason.trim().length === 0)
      throw new ValidationError([{ path: 'reason', message: 'say why the version is deprecated' }]);
    return this.store.deprecate(source, version, reason);
  }

  async addCustom(tenantId: string, raw: unknown): Promise<StoredFactor> {
    const f = parseOrThrow(CustomFactorSchema, raw, 'custom factor') as EmissionFactor;
    return this.store.addCustom(parseUuid(tenantId), f);
  }

  async listCustom(tenantId: string): Promise<StoredFactor[]> {
    return this.store.listCustom(parseUuid(tenantId));
  }
}
