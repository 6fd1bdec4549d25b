/** Transactional outbox: events written with the change, published afterwards by a relay. */
export interface OutboxEvent {
  readonly id: number;
  readonly tenantId: string;
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

export interface Outbox {
  /** Unpublished events, oldest first (control plane: across tenants). */
  pending(limit?: number): Promise<OutboxEvent[]>;
  markPublished(ids: readonly number[]): Promise<void>;
  /** A tenant's own events (tenant-scoped read). */
  listForTenant(tenantId: string): Promise<OutboxEvent[]>;
}
