/**
 * Data-lake settings per environment (the lake stack reads them). Kept apart from
 * `EnvironmentConfigSchema` so the lake's knobs live in one small file; validated once at
 * import like the environments. Plain data and zod only.
 */
import * as z from 'zod';
import { ENVIRONMENT_NAMES } from './app-config.js';
import type { EnvironmentName } from './app-config.js';

export const LakeSettingsSchema = z
  .object({
    /** Athena cancels a query that scans more than this (Athena's minimum is 10 MB). */
    bytesScannedCutoffPerQuery: z.number().int().min(10_000_000),
    /**
     * Firehose buffering: a Parquet file is written when either limit is reached. Dynamic
     * partitioning requires at least 64 MiB; fewer, larger files are cheaper to query.
     */
    firehoseBufferMiB: z.number().int().min(64).max(128),
    firehoseBufferSeconds: z.number().int().min(60).max(900),
    /** First `dt` partition Athena projects (yyyy-MM-dd); the last is today (NOW). */
    partitionStartDate: z.iso.date(),
    /** Athena query results are deleted after this many days. */
    queryResultsDays: z.number().int().min(1).max(365),
  })
  .strict();
export type LakeSettings = z.infer<typeof LakeSettingsSchema>;

const GB = 1_000_000_000;

const RAW: Readonly<Record<EnvironmentName, LakeSettings>> = {
  dev: {
    bytesScannedCutoffPerQuery: 1 * GB,
    firehoseBufferMiB: 64,
    firehoseBufferSeconds: 60,
    partitionStartDate: '2025-01-01',
    queryResultsDays: 7,
  },
  staging: {
    bytesScannedCutoffPerQuery: 10 * GB,
    firehoseBufferMiB: 64,
    firehoseBufferSeconds: 300,
    partitionStartDate: '2025-01-01',
    queryResultsDays: 14,
  },
  prod: {
    bytesScannedCutoffPerQuery: 100 * GB,
    firehoseBufferMiB: 128,
    firehoseBufferSeconds: 900,
    partitionStartDate: '2025-01-01',
    queryResultsDays: 30,
  },
};

export const LAKE_SETTINGS: Readonly<Record<EnvironmentName, LakeSettings>> = Object.fromEntries(
  ENVIRONMENT_NAMES.map((name) => [name, LakeSettingsSchema.parse(RAW[name])]),
) as Record<EnvironmentName, LakeSettings>;
