/**
 * The contract every calculation agent meets, built-in (TypeScript) or declarative
 * (JSONata spec): validate input, run deterministically, cite the factors used.
 */
import type { Issue } from '../domain/errors.js';
import type { FactorCatalogue } from '../factors/catalogue.js';
import type { FactorRef } from '../factors/types.js';

export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: Issue[] };

export interface AgentContext {
  readonly factors: FactorCatalogue;
}

/** What a run returns before the runner adds provenance. */
export interface AgentRunOutput<O> {
  readonly output: O;
  /** Every factor the calculation read, in the order first used. */
  readonly factorsUsed: readonly FactorRef[];
}

export interface AgentManifest {
  /** Wall-clock budget for one execution. */
  readonly timeoutMs: number;
  /** Whether the API may run it inline (synchronous mode). */
  readonly syncAllowed: boolean;
}

export interface Agent<I = unknown, O = unknown> {
  readonly id: string;
  /** Semantic version of the agent's logic and schemas. */
  readonly version: string;
  readonly name: string;
  readonly description: string;
  readonly kind: 'builtin' | 'declarative';
  readonly manifest: AgentManifest;
  /** JSON Schema (draft 2020-12) of the input, for docs, OpenAPI and registries. */
  readonly inputJsonSchema: Readonly<Record<string, unknown>>;
  readonly outputJsonSchema: Readonly<Record<string, unknown>>;
  parseInput(raw: unknown): ParseResult<I>;
  /**
   * Pure and deterministic: same input and catalogue, same output. May throw DomainError.
   * Built-in agents return synchronously; declarative ones (JSONata) return a promise.
   */
  run(input: I, ctx: AgentContext): AgentRunOutput<O> | Promise<AgentRunOutput<O>>;
}

/** A cited factor as it appears in a provenance record (the API's snake_case). */
export interface ProvenanceFactor {
  readonly id: string;
  readonly dataset: string;
  readonly dataset_version: string;
}

export interface Provenance {
  readonly agent_id: string;
  readonly agent_version: string;
  readonly factors: readonly ProvenanceFactor[];
  /** SHA-256 (hex) of RFC 8785 canonical JSON of {agent_id, agent_version, input, factors}. */
  readonly hash: string;
  readonly algorithm: 'sha256/rfc8785';
}

export type AgentResult<O = unknown> =
  | { readonly ok: true; readonly output: O & { readonly provenance: Provenance } }
  | { readonly ok: false; readonly issues: Issue[] };
