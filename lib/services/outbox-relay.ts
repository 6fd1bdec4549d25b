/**
 * The outbox relay: publishes the rows of the SQL `outbox` table (written in the same
 * transaction as the change they announce) and marks them published.
 *
 * - At least once: a row is marked only after the bus accepted (or dead-lettered) it; a
 *   crash between publish and mark republishes it with the SAME event id (derived from the
 *   row id), so consumers deduplicate.
 * - In order per tenant: rows are read in id order and handed to the bus in that order; a
 *   row the bus refused is left pending together with every later row of its tenant.
 * - Two relays: one transaction-scoped advisory lock; the relay that does not get it does
 *   nothing this round. (`for update skip locked` would let the second relay take a
 *   tenant's next rows while the first still publishes earlier ones: out of order.)
 *
 * Runs as the control plane (`withAdmin`, BYPASSRLS): it reads every tenant's rows.
 */
import { deterministicEventId, type DomainEvent } from '../domain/events/envelope.js';
import { isEventType, EVENT_CATALOGUE } from '../domain/events/catalogue.js';
import { InvalidEventError, validateEvent } from '../domain/events/validate.js';
import type { EventBus } from '../ports/event-bus.js';
import type { SqlQueryable, TenantScope } from '../ports/sql.js';

/** Arbitrary but fixed: every relay of this database contends for the same lock. */
export const OUTBOX_RELAY_LOCK = 7_242_881_001;

interface Row {
  id: string | number;
  tenant_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  created_at: Date | string;
}

export interface RelayReport {
  /** false: another relay holds the lock; nothing was read. */
  readonly locked: boolean;
  readonly read: number;
  readonly marked: number;
  /** Rows left pending because the bus refused them or an earlier row of their tenant. */
  readonly retained: number;
  /**
   * Rows whose event fails its schema: left pending and never published; this relay skips
   * them from now on (a restarted relay reports them again). Fix the writer, then repair them.
   */
  readonly invalid: readonly { readonly outboxId: number; readonly error: string }[];
}

export interface OutboxRelayOptions {
  readonly scope: TenantScope;
  readonly bus: EventBus;
  /** @default 100 */
  readonly batchSize?: number;
}

export function eventOfRow(row: Row): DomainEvent {
  const time =
    row.created_at instanceof Date ? row.created_at.toISOString() : new Date(row.created_at).toISOString();
  const type = row.event_type;
  return validateEvent({
    id: deterministicEventId(`outbox:${String(row.id)}`),
    type,
    // Rows written under an older version still validate under the current one (compat test).
    version: isEventType(type) ? EVENT_CATALOGUE[type].version : 0,
    time,
    tenantId: row.tenant_id,
    source: 'glaf',
    detail: row.payload,
  });
}

export class OutboxRelay {
  private readonly batchSize: number;
  /** Rows found invalid: skipped by later reads so they cannot fill every batch and stall the relay. */
  private readonly invalidIds = new Set<number>();

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 100;
  }

  /** One batch: lock, read pending rows in id order, publish, mark. */
  relayOnce(): Promise<RelayReport> {
    return this.options.scope.withAdmin(async (tx) => {
      const lock = await tx.query<{ locked: boolean }>(
        'select pg_try_advisory_xact_lock($1::bigint) as locked',
        [OUTBOX_RELAY_LOCK],
      );
      if (!lock.rows[0]?.locked) return { locked: false, read: 0, marked: 0, retained: 0, invalid: [] };
      const { rows } = await tx.query<Row>(
        `select id, tenant_id, event_type, payload, created_at from outbox
          where published_at is null and not (id = any($2::bigint[])) order by id limit $1`,
        [this.batchSize, [...this.invalidIds]],
      );
      return this.publishRows(tx, rows);
    });
  }

  private async publishRows(tx: SqlQueryable, rows: readonly Row[]): Promise<RelayReport> {
    const invalid: { outboxId: number; error: string }[] = [];
    const events: { outboxId: number; event: DomainEvent }[] = [];
    for (const row of rows) {
      try {
        events.push({ outboxId: Number(row.id), event: eventOfRow(row) });
      } catch (error) {
        if (!(error instanceof InvalidEventError)) throw error;
        invalid.push({ outboxId: Number(row.id), error: error.message });
        this.invalidIds.add(Number(row.id));
      }
    }
    const result = await this.options.bus.publish(events.map((e) => e.event));
    const refused = new Set(result.failed.map((f) => f.event.id));
    // The first refused row of each tenant: it and everything after it of that tenant wait.
    const firstRefused = new Map<string, number>();
    for (const { outboxId, event } of events) {
      if (refused.has(event.id) && !firstRefused.has(event.tenantId))
        firstRefused.set(event.tenantId, outboxId);
    }
    const markable = events
      .filter(({ outboxId, event }) => outboxId < (firstRefused.get(event.tenantId) ?? Infinity))
      .map((e) => e.outboxId);
    if (markable.length > 0) {
      await tx.query('update outbox set published_at = now() where id = any($1::bigint[])', [markable]);
    }
    return {
      locked: true,
      read: rows.length,
      marked: markable.length,
      retained: events.length - markable.length,
      invalid,
    };
  }

  /**
   * Relays until a round finds nothing to publish. A relay locked out by another one waits
   * `idleMs` and tries again, so two draining relays both finish once the outbox is empty.
   * Stops early when a round makes no progress (the bus keeps refusing).
   */
  async drain(options: { idleMs?: number; maxRounds?: number } = {}): Promise<number> {
    let total = 0;
    for (let round = 0; round < (options.maxRounds ?? 10_000); round++) {
      const r = await this.relayOnce();
      if (!r.locked) {
        await new Promise((resolve) => setTimeout(resolve, options.idleMs ?? 5));
        continue;
      }
      total += r.marked;
      // Progress is a marked row or a newly skipped invalid one; none means done or a refusing bus.
      if (r.marked === 0 && r.invalid.length === 0) return total;
    }
    return total;
  }
}
