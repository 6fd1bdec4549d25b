/**
 * FactorStore over PostgreSQL: the published catalogue as platform-wide temporal rows
 * (tenant_id NULL, written by the admin role only) plus tenant-custom rows under RLS.
 */
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { FactorCatalogue } from '../../factors/catalogue.js';
import type { DatasetInfo, EmissionFactor, FactorDiff } from '../../factors/types.js';
import type { FactorStore, LoadResult, PointInTimeQuery, StoredFactor } from '../../ports/factor-store.js';
import type { TenantScope } from '../../ports/sql.js';
import { UNIQUE_VIOLATION, sqlState } from './pg-errors.js';
import {
  FACTOR_COLUMNS,
  FACTOR_RECORDSET,
  FACTOR_SELECT,
  toFactorRecord,
  toStoredFactor,
} from './factor-rows.js';
import type { FactorRow } from './factor-rows.js';

const BATCH = 500;

export class SqlFactorStore implements FactorStore {
  constructor(private readonly scope: TenantScope) {}

  loadPublished(datasets: readonly DatasetInfo[], factors: readonly EmissionFactor[]): Promise<LoadResult> {
    return this.scope.withAdmin(async (tx) => {
      for (const d of datasets) {
        await tx.query(
          `insert into factor_datasets (tenant_id, source, dataset, version, title, citation, valid_from, valid_to, factor_count)
           values (null, $1, $2, $3, $4, $5, $6, $7, $8)
           on conflict (tenant_id, source, dataset, version) do nothing`,
          [d.source, d.dataset, d.version, d.title, d.citation, d.validFrom, d.validTo, d.factorCount],
        );
      }
      let inserted = 0;
      for (let i = 0; i < factors.length; i += BATCH) {
        const batch = factors.slice(i, i + BATCH).map((f) => toFactorRecord(f, null));
        const res = await tx.query(
          `insert into emission_factors (${FACTOR_COLUMNS})
           select ${FACTOR_COLUMNS} from ${FACTOR_RECORDSET}
           on conflict (tenant_id, factor_id) do nothing`,
          [JSON.stringify(batch)],
        );
        inserted += res.rowCount;
      }
      return { datasets: datasets.length, inserted, alreadyPresent: factors.length - inserted };
    });
  }

  pointInTime(tenantId: string, q: PointInTimeQuery): Promise<StoredFactor[]> {
    return this.scope.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<FactorRow>(
        `select ${FACTOR_SELECT} from emission_factors
         where activity = $1 and region = $2 and unit = $3
           and valid_from <= $4::date and (valid_to is null or valid_to >= $4::date)
           and ($5::text is null or source = $5) and ($6::text is null or dataset_version = $6)
           and ($7::boolean or deprecated_at is null)
         order by (tenant_id is null), valid_from desc, factor_id`,
        [
          q.activity,
          q.region,
          q.unit,
          q.asOf,
          q.source ?? null,
          q.datasetVersion ?? null,
          q.includeDeprecated ?? false,
        ],
      );
      return rows.map(toStoredFactor);
    });
  }

  publishedVersion(source: string, version: string): Promise<StoredFactor[]> {
    return this.scope.withAdmin(async (tx) => {
      const { rows } = await tx.query<FactorRow>(
        `select ${FACTOR_SELECT} from emission_factors
         where tenant_id is null and source = $1 and dataset_version = $2 order by factor_id`,
        [source, version],
      );
      return rows.map(toStoredFactor);
    });
  }

  async diff(source: string, fromVersion: string, toVersion: string): Promise<FactorDiff> {
    const versions = await this.scope.withAdmin(async (tx) => {
      const { rows } = await tx.query<{ v: string }>(
        'select distinct dataset_version as v from emission_factors where tenant_id is null and source = $1 order by 1',
        [source],
      );
      return rows.map((r) => r.v);
    });
    if (versions.length === 0) throw new NotFoundError('factor source', source, 'no published rows for it');
    for (const v of [fromVersion, toVersion]) {
      if (!versions.includes(v))
        throw new NotFoundError(`${source} version`, v, `Allowed: ${versions.join(', ')}`);
    }
    const rows = [
      ...(await this.publishedVersion(source, fromVersion)),
      ...(await this.publishedVersion(source, toVersion)),
    ];
    // Same comparison rule as the in-memory catalogue (key = activity|region|unit|basis).
    return new FactorCatalogue(rows, []).diff(source, fromVersion, toVersion);
  }

  deprecate(source: string, version: string, reason: string): Promise<number> {
    return this.scope.withAdmin(async (tx) => {
      const ds = await tx.query(
        `update factor_datasets set deprecated_at = coalesce(deprecated_at, now()), deprecation_reason = $3
         where tenant_id is null and source = $1 and version = $2`,
        [source, version, reason],
      );
      const fs = await tx.query(
        `update emission_factors set deprecated_at = coalesce(deprecated_at, now())
         where tenant_id is null and source = $1 and dataset_version = $2`,
        [source, version],
      );
      if (ds.rowCount === 0 && fs.rowCount === 0) {
        const { rows } = await tx.query<{ k: string }>(
          "select distinct source || ' ' || version as k from factor_datasets where tenant_id is null order by 1",
        );
        throw new NotFoundError(
          'dataset version',
          `${source} ${version}`,
          `Allowed: ${rows.map((r) => r.k).join(', ')}`,
        );
      }
      return fs.rowCount;
    });
  }

  addCustom(tenantId: string, factor: EmissionFactor): Promise<StoredFactor> {
    return this.scope
      .withTenant(tenantId, async (tx) => {
        const { rows } = await tx.query<FactorRow>(
          `insert into emission_factors (${FACTOR_COLUMNS})
           select ${FACTOR_COLUMNS} from ${FACTOR_RECORDSET}
           returning ${FACTOR_SELECT}`,
          [JSON.stringify([toFactorRecord(factor, tenantId)])],
        );
        return toStoredFactor(rows[0]!);
      })
      .catch((err: unknown) => {
        if (sqlState(err) === UNIQUE_VIOLATION) {
          throw new ConflictError(`Custom factor '${factor.id}' already exists for this tenant`, {
            id: factor.id,
          });
        }
        throw err;
      });
  }

  listCustom(tenantId: string): Promise<StoredFactor[]> {
    return this.scope.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<FactorRow>(
        `select ${FACTOR_SELECT} from emission_factors
         where tenant_id = $1 order by factor_id`,
        [tenantId],
      );
      return rows.map(toStoredFactor);
    });
  }
}
