/**
 * The Glue database and one table per `LAKE_TABLES` entry (lib/lake/tables.ts: the columns,
 * types and partition keys come from there, so the catalog, Firehose's Parquet schema and the
 * local DuckDB engine cannot drift), Parquet SerDe, located under the processed bucket.
 *
 * Partition projection, so Athena computes partitions instead of reading them from the catalog
 * (no crawler, no MSCK REPAIR, no partition API calls at write time):
 * - `tenant_id`: `injected`. Tenant ids are UUIDs created at onboarding, unknown at synth, so
 *   `enum` cannot list them and `integer`/`date` do not fit. Injected projection makes Athena
 *   take the values from the query and refuse one without a static `tenant_id = '...'` (or
 *   `IN (...)`) predicate: every lake query names its tenants. The named queries carry it as
 *   `tenant_id IN (?)`, bound with ExecutionParameters (lib/lake/named-queries.ts): a tenant's
 *   own id, or the tenants a control-plane report covers.
 * - `dt`: `date`, `yyyy-MM-dd`, one day apart, from the configured start date to NOW.
 * `storage.location.template` spells the Hive layout `<prefix>tenant_id=${tenant_id}/dt=${dt}/`.
 */
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { LakeColumn, LakeColumnType, LakeTable } from '../../lib/lake/tables.js';

/** Glue database name: letters, digits and underscores only. */
export function lakeDatabaseName(envName: string, tenantId?: string): string {
  return `glaf_${envName}${tenantId ? `_${tenantId.slice(0, 8)}` : ''}_lake`;
}

const SCALAR_TYPES: Readonly<Record<Exclude<LakeColumnType, `decimal(${string}`>, glue.Type>> = {
  string: glue.Schema.STRING,
  bigint: glue.Schema.BIG_INT,
  int: glue.Schema.INTEGER,
  double: glue.Schema.DOUBLE,
  boolean: glue.Schema.BOOLEAN,
  timestamp: glue.Schema.TIMESTAMP,
  date: glue.Schema.DATE,
};

/** The Glue type of a lake column type; its input string is the same Hive type name. */
export function glueType(type: LakeColumnType): glue.Type {
  const decimal = /^decimal\((\d+),(\d+)\)$/.exec(type);
  if (decimal) return glue.Schema.decimal(Number(decimal[1]), Number(decimal[2]));
  const scalar = SCALAR_TYPES[type as keyof typeof SCALAR_TYPES];
  if (!scalar) throw new Error(`No Glue type for lake column type '${type}'`);
  return scalar;
}

const toColumn = (c: LakeColumn): glue.Column => ({
  name: c.name,
  type: glueType(c.type),
  comment: c.comment,
});

export interface LakeCatalogProps {
  readonly databaseName: string;
  readonly tables: readonly LakeTable[];
  /** Holds the Parquet files (the processed bucket). */
  readonly bucket: s3.IBucket;
  /** First projected `dt` (yyyy-MM-dd). */
  readonly partitionStartDate: string;
}

export class LakeCatalog extends Construct {
  readonly database: glue.Database;
  /** By lake table name. */
  readonly tables: ReadonlyMap<string, glue.S3Table>;

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    this.database = new glue.Database(this, 'Database', {
      databaseName: props.databaseName,
      description: 'GL Agent Factory data lake (Parquet, partitioned by tenant_id and dt)',
    });
    const tables = new Map<string, glue.S3Table>();
    for (const t of props.tables) {
      const [tenant, dt] = t.partitionKeys;
      if (tenant?.name !== 'tenant_id' || dt?.name !== 'dt' || t.partitionKeys.length !== 2)
        throw new Error(`Lake table ${t.name}: partition keys must be tenant_id then dt`);
      const table = new glue.S3Table(this, t.name, {
        database: this.database,
        tableName: t.name,
        description: t.description,
        columns: t.columns.map(toColumn),
        partitionKeys: t.partitionKeys.map(toColumn),
        dataFormat: glue.DataFormat.PARQUET,
        storage: glue.S3TableStorage.fromBucket(props.bucket),
        s3Prefix: t.prefix,
        compressed: true,
        partitionProjection: {
          tenant_id: glue.PartitionProjectionConfiguration.injected(),
          dt: glue.PartitionProjectionConfiguration.date({
            min: props.partitionStartDate,
            max: 'NOW',
            format: 'yyyy-MM-dd',
            step: { interval: 1, intervalUnit: glue.DateIntervalUnit.DAYS },
          }),
        },
        parameters: {
          'storage.location.template': `s3://${props.bucket.bucketName}/${t.prefix}tenant_id=\${tenant_id}/dt=\${dt}/`,
        },
      });
      tables.set(t.name, table);
    }
    this.tables = tables;
  }

  /** The L1 table (Firehose's record-format conversion reads its schema). */
  cfnTable(name: string): glue.CfnTable {
    const table = this.tables.get(name);
    if (!table) throw new Error(`No lake table ${name}`);
    return table.node.defaultChild as glue.CfnTable;
  }
}
