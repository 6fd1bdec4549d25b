/**
 * Webhook delivery in AWS as plain data: the stacks (rule, queue, function) and the consumer
 * (lambdas/webhook-delivery) read the same numbers. No SDK or CDK imports.
 *
 * Sizing: one delivery is at most 1 + 3 attempts, each a DNS check (5 s) and a request (10 s),
 * with 1 + 2 + 4 s of backoff between them: 67 s. The webhooks of one event, and the events of
 * one batch, are delivered side by side, so the function timeout covers one delivery with room
 * for the secret and store calls; test/webhooks/webhook-delivery-lambda.test.ts checks it against
 * the retry policy.
 */

/** Secrets Manager name prefix of one environment's webhook signing secrets. */
export function webhookSecretPrefix(envName: string): string {
  return `glaf/${envName}/webhooks`;
}

export const WEBHOOK_DELIVERY = {
  timeoutSeconds: 120,
  /** SQS visibility: >= 6 x the function timeout (FIELD-NOTES). */
  visibilityTimeoutSeconds: 720,
  /** Events per invocation; no batching window (a webhook is expected within seconds). */
  batchSize: 10,
  /** Concurrent invocations: bounds the proxy connections and the outbound burst. */
  maxConcurrency: 20,
  /** A claimed (event, webhook) pair is held for the invocation's lifetime at most. */
  claimLeaseMs: 120_000,
} as const;
