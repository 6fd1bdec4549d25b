/**
 * Settles each (event, webhook) pair once, across redeliveries of the same event: the SQS
 * consumer in AWS gets every event at least once, and sometimes twice on purpose (the worker
 * and the stream processor publish the same execution event with the same id). Before a
 * delivery the consumer claims the pair for a lease; afterwards it records the final outcome.
 * A later copy of the event finds the pair settled and sends nothing; a copy arriving while
 * another consumer holds the lease is told to come back later (the lease ends with the holder's
 * invocation, so a crashed holder never blocks the pair for good).
 */

/** The final outcome of a pair: delivered, or given up after the retries (or refused by the URL guard). */
export type SettledOutcome = 'delivered' | 'failed';

export type LedgerClaim =
  | { readonly status: 'claimed'; readonly token: string }
  | { readonly status: 'settled'; readonly outcome: SettledOutcome }
  | { readonly status: 'busy' };

export interface WebhookDeliveryLedger {
  /** Takes the pair for `leaseMs` unless it is settled or another holder's lease is still running. */
  claim(tenantId: string, webhookId: string, eventId: string, leaseMs: number): Promise<LedgerClaim>;
  /** Records the final outcome; the first settlement of a pair wins. */
  settle(tenantId: string, webhookId: string, eventId: string, outcome: SettledOutcome): Promise<void>;
  /** Gives a claim back (the delivery could not run: store or secret store failed), so a retry may claim at once. */
  release(tenantId: string, webhookId: string, eventId: string, token: string): Promise<void>;
}
