import * as z from 'zod';
import { zodIssues } from '../domain/validation.js';
import type { Agent, AgentContext, AgentManifest, AgentRunOutput, ParseResult } from './types.js';

export { zodIssues } from '../domain/validation.js';

export function parseWith<S extends z.ZodType>(schema: S, raw: unknown): ParseResult<z.output<S>> {
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: zodIssues(r.error) };
}

export interface BuiltinAgentSpec<S extends z.ZodType, O extends z.ZodType> {
  readonly id: string;
  readonly version: string;
  readonly name: string;
  readonly description: string;
  readonly manifest?: Partial<AgentManifest>;
  readonly input: S;
  readonly output: O;
  readonly run: (input: z.output<S>, ctx: AgentContext) => AgentRunOutput<z.output<O>>;
}

/**
 * Builds an Agent from zod schemas; JSON Schemas are derived from the same zod types.
 * They are derived on first read and kept: agents are defined at import, and deriving every
 * agent's two schemas there was half of zod's share of the API and worker cold imports
 * (--cpu-prof of the bundles), for documents that only the registry and its routes read.
 */
export function defineBuiltinAgent<S extends z.ZodType, O extends z.ZodType>(
  spec: BuiltinAgentSpec<S, O>,
): Agent<z.output<S>, z.output<O>> {
  const inputJsonSchema = once(() => z.toJSONSchema(spec.input, { io: 'input', unrepresentable: 'any' }));
  const outputJsonSchema = once(() => z.toJSONSchema(spec.output, { io: 'output', unrepresentable: 'any' }));
  return {
    id: spec.id,
    version: spec.version,
    name: spec.name,
    description: spec.description,
    kind: 'builtin',
    manifest: { timeoutMs: 30_000, syncAllowed: true, ...spec.manifest },
    get inputJsonSchema() {
      return inputJsonSchema();
    },
    get outputJsonSchema() {
      return outputJsonSchema();
    },
    parseInput: (raw) => parseWith(spec.input, raw),
    run: spec.run,
  };
}

/** `make()` on the first call, the same value on every later one. */
function once<T>(make: () => T): () => T {
  let value: { readonly v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}
