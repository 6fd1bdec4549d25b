/**
 * Declarative ("factory") agents: specs in YAML or JSON with an input JSON Schema and JSONata
 * steps, validated when loaded and run in a sandbox with `$factor` and `$convert` only.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FactorCatalogue } from '../../factors/catalogue.js';
import { loadSpecFile, type DeclarativeAgent } from './loader.js';
import { SpecError } from './spec-error.js';

export { loadSpec, loadSpecFile, loadSpecObject, type DeclarativeAgent } from './loader.js';
export { SpecError, DeclarativeRuntimeError, DeclarativeLimitError } from './spec-error.js';
export { specSchema, type AgentSpec } from './spec.schema.js';

export const SPECS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'specs');

let shipped: readonly DeclarativeAgent[] | undefined;

/** The shipped declarative agents, loaded once. A shipped spec that fails to load is a bug. */
export function declarativeAgents(): DeclarativeAgent[] {
  shipped ??= Object.freeze(
    readdirSync(SPECS_DIR)
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .sort()
      .map((f) => {
        const a = loadSpecFile(join(SPECS_DIR, f), { factors: FactorCatalogue.builtin() });
        if (a instanceof SpecError) throw new Error(`Shipped declarative agent failed to load: ${a.message}`);
        return a;
      }),
  );
  return [...shipped];
}
