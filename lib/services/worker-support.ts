/**
 * What the worker needs besides the store and the queue: a scheduler (timers, injectable so
 * tests fire the 80 % warning, the 100 % abort and heartbeats deterministically), a logger
 * and metrics shaped like Powertools', and how an (agent id, version) becomes runnable code.
 */
import type { Agent, AgentContext } from '../agents/types.js';
import type { AgentRegistryService } from './agent-registry.js';
import { agentFor } from './agent-registry-certify.js';

export interface Scheduler {
  /** Runs `fn` once after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** setTimeout, unref'd so a pending heartbeat never keeps a finished process alive. */
export const realScheduler: Scheduler = {
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

export type LogAttributes = Record<string, string | number | boolean | undefined>;

export interface WorkerLog {
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}

export const silentLog: WorkerLog = { info: () => {}, warn: () => {}, error: () => {} };

export const WORKER_METRICS = [
  'ExecutionCompleted',
  'ExecutionFailed',
  'ExecutionRetried',
  'ExecutionTimedOut',
  'ExecutionTimeoutWarning',
  'ExecutionCancelled',
  'ExecutionReleased',
  'DuplicateDelivery',
  'PoisonMessage',
] as const;
export type WorkerMetric = (typeof WORKER_METRICS)[number];

export interface WorkerMetrics {
  count(name: WorkerMetric, value?: number): void;
}

/** Counters kept in process: local mode reads them, tests assert on them. */
export class CountingMetrics implements WorkerMetrics {
  private readonly counts = new Map<WorkerMetric, number>();
  count(name: WorkerMetric, value = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
  get(name: WorkerMetric): number {
    return this.counts.get(name) ?? 0;
  }
}

/** Runnable code for an execution's agent id and exact version, as seen by its tenant. */
export type AgentResolver = (tenantId: string, agentId: string, version: string) => Promise<Agent>;

export class AgentNotRunnableError extends Error {
  constructor(agentId: string, version: string, reason: string) {
    super(`Agent ${agentId}@${version} cannot run: ${reason}`);
    this.name = 'AgentNotRunnableError';
  }
}

/** Shipped agents only (no registry): enough for the platform's own agents. */
export function shippedAgentResolver(agents: readonly Agent[]): AgentResolver {
  return (_tenantId, agentId, version) => {
    const found = agents.find((a) => a.id === agentId && a.version === version);
    return found
      ? Promise.resolve(found)
      : Promise.reject(
          new AgentNotRunnableError(agentId, version, 'no shipped agent has this id and version'),
        );
  };
}

/**
 * Through the registry (tenant agents and platform agents, exact pin), memoised per tenant
 * and version: a stored version never changes, so the loaded spec can be reused.
 */
export function registryAgentResolver(
  registry: AgentRegistryService,
  builtins: readonly Agent[],
  ctx: AgentContext,
): AgentResolver {
  const cache = new Map<string, Promise<Agent>>();
  return (tenantId, agentId, version) => {
    const key = `${tenantId}\n${agentId}\n${version}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = registry
        .resolve(tenantId, `${agentId}@${version}`)
        .then((r) => agentFor(r.agent, r.version, builtins, ctx));
      void hit.catch(() => cache.delete(key));
      cache.set(key, hit);
    }
    return hit;
  };
}
