/**
 * `agent-factory worker`: the Fargate container entry. Long-polls the priority queues with
 * weights 8:4:2:1 and runs executions through the shared WorkerService. On SIGTERM (ECS stop)
 * or SIGINT it stops taking work and lets in-flight work finish or releases it within 30 s,
 * inside ECS's default stopTimeout, then exits 0. Configuration comes from the environment
 * (see lib/adapters/worker-runtime.ts); a bad environment exits 2 with what to fix.
 */
import type { EventEmitter } from 'node:events';
import {
  openWorkerRuntime,
  powertoolsLog,
  WorkerConfigError,
  workerEnv,
} from '../adapters/worker-runtime.js';
import { SHUTDOWN_GRACE_MS } from '../config/queues.js';
import { PriorityPoller, type StopReport } from '../services/priority-poller.js';
import type { Out } from './commands.js';

export interface WorkerCommandOptions {
  /** Executions handled at once. */
  readonly concurrency: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Where SIGTERM/SIGINT arrive; default the process. */
  readonly signals?: Pick<EventEmitter, 'once' | 'off'>;
  readonly graceMs?: number;
  /** Long-poll wait; default 20 s (the SQS maximum). */
  readonly waitTimeMs?: number;
}

export async function workerCommand(out: Out, options: WorkerCommandOptions): Promise<number> {
  let env;
  try {
    env = workerEnv(options.env);
  } catch (err) {
    if (!(err instanceof WorkerConfigError)) throw err;
    out.stderr(err.message);
    return 2;
  }
  const rt = await openWorkerRuntime(env);
  const poller = new PriorityPoller({
    queue: rt.queue,
    handle: (m, signal) => rt.worker.handle(m, signal),
    concurrency: options.concurrency,
    log: powertoolsLog(rt.logger),
    ...(options.waitTimeMs !== undefined ? { waitTimeMs: options.waitTimeMs } : {}),
  });
  const signals = options.signals ?? process;
  const flush = setInterval(() => rt.metrics.publishStoredMetrics(), 60_000);
  flush.unref();
  const stopped = new Promise<StopReport>((resolve) => {
    const onSignal = (name: string) => {
      signals.off('SIGTERM', onSignal);
      signals.off('SIGINT', onSignal);
      out.stderr(`${name}: no new work; finishing or releasing in-flight executions`);
      resolve(poller.stop(options.graceMs ?? SHUTDOWN_GRACE_MS));
    };
    signals.once('SIGTERM', onSignal);
    signals.once('SIGINT', onSignal);
  });
  out.stderr(`worker polling P0..P3 (weights 8:4:2:1), concurrency ${options.concurrency}`);
  const loop = poller.start();
  const report = await stopped;
  await loop;
  clearInterval(flush);
  await rt.close();
  out.stdout(JSON.stringify({ stopped: true, ...report }));
  return 0;
}
