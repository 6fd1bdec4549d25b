/**
 * `agent-factory redrive [queue]`: moves dead-lettered messages back to their source queue
 * (P0..P3, batch, or all). Workers then acknowledge those whose execution already ended
 * (FAILED stays FAILED) and run those still PENDING, e.g. after a crash loop was fixed.
 */
import { openQueueFromEnv, WorkerConfigError } from '../adapters/worker-runtime.js';
import { QUEUE_NAMES, type QueueName } from '../config/queues.js';
import type { Queue } from '../ports/queue.js';
import type { Out } from './commands.js';

export function parseQueueArg(value: string): QueueName[] {
  if (value === 'all') return [...QUEUE_NAMES];
  if ((QUEUE_NAMES as readonly string[]).includes(value)) return [value as QueueName];
  throw new WorkerConfigError([
    { path: ['queue'], message: `'${value}' is not one of ${QUEUE_NAMES.join(', ')}, all` },
  ]);
}

/** Redrives each named queue; prints one JSON line per queue. */
export async function redrive(out: Out, queue: Queue, names: readonly QueueName[]): Promise<number> {
  let total = 0;
  for (const name of names) {
    const moved = await queue.redrive(name);
    total += moved;
    out.stdout(JSON.stringify({ queue: name, moved }));
  }
  return total;
}

export async function redriveCommand(
  out: Out,
  queueArg: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let opened;
  let names: QueueName[];
  try {
    names = parseQueueArg(queueArg);
    opened = openQueueFromEnv(env);
  } catch (err) {
    if (!(err instanceof WorkerConfigError)) throw err;
    out.stderr(err.message);
    return 2;
  }
  try {
    await redrive(out, opened.queue, names);
    return 0;
  } finally {
    opened.close();
  }
}
