/** Transactional outbox over PostgreSQL. `enqueueOutbox` joins the caller's transaction. */
import type { Outbox, OutboxEvent } from '../../ports/outbox.js';
import type { SqlQueryable, TenantScope } from '../../ports/sql.js';
import { iso } from './pg-errors.js';

interface OutboxRow {
  id: string | number;
  tenant_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  created_at: Date | string;
}

const toEvent = (r: OutboxRow): OutboxEvent => ({
  id: Number(r.id),
  tenantId: r.tenant_id,
  type: r.event_type,
  payload: r.payload,
  createdAt: iso(r.created_at),
});

export async function enqueueOutbox(
  tx: SqlQueryable,
  tenantId: string,
  type: string,
  payload: Record<string, unknown>,
): Promise<void> {
  await tx.query('insert into outbox (tenant_id, event_type, payload) values ($1, $2, $3)', [
    tenantId,
    type,
    payload,
  ]);
}

export class SqlOutbox implements Outbox {
  constructor(private readonly scope: TenantScope) {}

  pending(limit = 100): Promise<OutboxEvent[]> {
    return this.scope.withAdmin(async (tx) => {
      const { rows } = await tx.query<OutboxRow>(
        'select id, tenant_id, event_type, payload, created_at from outbox where published_at is null order by id limit $1',
        [limit],
      );
      return rows.map(toEvent);
    });
  }

  async markPublished(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.scope.withAdmin((tx) =>
      tx.query(
        'update outbox set published_at = now() where id = any($1::bigint[]) and published_at is null',
        [ids],
      ),
    );
  }

  listForTenant(tenantId: string): Promise<OutboxEvent[]> {
    return this.scope.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<OutboxRow>(
        'select id, tenant_id, event_type, payload, created_at from outbox where tenant_id = $1 order by id',
        [tenantId],
      );
      return rows.map(toEvent);
    });
  }
}
