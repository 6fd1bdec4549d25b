/**
 * The timed part of a worker run: the agent raced against its manifest timeout (warning at
 * 80 %, abort at 100 %) and against shutdown, and the visibility heartbeat that keeps the
 * message hidden while the run lasts. A synchronous agent cannot be interrupted mid-call;
 * the race abandons its result and the store refuses any late write (lease token).
 */
import type { Agent, AgentResult } from '../agents/types.js';
import type { Execution } from '../domain/execution.js';
import type { Queue, QueueMessage } from '../ports/queue.js';
import type { Scheduler, WorkerLog, WorkerMetrics } from './worker-support.js';

/** Why a run stopped before finishing on its own. */
export class Stop extends Error {
  constructor(readonly kind: 'cancelled' | 'released' | 'timed_out') {
    super(kind);
  }
}

interface Timed {
  readonly scheduler: Scheduler;
  readonly log: WorkerLog;
  readonly metrics: WorkerMetrics;
}

export function withTimeout(
  o: Timed,
  agent: Agent,
  execution: Execution,
  run: () => Promise<AgentResult>,
  signal: AbortSignal,
): Promise<AgentResult> {
  const timeoutMs = agent.manifest.timeoutMs;
  return new Promise<AgentResult>((resolve, reject) => {
    const cancelWarn = o.scheduler.after(Math.floor(timeoutMs * 0.8), () => {
      o.metrics.count('ExecutionTimeoutWarning');
      o.log.warn('execution reached 80 % of its time budget', {
        tenantId: execution.tenantId,
        executionId: execution.executionId,
        agentId: agent.id,
        timeoutMs,
      });
    });
    const cancelAbort = o.scheduler.after(timeoutMs, () => settle(() => reject(new Stop('timed_out'))));
    const onAbort = () => settle(() => reject(new Stop('released')));
    signal.addEventListener('abort', onAbort, { once: true });
    function settle(fn: () => void) {
      cancelWarn();
      cancelAbort();
      signal.removeEventListener('abort', onAbort);
      fn();
    }
    if (signal.aborted) return onAbort();
    run().then(
      (r) => settle(() => resolve(r)),
      (err: unknown) => settle(() => reject(err instanceof Error ? err : new Error(String(err)))),
    );
  });
}

/** Extends the message's visibility every half period until the returned stop is called. */
export function runHeartbeat(
  o: Timed & { readonly queue: Queue; readonly visibilityTimeoutMs: number },
  message: QueueMessage,
): () => void {
  let cancel = () => {};
  let stopped = false;
  const beat = () => {
    cancel = o.scheduler.after(o.visibilityTimeoutMs / 2, () => {
      o.queue.changeVisibility(message.queue, message.receiptHandle, o.visibilityTimeoutMs).then(
        () => {
          if (!stopped) beat();
        },
        (err: unknown) =>
          o.log.warn('could not extend visibility', { messageId: message.messageId, error: String(err) }),
      );
    });
  };
  beat();
  return () => {
    stopped = true;
    cancel();
  };
}
