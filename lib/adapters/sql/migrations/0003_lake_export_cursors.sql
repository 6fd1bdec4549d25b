-- 0003_lake_export_cursors: how far each tenant's audit log has been copied to the lake.
--
-- The audit-lake-export job (lib/services/audit-lake-export.ts) copies audit_log entries with
-- seq > last_seq to the lake's audit_events table, then advances last_seq, per tenant, inside
-- one transaction that holds the cursor row (SELECT ... FOR UPDATE): an overlapping run waits
-- and then starts after what the first one delivered. Entries are never skipped: appends to a
-- tenant's chain are serialised by an advisory lock held to COMMIT, so entry seq = n + 1 is
-- never visible before seq = n. At least once: entries delivered to the lake whose cursor
-- update then fails are delivered again; (tenant_id, seq) identifies an entry in the lake.
create table lake_export_cursors (
  feed       text not null check (feed in ('audit_events')),
  tenant_id  uuid not null references tenants (id),
  last_seq   bigint not null default 0 check (last_seq >= 0),
  updated_at timestamptz not null default now(),
  primary key (feed, tenant_id)
);

alter table lake_export_cursors enable row level security;
alter table lake_export_cursors force row level security;
create policy lake_export_cursors_tenant on lake_export_cursors for all
  using (tenant_id = (select app_current_tenant()))
  with check (tenant_id = (select app_current_tenant()));

-- The export reads and moves a tenant's cursor inside withTenant (RLS); the control plane
-- (BYPASSRLS) finds the tenants whose log is ahead of their cursor. Nobody deletes cursors.
grant select, insert, update (last_seq, updated_at) on lake_export_cursors to {{app_role}};
grant select on lake_export_cursors to {{admin_role}};
