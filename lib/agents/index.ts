/**
 * Every agent the platform ships: the four built-in TypeScript agents and the declarative
 * (JSONata) agents under `declarative/specs`. Registries and the CLI list from here.
 */
import { buildingEnergyAgent } from './building-energy/index.js';
import { cbamAgent } from './cbam/index.js';
import { declarativeAgents } from './declarative/index.js';
import { eudrAgent } from './eudr/index.js';
import { fuelEmissionsAgent } from './fuel-emissions/index.js';
import type { Agent } from './types.js';

export function builtinAgents(): Agent[] {
  return [fuelEmissionsAgent, cbamAgent, buildingEnergyAgent, eudrAgent] as Agent[];
}

/** Built-in first, then declarative; ids are unique across both (checked). */
export function allAgents(): Agent[] {
  const all = [...builtinAgents(), ...(declarativeAgents() as Agent[])];
  const seen = new Set<string>();
  for (const a of all) {
    if (seen.has(a.id)) throw new Error(`Two shipped agents share the id '${a.id}'`);
    seen.add(a.id);
  }
  return all;
}

export function findAgent(id: string): Agent | undefined {
  return allAgents().find((a) => a.id === id);
}

export { runAgent } from './runner.js';
export type { Agent, AgentContext, AgentResult, Provenance } from './types.js';
