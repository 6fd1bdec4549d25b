/**
 * WebhookStore over the `webhooks` table. Every statement runs inside withTenant, so RLS
 * decides which rows exist: another tenant's webhook id behaves exactly like a missing
 * one (NotFoundError), for reads and for changes. The `tenant_id = $1` filters repeat
 * the policy so the (tenant_id, active) index is used.
 */
import { NotFoundError } from '../../domain/errors.js';
import type { SqlQueryable, TenantScope } from '../../ports/sql.js';
import type { NewWebhook, WebhookRecord, WebhookStore } from '../../ports/webhook-store.js';
import { iso } from './pg-errors.js';

interface WebhookRow {
  id: string;
  tenant_id: string;
  url: string;
  events: string[];
  secret_ref: string;
  active: boolean;
  created_at: Date | string;
}

const COLS = 'id, tenant_id, url, events, secret_ref, active, created_at';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const toRecord = (r: WebhookRow): WebhookRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  url: r.url,
  events: r.events,
  secretRef: r.secret_ref,
  active: r.active,
  createdAt: iso(r.created_at),
});

/** A malformed id cannot name a row: answer NotFound before PostgreSQL rejects the cast. */
function checkId(webhookId: string): void {
  if (!UUID.test(webhookId)) throw new NotFoundError('webhook', webhookId.slice(0, 80));
}

async function one(tx: SqlQueryable, webhookId: string, sql: string, params: unknown[]): Promise<WebhookRow> {
  const { rows } = await tx.query<WebhookRow>(sql, params);
  if (!rows[0]) throw new NotFoundError('webhook', webhookId);
  return rows[0];
}

export class SqlWebhookStore implements WebhookStore {
  constructor(private readonly scope: TenantScope) {}

  create(tenantId: string, webhook: NewWebhook): Promise<WebhookRecord> {
    return this.scope.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<WebhookRow>(
        `insert into webhooks (tenant_id, url, events, secret_ref) values ($1, $2, $3, $4) returning ${COLS}`,
        [tenantId, webhook.url, [...webhook.events], webhook.secretRef],
      );
      return toRecord(rows[0]!);
    });
  }

  get(tenantId: string, webhookId: string): Promise<WebhookRecord> {
    checkId(webhookId);
    return this.scope.withTenant(tenantId, async (tx) =>
      toRecord(
        await one(tx, webhookId, `select ${COLS} from webhooks where tenant_id = $1 and id = $2`, [
          tenantId,
          webhookId,
        ]),
      ),
    );
  }

  list(tenantId: string): Promise<WebhookRecord[]> {
    return this.scope.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<WebhookRow>(
        `select ${COLS} from webhooks where tenant_id = $1 order by created_at, id`,
        [tenantId],
      );
      return rows.map(toRecord);
    });
  }

  listForEvent(tenantId: string, eventType: string): Promise<WebhookRecord[]> {
    return this.scope.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<WebhookRow>(
        `select ${COLS} from webhooks where tenant_id = $1 and active
           and ($2 = any(events) or '*' = any(events)) order by created_at, id`,
        [tenantId, eventType],
      );
      return rows.map(toRecord);
    });
  }

  setActive(tenantId: string, webhookId: string, active: boolean): Promise<WebhookRecord> {
    checkId(webhookId);
    return this.scope.withTenant(tenantId, async (tx) =>
      toRecord(
        await one(
          tx,
          webhookId,
          `update webhooks set active = $3 where tenant_id = $1 and id = $2 returning ${COLS}`,
          [tenantId, webhookId, active],
        ),
      ),
    );
  }

  replaceSecretRef(tenantId: string, webhookId: string, secretRef: string): Promise<string> {
    checkId(webhookId);
    return this.scope.withTenant(tenantId, async (tx) => {
      // Row lock first, so two concurrent rotations cannot both read the same old ref.
      const old = await one(
        tx,
        webhookId,
        `select ${COLS} from webhooks where tenant_id = $1 and id = $2 for update`,
        [tenantId, webhookId],
      );
      await tx.query('update webhooks set secret_ref = $3 where tenant_id = $1 and id = $2', [
        tenantId,
        webhookId,
        secretRef,
      ]);
      return old.secret_ref;
    });
  }

  delete(tenantId: string, webhookId: string): Promise<WebhookRecord> {
    checkId(webhookId);
    return this.scope.withTenant(tenantId, async (tx) =>
      toRecord(
        await one(tx, webhookId, `delete from webhooks where tenant_id = $1 and id = $2 returning ${COLS}`, [
          tenantId,
          webhookId,
        ]),
      ),
    );
  }
}
