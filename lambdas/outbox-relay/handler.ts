/**
 * The outbox relay in AWS: EventBridge Scheduler invokes it once a minute (its finest rate);
 * each invocation relays for RELAY_DRAIN_SECONDS (50 s of a 60 s timeout), looking at the
 * outbox every RELAY_POLL_MS (1 s) when idle, so a tenant.* or agent.* event waits about a
 * second, and up to ~10 s when it lands in the gap between two invocations. Rows go to the
 * region's EventBridge bus and, with MSK_BOOTSTRAP_BROKERS, to MSK too (topics by family,
 * key = tenant id); a row either bus failed stays pending with the later rows of its tenant.
 *
 * Two invocations overlapping (a slow one, a retry) are harmless: the relay's advisory lock
 * lets one of them relay and the other wait. The database login is the control-plane user
 * over the RDS Proxy with an IAM token (the relay reads every tenant's rows); connections and
 * the MSK producer are opened per invocation and closed at its end, so a frozen container
 * holds nothing.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createPlatformBus, type PlatformBusOptions } from '../../lib/adapters/aws/platform-bus.js';
import { openRdsDatabase } from '../../lib/adapters/aws/rds-database.js';
import { OutboxRelayEnvSchema, type OutboxRelayEnv } from '../../lib/config/events-env.js';
import { describeEnvIssues } from '../../lib/config/runtime-env.js';
import { OutboxLoop, type LoopStats } from '../../lib/services/outbox-loop.js';
import { OutboxRelay } from '../../lib/services/outbox-relay.js';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'glaf-outbox-relay' });

/** Time kept back from the function's timeout for the last round, closing and logging. */
export const RELAY_SAFETY_MS = 8_000;

export interface RelayRun extends LoopStats {
  readonly drainedMs: number;
  readonly targets: readonly string[];
}

export function relayEnv(env: NodeJS.ProcessEnv = process.env): OutboxRelayEnv {
  const parsed = OutboxRelayEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`The outbox relay's environment is incomplete: ${describeEnvIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** One invocation's work: relay until `drainMs` has passed, then stop cleanly and close. */
export async function runRelay(
  env: OutboxRelayEnv,
  drainMs: number,
  options: PlatformBusOptions = {},
): Promise<RelayRun> {
  const db = openRdsDatabase(env, { max: 1 });
  const platformBus = createPlatformBus(env, options);
  const { bus, targets } = platformBus;
  const started = Date.now();
  try {
    const loop = new OutboxLoop({
      relay: new OutboxRelay({ scope: db.scope, bus }),
      intervalMs: env.RELAY_POLL_MS,
      errorBackoffMs: Math.max(env.RELAY_POLL_MS, 2_000),
      logger,
    }).start();
    await new Promise((resolve) => setTimeout(resolve, drainMs));
    await loop.stop();
    return { ...loop.stats(), drainedMs: Date.now() - started, targets };
  } finally {
    await platformBus.close();
    await db.close();
  }
}

export async function handler(
  _event: unknown,
  context?: { getRemainingTimeInMillis(): number },
): Promise<RelayRun> {
  const env = relayEnv();
  const budget = context ? context.getRemainingTimeInMillis() - RELAY_SAFETY_MS : Infinity;
  const drainMs = Math.max(0, Math.min(env.RELAY_DRAIN_SECONDS * 1000, budget));
  const run = await runRelay(env, drainMs);
  logger.info('outbox relay run', { ...run });
  // Not one round got through (database or bus down the whole time): fail the invocation, so
  // the function's Errors metric and alarm show it. Partial failures were logged and retried.
  if (run.rounds === 0 && run.failedRounds > 0) {
    throw new Error(`Outbox relay: all ${run.failedRounds} rounds failed; see the logged errors`);
  }
  return run;
}
