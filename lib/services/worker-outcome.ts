/**
 * What a worker run produces and receives: hook names and context, the decision about the
 * message, and the reason stored on a FAILED execution.
 */
import type { Agent, AgentResult } from '../agents/types.js';
import { DomainError, ValidationError } from '../domain/errors.js';
import type { Execution, ExecutionError } from '../domain/execution.js';
import type { QueueMessage } from '../ports/queue.js';

export type HookName = 'preInit' | 'postInit' | 'preExec' | 'postExec' | 'cleanup';
export interface HookContext {
  readonly execution: Execution;
  readonly message: QueueMessage;
  readonly agent?: Agent;
  readonly result?: AgentResult;
}
export type WorkerHooks = Partial<Record<HookName, (ctx: HookContext) => void | Promise<void>>>;

export type Outcome =
  | 'completed'
  | 'failed'
  | 'timed_out'
  | 'cancelled'
  | 'retry'
  | 'released'
  | 'duplicate'
  | 'deferred'
  | 'poison';

export interface HandleResult {
  readonly outcome: Outcome;
  /** true: remove the message. false: leave it; it becomes visible again after visibilityMs. */
  readonly delete: boolean;
  readonly visibilityMs?: number;
  readonly reason?: string;
}

export const done = (outcome: Outcome, reason?: string): HandleResult => ({ outcome, delete: true, reason });
export const again = (outcome: Outcome, visibilityMs: number, reason?: string): HandleResult => ({
  outcome,
  delete: false,
  visibilityMs: Math.max(0, Math.round(visibilityMs)),
  reason,
});

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The reason stored on a FAILED execution: domain errors keep their code and issues. */
export function executionErrorOf(err: unknown): ExecutionError {
  if (err instanceof ValidationError)
    return { code: 'invalid_input', message: err.message, issues: err.issues.slice(0, 200) };
  if (err instanceof DomainError) return { code: err.code.slice(0, 64), message: err.message.slice(0, 2000) };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'agent_error', message: (message || 'the agent failed').slice(0, 2000) };
}
