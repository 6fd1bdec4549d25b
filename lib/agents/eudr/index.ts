export { eudrAgent } from './agent.js';
export { EUDR_SCHEMA_VERSION, type EudrOutput } from './output.schema.js';
export type { EudrInput } from './input.schema.js';
export { DEFAULT_AREA_TOLERANCE, CUTOFF_DATE, POINT_MAX_HA } from './rules.js';
