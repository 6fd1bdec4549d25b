export { buildingEnergyAgent } from './agent.js';
export type { BuildingEnergyInput, BuildingEnergyOutput } from './schema.js';
