/**
 * The shape of a declarative agent spec (YAML or JSON). Only the structure is checked
 * here; expressions, the input JSON Schema and factor references are checked by the loader.
 */
import semver from 'semver';
import * as z from 'zod';

/** JSONata bindings a step may not take: host functions, and names JSONata or we reserve. */
export const RESERVED_STEP_NAMES: ReadonlySet<string> = new Set(['factor', 'convert']);

const stepName = z
  .string()
  .regex(
    /^[a-z][A-Za-z0-9_]*$/,
    'must be an identifier starting with a lower-case letter (letters, digits, _)',
  )
  .refine((n) => !RESERVED_STEP_NAMES.has(n), { message: 'is reserved for a host function' });

/** Output is one expression, or a (nested) object whose leaves are expressions. */
export type OutputSpec = string | { readonly [key: string]: OutputSpec };
export const outputSpec: z.ZodType<OutputSpec> = z.lazy(() =>
  z.union([
    z.string().min(1, 'must be a non-empty JSONata expression'),
    z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier'), outputSpec),
  ]),
);

export const specSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug (a-z, 0-9, single hyphens)')
      .max(64),
    version: z
      .string()
      .refine((v) => semver.valid(v) === v, { message: 'must be a semantic version like 1.0.0' }),
    name: z.string().min(1).max(120),
    description: z.string().min(1).max(2000),
    /** Published sources the agent's factors come from, for readers of the spec. */
    references: z.array(z.string().min(1)).optional(),
    input: z.record(z.string(), z.unknown(), { error: 'missing JSON Schema' }),
    steps: z
      .array(
        z
          .object({ name: stepName, expression: z.string().min(1, 'must be a non-empty JSONata expression') })
          .strict(),
      )
      .max(50),
    output: outputSpec,
    manifest: z
      .object({
        /** Wall-clock budget of one run, all steps together. */
        timeoutMs: z.number().int().min(1).max(30_000).optional(),
        /** Deepest nesting of JSONata evaluation allowed (stops runaway recursion). */
        maxDepth: z.number().int().min(10).max(5_000).optional(),
        syncAllowed: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.steps.forEach((s, i) => {
      if (seen.has(s.name))
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'name'],
          message: `duplicate step name "${s.name}"`,
        });
      seen.add(s.name);
    });
  });

export type AgentSpec = z.infer<typeof specSchema>;

export const DEFAULT_TIMEOUT_MS = 2_000;
export const DEFAULT_MAX_DEPTH = 1_000;
