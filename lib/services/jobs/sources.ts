/**
 * What the jobs read, walked page by page: every tenant holding data, and a tenant's
 * executions that finished inside a window.
 */
import { isTerminal, type Execution } from '../../domain/execution.js';
import type { Tenant } from '../../domain/tenant.js';
import type { ExecutionStore } from '../../ports/execution-store.js';
import type { TenantStore } from '../../ports/tenant-store.js';
import { inWindow, type JobWindow } from './windows.js';

const PAGE = 100;

/** Active and suspended tenants (offboarded ones have no data left but the retained audit). */
export async function* tenantsWithData(store: Pick<TenantStore, 'list'>): AsyncGenerator<Tenant> {
  let afterSlug: string | undefined;
  for (;;) {
    const page = await store.list({ limit: PAGE, ...(afterSlug ? { afterSlug } : {}) });
    for (const t of page) if (t.status !== 'offboarded') yield t;
    if (page.length < PAGE) return;
    afterSlug = page[page.length - 1]!.slug;
  }
}

/**
 * How long before the window an execution may have been created and still finish inside it:
 * the longest run the platform allows (a day covers the Fargate workers' limit).
 */
export const MAX_RUN_MS = 24 * 3_600_000;

/**
 * Terminal executions whose last update (the terminal write) falls in the window. The list is
 * newest first by creation (UUIDv7 ids), so the walk stops at the first one created more
 * than MAX_RUN_MS before the window.
 */
export async function* finishedIn(
  store: Pick<ExecutionStore, 'list'>,
  tenantId: string,
  window: JobWindow,
  maxRunMs = MAX_RUN_MS,
): AsyncGenerator<Execution> {
  const oldest = window.start.getTime() - maxRunMs;
  let cursor: string | undefined;
  for (;;) {
    const page = await store.list(tenantId, { limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const e of page.items) {
      if (Date.parse(e.createdAt) < oldest) return;
      if (isTerminal(e.status) && inWindow(e.updatedAt, window)) yield e;
    }
    if (!page.cursor) return;
    cursor = page.cursor;
  }
}
