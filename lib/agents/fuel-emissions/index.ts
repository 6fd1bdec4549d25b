export { fuelEmissionsAgent } from './agent.js';
export type { FuelEmissionsInput, FuelEmissionsOutput } from './schema.js';
