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

/** Builds an Agent from zod schemas; JSON Schemas are derived from the same zod types. */
export function defineBuiltinAgent<S extends z.ZodType, O extends z.ZodType>(
  spec: BuiltinAgentSpec<S, O>,
): Agent<z.output<S>, z.output<O>> {
  return {
    id: spec.id,
    version: spec.version,
    name: spec.name,
    description: spec.description,
    kind: 'builtin',
    manifest: { timeoutMs: 30_000, syncAllowed: true, ...spec.manifest },
    inputJsonSchema: z.toJSONSchema(spec.input, { io: 'input', unrepresentable: 'any' }),
    outputJsonSchema: z.toJSONSchema(spec.output, { io: 'output', unrepresentable: 'any' }),
    parseInput: (raw) => parseWith(spec.input, raw),
    run: spec.run,
  };
}
