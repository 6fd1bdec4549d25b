/**
 * The data lake's tables as plain data, defined once: the CDK lake stack builds the Glue
 * tables (and Firehose's Parquet conversion schema) from them, the row builders fill them,
 * and the local DuckDB engine checks its Parquet files against them, so the three cannot
 * drift. No I/O, no SDK or CDK imports.
 *
 * Layout (S3 and `.data/lake` alike): `<prefix>tenant_id=<uuid>/dt=<yyyy-MM-dd>/<file>.parquet`.
 * Partition keys are not stored inside the Parquet files (Hive style): the path carries them.
 * Numbers are `double` so every figure lands exactly as the agent returned it.
 */

export type LakeColumnType =
  'string' | 'bigint' | 'int' | 'double' | 'boolean' | 'timestamp' | 'date' | `decimal(${number},${number})`;

export interface LakeColumn {
  readonly name: string;
  readonly type: LakeColumnType;
  readonly comment: string;
}

export interface LakeTable {
  /** Glue / Athena table name, snake_case. */
  readonly name: string;
  readonly description: string;
  /** Key prefix under the lake bucket, and directory under `<dataDir>/lake`. */
  readonly prefix: string;
  readonly columns: readonly LakeColumn[];
  /** Always tenant_id then dt. */
  readonly partitionKeys: readonly LakeColumn[];
}

const col = (name: string, type: LakeColumnType, comment: string): LakeColumn => ({ name, type, comment });

export const LAKE_PARTITION_KEYS: readonly LakeColumn[] = [
  col('tenant_id', 'string', 'Owning tenant (uuid); Lake Formation / the local runner filter on it'),
  col('dt', 'string', 'UTC date (yyyy-MM-dd) the row was produced: execution end, audit entry time'),
];

const execRef = [
  col('execution_id', 'string', 'Execution id'),
  col('agent_id', 'string', 'Agent id'),
  col('agent_version', 'string', 'Agent version (semver)'),
] as const;

const provenance = [
  col('provenance_hash', 'string', 'SHA-256 provenance hash of the execution result (sha256/rfc8785)'),
  col('computed_at', 'timestamp', 'When the execution reached its terminal state (UTC)'),
] as const;

const table = (name: string, description: string, columns: readonly LakeColumn[]): LakeTable => ({
  name,
  description,
  prefix: `${name}/`,
  columns,
  partitionKeys: LAKE_PARTITION_KEYS,
});

export const EXECUTIONS_TABLE = table('executions', 'One row per execution in a terminal state', [
  ...execRef,
  col('status', 'string', 'COMPLETED, FAILED, TIMED_OUT or CANCELLED'),
  col('priority', 'int', 'Queue priority 0 (highest) .. 3'),
  col('attempts', 'int', 'Claims made (a redelivered execution is claimed again)'),
  col('served_from_cache', 'boolean', 'Result served from the result cache instead of computed'),
  col('error_code', 'string', 'Error code when not COMPLETED'),
  col('created_at', 'timestamp', 'Submission time (UTC)'),
  col('completed_at', 'timestamp', 'Terminal state time (UTC)'),
  col('duration_ms', 'bigint', 'completed_at - created_at in milliseconds (queueing included)'),
  col('input_bytes', 'bigint', 'Size of the JSON input (cost allocation)'),
  col('output_bytes', 'bigint', 'Size of the JSON output (cost allocation)'),
  col('line_items', 'int', 'Rows this execution wrote to emission_results'),
  col('co2e_kg', 'double', 'Sum of co2e_kg of those rows'),
  col('provenance_hash', 'string', 'SHA-256 provenance hash of the result, null unless COMPLETED'),
]);

export const EMISSION_RESULTS_TABLE = table(
  'emission_results',
  'One row per calculated emission line item of a completed execution',
  [
    ...execRef,
    col('line_index', 'int', 'Position of the line in the agent output'),
    col('site', 'string', "Caller's reference for the line (line id, meter, property type)"),
    col('scope', 'int', 'GHG Protocol scope 1, 2 or 3'),
    col('category', 'string', 'e.g. stationary_combustion, mobile_combustion, purchased_electricity'),
    col('activity', 'string', 'Activity / fuel / energy carrier as the factor set names it'),
    col('quantity', 'double', 'Activity quantity as given'),
    col('unit', 'string', 'Unit of quantity'),
    col('factor_id', 'string', 'Emission factor id (null when none applies)'),
    col('factor_value', 'double', 'Factor value'),
    col('factor_unit', 'string', 'Unit of the factor value, e.g. kgCO2e/kWh'),
    col('dataset_version', 'string', 'Version of the factor dataset'),
    col('co2e_kg', 'double', 'kg CO2e'),
    col('co2_kg', 'double', 'kg CO2 where the factor publishes a gas split'),
    col('ch4_kg_co2e', 'double', 'kg CO2e of CH4 where published'),
    col('n2o_kg_co2e', 'double', 'kg CO2e of N2O where published'),
    col('period_start', 'date', 'Activity period start, when the input gives one'),
    col('period_end', 'date', 'Activity period end, when the input gives one'),
    col('activity_date', 'date', 'period_end, else the reporting year end, else the computation date'),
    ...provenance,
  ],
);

export const CBAM_IMPORT_LINES_TABLE = table('cbam_import_lines', 'One row per CBAM import line', [
  ...execRef,
  col('line_index', 'int', 'Position of the line in the input'),
  col('quarter', 'string', 'Report quarter, e.g. 2026-Q1'),
  col('phase', 'string', 'transitional or definitive'),
  col('cn_code', 'string', 'CN code (8 digits)'),
  col('sector', 'string', 'CBAM sector'),
  col('country_of_origin', 'string', 'ISO 3166-1 alpha-2'),
  col('quantity_t', 'double', 'Net mass imported, tonnes'),
  col('direct_tco2e', 'double', 'Embedded direct emissions, tCO2e'),
  col('indirect_tco2e', 'double', 'Embedded indirect emissions, tCO2e (null when not applicable)'),
  col('total_tco2e', 'double', 'Embedded total emissions, tCO2e'),
  col('direct_source', 'string', 'actual, default, mixed or not_applicable'),
  col('default_factor_id', 'string', 'Default value factor id used for the total, if any'),
  col('dataset_version', 'string', 'Dataset version of that default'),
  col('certificates_tco2e', 'double', 'CBAM certificates to surrender for the line (null if none)'),
  col('cost_eur', 'double', 'Certificate cost, EUR (null without a carbon price)'),
  ...provenance,
]);

export const EUDR_CHECKS_TABLE = table('eudr_checks', 'One row per EUDR due-diligence check (execution)', [
  ...execRef,
  col('commodity', 'string', 'Annex I commodity'),
  col('hs_code', 'string', 'HS/CN code as declared (no spaces or dots)'),
  col('country_of_production', 'string', 'ISO 3166-1 alpha-2'),
  col('risk_level', 'string', 'Country risk: low, standard or high'),
  col('country_risk_factor_id', 'string', 'Factor id of the country risk classification'),
  col('due_diligence', 'string', 'simplified or full'),
  col('outcome', 'string', 'negligible_risk, non_compliant or out_of_scope'),
  col('checks_total', 'int', 'Checks evaluated'),
  col('checks_failed', 'int', 'Checks failed'),
  col('failed_checks', 'string', 'Comma-separated ids of failed checks'),
  col('plots', 'int', 'Plots of land'),
  col('computed_polygon_area_ha', 'double', 'Computed polygon area, ha'),
  col('declared_area_ha', 'double', 'Declared area, ha'),
  col('net_mass_kg', 'double', 'Net mass of the product, kg'),
  col('statement_status', 'string', 'draft, blocked or not_required'),
  ...provenance,
]);

export const AUDIT_EVENTS_TABLE = table('audit_events', 'One row per audit log entry', [
  col(
    'seq',
    'bigint',
    "Position in the tenant's hash chain; (tenant_id, seq) is the entry (copied at least once: dedupe on it)",
  ),
  col('occurred_at', 'timestamp', 'When (UTC)'),
  col('actor', 'string', 'User id, api-key:<id> or system:<service>'),
  col('action', 'string', 'Dotted action, e.g. tenant.created'),
  col('target', 'string', 'Object acted on'),
  col('data_json', 'string', 'Entry data as canonical JSON'),
  col('prev_hash', 'string', 'Hash of the previous entry'),
  col('hash', 'string', 'Hash of this entry'),
]);

export const LAKE_TABLES: readonly LakeTable[] = [
  EXECUTIONS_TABLE,
  EMISSION_RESULTS_TABLE,
  CBAM_IMPORT_LINES_TABLE,
  EUDR_CHECKS_TABLE,
  AUDIT_EVENTS_TABLE,
];

export type LakeTableName =
  'executions' | 'emission_results' | 'cbam_import_lines' | 'eudr_checks' | 'audit_events';

export function lakeTable(name: LakeTableName): LakeTable {
  const t = LAKE_TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`unknown lake table ${name}`);
  return t;
}
