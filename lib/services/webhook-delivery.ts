/**
 * One event to one webhook: up to 1 + 3 attempts with exponential backoff, each attempt
 * re-checked by the URL guard (DNS may have changed since the last one), freshly signed
 * (so the receiver's replay window applies to each attempt) and written to the delivery
 * log with its status code and duration. Same body and same event id on every attempt,
 * so a receiver can deduplicate a retry of something it already processed.
 */
import type { DomainEvent } from '../domain/events/envelope.js';
import { SIGNATURE_HEADER, signWebhookPayload } from '../domain/webhook-signature.js';
import type { WebhookDelivery, ExecutionStore } from '../ports/execution-store.js';
import type { HttpSender, PinnedAddress } from '../ports/http-sender.js';

/** The URL guard; a rejection carrying `transient: true` (DNS failure) is retried, others are final. */
export interface UrlChecker {
  check(url: string): Promise<{ readonly url: URL; readonly pinned: PinnedAddress }>;
}

export interface RetryPolicy {
  /** Retries after the first attempt. @default 3 */
  readonly retries: number;
  /** Wait before retry n is base * 2^(n-1). @default 1000 */
  readonly baseDelayMs: number;
  /** @default 10_000 */
  readonly timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 1_000, timeoutMs: 10_000 };

export interface DeliveryDeps {
  readonly guard: UrlChecker;
  readonly sender: HttpSender;
  readonly log: Pick<ExecutionStore, 'recordWebhookDelivery'>;
  readonly clock: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** Monotonic milliseconds for durations. @default performance.now */
  readonly monotonic?: () => number;
  readonly policy?: RetryPolicy;
}

export interface DeliveryTarget {
  readonly tenantId: string;
  readonly webhookId: string;
  readonly url: string;
  readonly secret: string;
}

export interface DeliveryResult {
  readonly webhookId: string;
  readonly delivered: boolean;
  readonly attempts: readonly WebhookDelivery[];
}

interface Outcome {
  readonly status?: number;
  readonly retry: boolean;
  readonly ok: boolean;
}

const isTransient = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && 'transient' in err && err.transient === true;

/** Timeouts, throttling and server errors are worth retrying; other 4xx answers are final. */
const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

async function attempt(
  deps: DeliveryDeps,
  target: DeliveryTarget,
  event: DomainEvent,
  body: string,
  n: number,
): Promise<Outcome> {
  const timeoutMs = (deps.policy ?? DEFAULT_RETRY_POLICY).timeoutMs;
  let guarded;
  try {
    guarded = await deps.guard.check(target.url);
  } catch (err) {
    // Resolves somewhere forbidden now: final, never send. Does not resolve: DNS may recover.
    return { retry: isTransient(err), ok: false } satisfies Outcome;
  }
  const timestamp = Math.floor(deps.clock().getTime() / 1000);
  try {
    const res = await deps.sender.post({
      url: guarded.url,
      pinned: guarded.pinned,
      body,
      timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GLAF-Webhooks/1',
        [SIGNATURE_HEADER]: signWebhookPayload(body, target.secret, timestamp),
        'GLAF-Event-Id': event.id,
        'GLAF-Event-Type': event.type,
        'GLAF-Delivery-Attempt': String(n),
      },
    });
    const ok = res.status >= 200 && res.status < 300;
    return { status: res.status, ok, retry: !ok && retryable(res.status) } satisfies Outcome;
  } catch {
    return { retry: true, ok: false } satisfies Outcome; // connection refused, reset, timeout
  }
}

export async function deliverWithRetries(
  deps: DeliveryDeps,
  target: DeliveryTarget,
  event: DomainEvent,
): Promise<DeliveryResult> {
  const policy = deps.policy ?? DEFAULT_RETRY_POLICY;
  const now = deps.monotonic ?? (() => performance.now());
  const body = JSON.stringify(event);
  const attempts: WebhookDelivery[] = [];
  for (let n = 1; n <= policy.retries + 1; n++) {
    if (n > 1) await deps.sleep(policy.baseDelayMs * 2 ** (n - 2));
    const started = now();
    const outcome = await attempt(deps, target, event, body, n);
    const durationMs = Math.max(0, Math.round(now() - started));
    attempts.push(
      await deps.log.recordWebhookDelivery(target.tenantId, target.webhookId, {
        eventId: event.id,
        eventType: event.type,
        attempt: n,
        outcome: outcome.ok ? 'delivered' : 'failed',
        ...(outcome.status !== undefined ? { responseStatus: outcome.status } : {}),
        durationMs,
      }),
    );
    if (outcome.ok) return { webhookId: target.webhookId, delivered: true, attempts };
    if (!outcome.retry) break;
  }
  return { webhookId: target.webhookId, delivered: false, attempts };
}
