/**
 * Worker test bench over the real components: the DynamoDB execution store on dynalite, the
 * in-process queue, the shipped agents. Time is explicit: one fake clock drives the store's
 * leases and the queue's visibility, and a manual scheduler fires the worker's timers
 * (80 % warning, 100 % abort, heartbeats) when a test says so.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbExecutionStore } from '../../lib/adapters/aws/dynamodb-execution-store.js';
import { ensureTable } from '../../lib/adapters/aws/dynamodb-table.js';
import { dynaliteClient, startDynalite, type RunningDynalite } from '../../lib/adapters/local/dynalite.js';
import { MemoryQueue } from '../../lib/adapters/local/memory-queue.js';
import { QueueDispatcher } from '../../lib/adapters/queue-dispatcher.js';
import { allAgents } from '../../lib/agents/index.js';
import type { Agent, AgentResult } from '../../lib/agents/types.js';
import { EXECUTION_TABLE } from '../../lib/config/execution-table.js';
import { priorityOf, type QueueName } from '../../lib/config/queues.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import type { QueueMessage } from '../../lib/ports/queue.js';
import { WorkerService, type WorkerOptions } from '../../lib/services/worker.js';
import {
  CountingMetrics,
  shippedAgentResolver,
  type AgentResolver,
  type LogAttributes,
  type Scheduler,
  type WorkerLog,
} from '../../lib/services/worker-support.js';

export const fuelInput = {
  factor_source: 'DESNZ',
  lines: [
    {
      id: 'gas',
      fuel: 'Natural gas',
      quantity: 1000,
      unit: 'kWh',
      period: { start: '2024-01-01', end: '2024-12-31' },
    },
  ],
};

/**
 * A tenant's own declarative agent (registry tests). DESNZ 2024 'Onsite heat and steam'
 * 0.17965 kg CO2e/kWh: 2 MWh = 2000 kWh -> 359.3 kg.
 */
export const heatSpec = {
  id: 'site-heat',
  version: '1.1.0',
  name: 'Site heat',
  description: 'Onsite heat and steam bought in MWh, DESNZ 2024',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['mwh'],
    properties: { mwh: { type: 'number', minimum: 0 } },
  },
  steps: [
    { name: 'kwh', expression: "$convert(mwh, 'MWh', 'kWh')" },
    { name: 'f', expression: "$factor('heat-steam/onsite', 'GB', 'kWh')" },
  ],
  output: { kwh: '$kwh', kg_co2e: '$kwh * $f.value' },
};

export class ManualScheduler implements Scheduler {
  private timers: { at: number; fn: () => void; live: boolean }[] = [];
  private now = 0;
  after(ms: number, fn: () => void): () => void {
    const t = { at: this.now + ms, fn, live: true };
    this.timers.push(t);
    return () => void (t.live = false);
  }
  /** Fires, in time order, every live timer due within `ms` from now. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      next.live = false;
      this.now = next.at;
      next.fn();
    }
    this.now = until;
  }
  get live(): number {
    return this.timers.filter((t) => t.live).length;
  }
}

export class RecordingLog implements WorkerLog {
  readonly lines: { level: string; message: string; attributes?: LogAttributes }[] = [];
  info = (message: string, attributes?: LogAttributes) =>
    void this.lines.push({ level: 'info', message, attributes });
  warn = (message: string, attributes?: LogAttributes) =>
    void this.lines.push({ level: 'warn', message, attributes });
  error = (message: string, attributes?: LogAttributes) =>
    void this.lines.push({ level: 'error', message, attributes });
}

/** A test agent whose run waits until the test lets it finish (or never). */
export function gatedAgent(id: string, timeoutMs: number, onRun?: () => Promise<void>) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const state = { runs: 0, open: () => open() };
  const agent: Agent = {
    id,
    version: '1.0.0',
    name: id,
    description: 'test agent',
    kind: 'builtin',
    manifest: { timeoutMs, syncAllowed: false },
    inputJsonSchema: {},
    outputJsonSchema: {},
    parseInput: (raw) => ({ ok: true, value: raw }),
    run: async (input) => {
      state.runs++;
      await onRun?.();
      await gate;
      return { output: { echoed: input }, factorsUsed: [] };
    },
  };
  return { agent, state };
}

export function throwingAgent(id: string): Agent {
  return {
    ...gatedAgent(id, 5_000).agent,
    run: () => Promise.reject(new Error('division by zero in step 3')),
  };
}

export const settle = () => new Promise((r) => setImmediate(r));

export interface Bench {
  readonly tenant: string;
  readonly store: DynamoDbExecutionStore;
  readonly queue: MemoryQueue;
  readonly dispatcher: QueueDispatcher;
  readonly scheduler: ManualScheduler;
  readonly metrics: CountingMetrics;
  readonly log: RecordingLog;
  advance(ms: number): void;
  now(): Date;
  worker(extra?: Partial<WorkerOptions> & { fixtures?: Agent[] }): WorkerService;
  submit(agentId: string, input: unknown, version?: string, priority?: number): Promise<string>;
  receiveOne(queue?: QueueName): Promise<QueueMessage>;
}

export interface BenchFactory {
  bench(tenant?: string): Bench;
  close(): Promise<void>;
}

export async function openBenchFactory(): Promise<BenchFactory> {
  const dynalite: RunningDynalite = await startDynalite();
  const client: DynamoDBClient = dynaliteClient(dynalite.endpoint);
  await ensureTable(client, EXECUTION_TABLE, 'executions');
  const context = { factors: FactorCatalogue.builtin() };
  const shipped = allAgents();
  return {
    close: async () => {
      client.destroy();
      await dynalite.close();
    },
    bench: (tenant = randomUUID()) => {
      let ms = Date.parse('2026-03-01T09:00:00Z');
      const clock = () => new Date(ms);
      const store = new DynamoDbExecutionStore({ client, tableName: 'executions', clock });
      const queue = new MemoryQueue({ clock: () => ms });
      const dispatcher = new QueueDispatcher(queue);
      const scheduler = new ManualScheduler();
      const metrics = new CountingMetrics();
      const log = new RecordingLog();

      return {
        tenant,
        store,
        queue,
        dispatcher,
        scheduler,
        metrics,
        log,
        advance: (d) => void (ms += d),
        now: clock,
        worker: ({ fixtures = [], ...extra } = {}) => {
          const base = shippedAgentResolver(shipped);
          const agents: AgentResolver = (t, id, v) => {
            const f = fixtures.find((a) => a.id === id);
            return f ? Promise.resolve(f) : base(t, id, v);
          };
          return new WorkerService({
            store,
            queue,
            agents,
            context,
            scheduler,
            clock,
            metrics,
            log,
            ...extra,
          });
        },
        submit: async (agentId, input, version = '1.0.0', priority = 2) => {
          const { execution } = await store.create(tenant, {
            agentId,
            agentVersion: version,
            input,
            priority,
          });
          await dispatcher.dispatch(tenant, execution.executionId, priorityOf(priority));
          return execution.executionId;
        },
        receiveOne: async (q = 'P2') => {
          const [m] = await queue.receive(q);
          if (!m) throw new Error(`expected a message on ${q}`);
          return m;
        },
      };
    },
  };
}

export type { AgentResult };
