/**
 * `cbam`: EU Carbon Border Adjustment Mechanism. Embedded emissions (direct, indirect,
 * total) of imported goods per quarterly report period, which values are defaults, and in
 * the definitive period (2026+) the CBAM certificate obligation for a given carbon price.
 */
import { defineBuiltinAgent } from '../zod-agent.js';
import { calculateCbam } from './calculate.js';
import { cbamInputSchema, cbamOutputSchema } from './schema.js';

export const cbamAgent = defineBuiltinAgent({
  id: 'cbam',
  version: '1.0.0',
  name: 'EU CBAM embedded emissions and certificate obligation',
  description:
    'Regulation (EU) 2023/956: per import line (CN code, country of origin, tonnes, optional actual emissions) ' +
    'the specific and total embedded emissions, default vs actual values, and the certificate obligation.',
  input: cbamInputSchema,
  output: cbamOutputSchema,
  run: (input, ctx) => calculateCbam(input, ctx.factors),
});

export { CBAM_SCHEMA_VERSION } from './schema.js';
export type { CbamInput, CbamOutput } from './schema.js';
