/**
 * Registered webhook endpoints (the SQL `webhooks` table, under RLS). The signing secret
 * is never here: `secretRef` points into a SecretStore.
 */

export interface Webhook {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  /** Event types this endpoint receives, e.g. `execution.completed`; `*` = all. */
  readonly events: readonly string[];
  readonly active: boolean;
  readonly createdAt: string;
}

export interface WebhookRecord extends Webhook {
  readonly secretRef: string;
}

export interface NewWebhook {
  readonly url: string;
  readonly events: readonly string[];
  readonly secretRef: string;
}

export interface WebhookStore {
  create(tenantId: string, webhook: NewWebhook): Promise<WebhookRecord>;
  /** NotFoundError when absent or another tenant's (same answer: no oracle). */
  get(tenantId: string, webhookId: string): Promise<WebhookRecord>;
  list(tenantId: string): Promise<WebhookRecord[]>;
  /** Active endpoints subscribed to `eventType` (or to `*`). */
  listForEvent(tenantId: string, eventType: string): Promise<WebhookRecord[]>;
  setActive(tenantId: string, webhookId: string, active: boolean): Promise<WebhookRecord>;
  /** Swaps the secret reference; returns the previous one so the caller can delete it. */
  replaceSecretRef(tenantId: string, webhookId: string, secretRef: string): Promise<string>;
  /** Deletes the row; returns it (for its secretRef). NotFoundError when absent. */
  delete(tenantId: string, webhookId: string): Promise<WebhookRecord>;
}
