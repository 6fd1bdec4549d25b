/**
 * The embedded default of the ExecutionDispatcher port: runs each dispatched execution in
 * this process right away, in the background (dispatch returns once it is handed over, as
 * with a queue). The queue engine replaces it in AWS and for the worker fleet.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { ExecutionDispatcher, ExecutionPriority } from '../../ports/execution-dispatcher.js';

/** What runs a stored execution (ExecutionRunner in lib/services/execution-runner.ts). */
export interface StoredExecutionRunner {
  run(tenantId: string, executionId: string): Promise<unknown>;
}

export class InlineDispatcher implements ExecutionDispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly logger: Pick<Logger, 'error'>;

  constructor(
    private readonly runner: StoredExecutionRunner,
    logger?: Pick<Logger, 'error'>,
  ) {
    this.logger = logger ?? new Logger({ serviceName: 'inline-dispatcher' });
  }

  // Priority does not reorder anything here: every execution starts at once.
  dispatch(tenantId: string, executionId: string, _priority: ExecutionPriority): Promise<void> {
    const run = (async () => {
      // Yield first so the API answers 202 before the agent starts computing.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.runner.run(tenantId, executionId);
    })()
      .catch((err: unknown) => {
        // The runner records agent failures itself; this is the store being unavailable.
        this.logger.error('Dispatched execution could not be run', {
          tenantId,
          executionId,
          error: err as Error,
        });
      })
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return Promise.resolve();
  }

  /** Resolves when every dispatched execution has finished (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
