import type { DatasetInfo, EmissionFactor, FactorDiff } from '../factors/types.js';

export interface PointInTimeQuery {
  readonly activity: string;
  readonly region: string;
  readonly unit: string;
  /** YYYY-MM-DD: the factor must be valid on this day (valid_from <= asOf <= valid_to). */
  readonly asOf: string;
  readonly source?: string;
  readonly datasetVersion?: string;
  /** Deprecated dataset versions are skipped unless this is true. */
  readonly includeDeprecated?: boolean;
}

export interface StoredFactor extends EmissionFactor {
  /** Null for the published (platform-wide) catalogue. */
  readonly tenantId: string | null;
  readonly deprecatedAt: string | null;
}

export interface LoadResult {
  readonly datasets: number;
  readonly inserted: number;
  readonly alreadyPresent: number;
}

export interface FactorStore {
  /** Loads published datasets as platform-wide rows; idempotent (re-loading inserts nothing). */
  loadPublished(datasets: readonly DatasetInfo[], factors: readonly EmissionFactor[]): Promise<LoadResult>;
  /** Candidates valid on the day, tenant-custom first, then newest valid_from. */
  pointInTime(tenantId: string, q: PointInTimeQuery): Promise<StoredFactor[]>;
  /** Published rows of one dataset version (platform-wide only). */
  publishedVersion(source: string, version: string): Promise<StoredFactor[]>;
  diff(source: string, fromVersion: string, toVersion: string): Promise<FactorDiff>;
  deprecate(source: string, version: string, reason: string): Promise<number>;
  addCustom(tenantId: string, factor: EmissionFactor): Promise<StoredFactor>;
  listCustom(tenantId: string): Promise<StoredFactor[]>;
}
