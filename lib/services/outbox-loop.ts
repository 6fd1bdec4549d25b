/**
 * Keeps an OutboxRelay running: a round, then at once another while rounds make progress
 * (draining a backlog), else a pause of `intervalMs`; `nudge()` cuts the pause short after a
 * write that filled the outbox. A failed round (database or bus down) is logged and retried
 * after `errorBackoffMs`; the loop itself never stops on an error.
 *
 * `stop()` starts no new round and waits for the one under way, which either commits its
 * marks or rolls them back: rows are marked only after the bus took them, so nothing is
 * lost, and what was published but not marked is published again (same event ids) by the
 * next relay. At least once, as the relay promises.
 *
 * Local mode runs one for the platform's life (lib/http/services.ts); the AWS relay function
 * runs one for most of its invocation (lambdas/outbox-relay). A bus subscriber must not wait
 * for the database: the relay's transaction is open while the bus publishes, and PGlite has
 * one connection.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { EventBus } from '../ports/event-bus.js';
import type { TenantScope } from '../ports/sql.js';
import { OutboxRelay, type RelayReport } from './outbox-relay.js';

/** What the loop needs of the relay (OutboxRelay has it). */
export interface RelayRounds {
  relayOnce(): Promise<RelayReport>;
}

export interface OutboxLoopOptions {
  readonly relay: RelayRounds;
  /** Pause after a round that published nothing. @default 500 */
  readonly intervalMs?: number;
  /** Pause after a round that threw or whose events the bus all refused. @default 5 000 */
  readonly errorBackoffMs?: number;
  readonly logger?: Pick<Logger, 'warn' | 'error'>;
}

export interface LoopStats {
  readonly rounds: number;
  readonly marked: number;
  readonly failedRounds: number;
}

export class OutboxLoop {
  private readonly intervalMs: number;
  private readonly errorBackoffMs: number;
  private readonly logger: Pick<Logger, 'warn' | 'error'>;
  private running: Promise<void> | undefined;
  private stopping = false;
  /** Set by nudge() during a round: skip the pause after it. */
  private again = false;
  private wake: (() => void) | undefined;
  private counts = { rounds: 0, marked: 0, failedRounds: 0 };

  constructor(private readonly options: OutboxLoopOptions) {
    this.intervalMs = options.intervalMs ?? 500;
    this.errorBackoffMs = options.errorBackoffMs ?? 5_000;
    this.logger = options.logger ?? new Logger({ serviceName: 'outbox-relay' });
  }

  /** Starts the rounds (the first one at once). Idempotent while running. */
  start(): this {
    if (!this.running) {
      this.stopping = false;
      this.running = this.loop();
    }
    return this;
  }

  /** Runs the next round now instead of after the pause. */
  nudge(): void {
    this.again = true;
    this.wake?.();
  }

  /** No more rounds; resolves once the round under way has committed or rolled back. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  stats(): LoopStats {
    return { ...this.counts };
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.again = false;
      let pause = this.intervalMs;
      try {
        const report = await this.options.relay.relayOnce();
        this.counts.rounds++;
        this.counts.marked += report.marked;
        this.report(report);
        // Progress means more rows may wait behind this batch: go again without pausing. A bus
        // refusing everything gets the error backoff: each retry republishes the held rows.
        if (report.marked > 0 || report.invalid.length > 0) pause = 0;
        else if (report.retained > 0) pause = this.errorBackoffMs;
      } catch (error) {
        this.counts.failedRounds++;
        pause = this.errorBackoffMs;
        this.logger.error('outbox relay round failed; rows stay pending and are retried', {
          error: error instanceof Error ? error.message : String(error),
          retryInMs: pause,
        });
      }
      if (this.again || this.stopping) continue;
      if (pause > 0) await this.sleep(pause);
    }
  }

  private report(report: RelayReport): void {
    for (const { outboxId, error } of report.invalid) {
      this.logger.error('outbox row fails its event schema; left pending, fix the writer', {
        outboxId,
        error,
      });
    }
    if (report.retained > 0) {
      this.logger.warn('the bus refused outbox events; they and later ones of their tenants wait', {
        retained: report.retained,
      });
    }
  }

  /** Sleeps `ms`, or less when nudged or stopped. Unref'd: a forgotten loop never holds the process. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).then(() => {
      this.wake = undefined;
    });
  }
}

/** A loop over a fresh relay of `scope`'s outbox publishing to `bus`, started. */
export function startOutboxLoop(
  scope: TenantScope,
  bus: EventBus,
  options: Omit<OutboxLoopOptions, 'relay'> & { readonly batchSize?: number } = {},
): OutboxLoop {
  const { batchSize, ...loop } = options;
  const relay = new OutboxRelay({ scope, bus, ...(batchSize ? { batchSize } : {}) });
  return new OutboxLoop({ ...loop, relay }).start();
}
