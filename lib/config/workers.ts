/**
 * The two worker fleets as plain data: which agents each runs, how the Lambda event sources
 * read each priority queue, and the per-environment sizing schema of the Fargate service.
 * The workers stack reads this; a runtime router can read the same rule. No SDK or CDK imports.
 *
 * Routing rule: an agent runs on Lambda when its manifest `timeoutMs` fits the Lambda budget
 * (the function timeout minus the handler's release margin and claim/store round trips);
 * longer agents belong to the Fargate fleet, which has no 15-minute cap and drains within
 * the 30 s stop timeout. Both fleets consume P0..P3 today (the conditional RUNNING claim makes
 * competing consumers safe): Lambda takes bursts within its per-priority concurrency caps,
 * Fargate (mostly Spot) scales out on a sustained backlog.
 */
import * as z from 'zod';
import { PRIORITIES, WORKER_LAMBDA_TIMEOUT_SECONDS } from './queues.js';
import type { Priority } from './queues.js';

/** Lambda time kept back from an agent: the 3 s release margin plus the claim and final writes. */
export const LAMBDA_OVERHEAD_MS = 10_000;
/** The longest manifest timeout a Lambda worker accepts. */
export const LAMBDA_AGENT_BUDGET_MS = WORKER_LAMBDA_TIMEOUT_SECONDS * 1000 - LAMBDA_OVERHEAD_MS;

export type WorkerFleet = 'lambda' | 'fargate';

/** Which fleet runs an agent with this manifest timeout. */
export function workerFleetFor(timeoutMs: number): WorkerFleet {
  return timeoutMs <= LAMBDA_AGENT_BUDGET_MS ? 'lambda' : 'fargate';
}

export interface LambdaEventSourceSettings {
  /** Records per invocation (standard queues: 1..10 without a batching window). */
  readonly batchSize: number;
  /** Wait this long to fill a batch; 0 = invoke as soon as a record arrives. */
  readonly maxBatchingWindowSeconds: number;
}

/**
 * P0 is interactive: one record per invocation, no batching delay. Lower priorities trade
 * latency for fewer invocations (bigger batches, longer windows).
 */
export const LAMBDA_EVENT_SOURCES: Readonly<Record<Priority, LambdaEventSourceSettings>> = {
  P0: { batchSize: 1, maxBatchingWindowSeconds: 0 },
  P1: { batchSize: 5, maxBatchingWindowSeconds: 1 },
  P2: { batchSize: 10, maxBatchingWindowSeconds: 5 },
  P3: { batchSize: 10, maxBatchingWindowSeconds: 20 },
};

/** Lambda's event-source MaximumConcurrency range. */
const EsmConcurrency = z.number().int().min(2).max(1000);

export const WorkersConfigSchema = z
  .object({
    lambda: z
      .object({
        memoryMiB: z.number().int().min(128).max(10_240),
        /** Concurrent invocations per priority queue (P0 highest). */
        maxConcurrency: z.object({
          P0: EsmConcurrency,
          P1: EsmConcurrency,
          P2: EsmConcurrency,
          P3: EsmConcurrency,
        }),
      })
      .strict(),
    fargate: z
      .object({
        /** Fargate arm64 sizes: 256..16384 CPU units; memory must match the CPU size. */
        cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)]),
        memoryMiB: z.number().int().min(512).max(30_720),
        /** `agent-factory worker --concurrency`: executions per task. */
        concurrency: z.number().int().min(1).max(64),
        minTasks: z.number().int().min(0),
        maxTasks: z.number().int().min(1).max(500),
        /** Tasks always on FARGATE (on-demand); above it, `spotWeight : 1` Spot to on-demand. */
        onDemandBase: z.number().int().min(0),
        spotWeight: z.number().int().min(0).max(10),
        /** Scale out when the P0..P3 backlog reaches this many visible messages (Lambda drains less). */
        scaleOutBacklog: z.number().int().positive(),
        /** Scale in, one task at a time, while the backlog stays below this. */
        scaleInBacklog: z.number().int().min(0),
      })
      .strict(),
  })
  .strict()
  .superRefine((w, ctx) => {
    const caps = PRIORITIES.map((p) => w.lambda.maxConcurrency[p]);
    if (caps.some((c, i) => i > 0 && c > caps[i - 1]!))
      ctx.addIssue({
        code: 'custom',
        path: ['lambda', 'maxConcurrency'],
        message: 'must not grow from P0 to P3 (P0 is the highest priority)',
      });
    const f = w.fargate;
    if (f.minTasks > f.maxTasks)
      ctx.addIssue({ code: 'custom', path: ['fargate', 'minTasks'], message: 'minTasks exceeds maxTasks' });
    if (f.onDemandBase > f.maxTasks)
      ctx.addIssue({
        code: 'custom',
        path: ['fargate', 'onDemandBase'],
        message: 'onDemandBase exceeds maxTasks',
      });
    if (f.scaleInBacklog >= f.scaleOutBacklog)
      ctx.addIssue({
        code: 'custom',
        path: ['fargate', 'scaleInBacklog'],
        message: 'must be below scaleOutBacklog (or the service flaps)',
      });
    if (f.memoryMiB < f.cpu * 2 || f.memoryMiB > f.cpu * 8)
      ctx.addIssue({
        code: 'custom',
        path: ['fargate', 'memoryMiB'],
        message: 'Fargate memory is 2..8 GiB per vCPU',
      });
  });
export type WorkersConfig = z.infer<typeof WorkersConfigSchema>;
