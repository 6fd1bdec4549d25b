-- 0001_schema: every table of the tenant data layer, with row-level security.
--
-- Conventions (read before writing an adapter against these tables):
--   * Runs as the OWNER role (the migrator does `SET ROLE <owner>` first), so the owner owns
--     every table. `{{app_role}}` and `{{admin_role}}` are replaced by the migrator with the
--     configured role names (default glaf_app / glaf_admin); the checksum is over this raw file.
--   * `tenant_id uuid` is the tenant column everywhere (on `tenants` it is `id`). A NULL
--     tenant_id marks a platform-wide row (built-in agents, published factors): readable by
--     every tenant, writable by none (only the admin role, which has BYPASSRLS, writes them).
--   * The current tenant is `(select nullif(current_setting('app.tenant_id', true), '')::uuid)`,
--     set per transaction by withTenant() with set_config(..., true). The `(select ...)` form
--     makes the planner evaluate it once; nullif turns the post-commit '' into NULL, so no
--     tenant set means no rows (NULL = x is never true): fail closed.
--   * Dates that are calendar days are `date`; select them as `col::text` (YYYY-MM-DD) so no
--     driver turns them into local-time JS Dates.
--   * Composite foreign keys `(x_id, tenant_id)` keep children inside their parent's tenant.

create function app_current_tenant() returns uuid
  language sql stable parallel safe
  as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- tenants: one row per tenant. Never deleted by offboarding: it stays as a tombstone with
-- status 'offboarded' so the audit log (kept per retention) still has its parent row.
create table tenants (
  id                 uuid primary key default gen_random_uuid(),
  slug               text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name               text not null check (length(name) between 1 and 200),
  tier               text not null check (tier in ('pool', 'silo')),
  status             text not null default 'active' check (status in ('active', 'suspended', 'offboarded')),
  home_region        text not null,
  config             jsonb not null default '{}'::jsonb check (octet_length(config::text) <= 65536),
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  suspended_at       timestamptz,
  offboarded_at      timestamptz,
  -- set at offboarding: audit entries are kept until this instant, then purged by the owner
  audit_retain_until timestamptz
);

-- tenant_organizations: hierarchy inside a tenant (parent_id NULL = a root organisation).
create table tenant_organizations (
  id         uuid primary key default gen_random_uuid(),
  tenant_id  uuid not null references tenants (id),
  parent_id  uuid,
  name       text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now(),
  unique (id, tenant_id),
  unique (tenant_id, name),
  foreign key (parent_id, tenant_id) references tenant_organizations (id, tenant_id),
  check (parent_id is null or parent_id <> id)
);
create index tenant_organizations_tenant_parent_idx on tenant_organizations (tenant_id, parent_id);

-- Refuses a parent change that would make an organisation its own ancestor.
create function tenant_organizations_no_cycle() returns trigger language plpgsql as $$
begin
  if new.parent_id is not null and exists (
    with recursive up(id, parent_id) as (
      select o.id, o.parent_id from tenant_organizations o where o.id = new.parent_id
      union
      select o.id, o.parent_id from tenant_organizations o join up on o.id = up.parent_id
    )
    select 1 from up where up.id = new.id
  ) then
    raise exception 'organization % cannot be moved under its own descendant %', new.id, new.parent_id
      using errcode = 'check_violation';
  end if;
  return new;
end $$;
create trigger tenant_organizations_no_cycle before insert or update of parent_id on tenant_organizations
  for each row execute function tenant_organizations_no_cycle();

-- tenant_quotas: one row per tenant; the app reads it, only the control plane changes it.
create table tenant_quotas (
  tenant_id                 uuid primary key references tenants (id),
  max_agents                integer not null check (max_agents >= 0),
  storage_bytes             bigint  not null check (storage_bytes >= 0),
  api_calls_per_minute      integer not null check (api_calls_per_minute >= 0),
  executions_per_month      integer not null check (executions_per_month >= 0),
  compute_minutes_per_month integer not null check (compute_minutes_per_month >= 0),
  updated_at                timestamptz not null default now()
);

-- users: identities inside one tenant (the same person in two tenants is two rows).
create table users (
  id           uuid primary key default gen_random_uuid(),
  tenant_id    uuid not null references tenants (id),
  email        text not null check (email ~ '^[^@\s]+@[^@\s]+$'),
  display_name text not null default '',
  created_at   timestamptz not null default now(),
  unique (id, tenant_id)
);
create unique index users_tenant_email_idx on users (tenant_id, lower(email));

-- memberships: a user's role in the tenant (organization_id NULL) or in one organisation.
create table memberships (
  id              uuid primary key default gen_random_uuid(),
  tenant_id       uuid not null references tenants (id),
  user_id         uuid not null,
  organization_id uuid,
  role            text not null check (role in ('admin', 'developer', 'operator', 'viewer')),
  created_at      timestamptz not null default now(),
  foreign key (user_id, tenant_id) references users (id, tenant_id),
  foreign key (organization_id, tenant_id) references tenant_organizations (id, tenant_id),
  unique nulls not distinct (tenant_id, user_id, organization_id)
);
create index memberships_tenant_user_idx on memberships (tenant_id, user_id);
create index memberships_tenant_org_idx on memberships (tenant_id, organization_id);

-- api_keys: only the SHA-256 of the secret is stored; `prefix` (first characters of the key,
-- not secret) finds the row at authentication time.
create table api_keys (
  id           uuid primary key default gen_random_uuid(),
  tenant_id    uuid not null references tenants (id),
  name         text not null,
  prefix       text not null unique,
  key_hash     text not null check (key_hash ~ '^[0-9a-f]{64}$'),
  role         text not null check (role in ('admin', 'developer', 'operator', 'viewer')),
  created_at   timestamptz not null default now(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz
);
create index api_keys_tenant_idx on api_keys (tenant_id, created_at);

-- agents: tenant_id NULL = platform-wide (built-in and declarative agents of the core).
--   name: the agent key used in references (e.g. 'fuel-emissions'), unique per owner.
--   kind: 'builtin' (code in lib/agents) | 'declarative' (formula/JSONata manifest).
create table agents (
  id           uuid primary key default gen_random_uuid(),
  tenant_id    uuid references tenants (id),
  name         text not null check (name ~ '^[a-z0-9][a-z0-9._/-]{0,127}$'),
  kind         text not null check (kind in ('builtin', 'declarative')),
  display_name text not null default '',
  description  text not null default '',
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  unique (id, tenant_id),
  unique nulls not distinct (tenant_id, name)
);
create index agents_tenant_name_idx on agents (tenant_id, name);

-- agent_versions: one row per published semver of an agent.
--   tenant_id:    copy of the agent's tenant_id (the composite FK enforces it) for RLS.
--   version:      full semver text; major/minor/patch/prerelease split out for range queries.
--   status:       lifecycle 'draft' -> 'experimental' -> 'certified' -> 'deprecated'.
--   manifest:     the agent manifest (input/output schema, formula, ...) as JSON.
--   golden_tests: array of {name, input, expected} run before certification.
--   dependencies: array of {agent, range} (semver ranges such as '^1.2', '~1.4.0', '1.0.0').
create table agent_versions (
  id            uuid primary key default gen_random_uuid(),
  agent_id      uuid not null,
  tenant_id     uuid references tenants (id),
  version       text not null,
  major         integer not null check (major >= 0),
  minor         integer not null check (minor >= 0),
  patch         integer not null check (patch >= 0),
  prerelease    text,
  status        text not null default 'draft'
                check (status in ('draft', 'experimental', 'certified', 'deprecated')),
  manifest      jsonb not null default '{}'::jsonb,
  golden_tests  jsonb not null default '[]'::jsonb check (jsonb_typeof(golden_tests) = 'array'),
  dependencies  jsonb not null default '[]'::jsonb check (jsonb_typeof(dependencies) = 'array'),
  certified_at  timestamptz,
  deprecated_at timestamptz,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  foreign key (agent_id, tenant_id) references agents (id, tenant_id) on delete cascade,
  unique (agent_id, version)
);
create index agent_versions_tenant_agent_idx on agent_versions (tenant_id, agent_id, status);
create index agent_versions_agent_semver_idx on agent_versions (agent_id, major, minor, patch);

-- factor_datasets: one row per (source, dataset, version); NULL tenant = published.
create table factor_datasets (
  id                 uuid primary key default gen_random_uuid(),
  tenant_id          uuid references tenants (id),
  source             text not null,
  dataset            text not null,
  version            text not null,
  title              text not null default '',
  citation           text not null default '',
  valid_from         date not null,
  valid_to           date,
  factor_count       integer not null default 0,
  deprecated_at      timestamptz,
  deprecation_reason text,
  created_at         timestamptz not null default now(),
  unique nulls not distinct (tenant_id, source, dataset, version)
);
create index factor_datasets_tenant_source_idx on factor_datasets (tenant_id, source, version);

-- emission_factors: temporal rows (valid_from..valid_to inclusive, valid_to NULL = open).
--   factor_id: EmissionFactor.id ('<source>/<datasetVersion>/<activity>/<region>/<unit>').
--   deprecated_at: set when the dataset version is deprecated; point-in-time queries skip
--   deprecated rows unless asked to include them.
create table emission_factors (
  id                   uuid primary key default gen_random_uuid(),
  tenant_id            uuid references tenants (id),
  factor_id            text not null,
  source               text not null,
  dataset              text not null,
  dataset_version      text not null,
  activity             text not null,
  name                 text not null,
  region               text not null,
  unit                 text not null,
  basis                text check (basis in ('gross', 'net')),
  value_unit           text not null,
  value                double precision not null check (value = value and value >= 0 and value < 'infinity'),
  gases                jsonb,
  valid_from           date not null,
  valid_to             date check (valid_to is null or valid_to >= valid_from),
  citation             text not null,
  source_row_id        text,
  confidence           text check (confidence in ('high', 'medium', 'low')),
  pending_verification boolean not null default false,
  attributes           jsonb,
  deprecated_at        timestamptz,
  created_at           timestamptz not null default now(),
  unique nulls not distinct (tenant_id, factor_id)
);
create index emission_factors_lookup_idx on emission_factors (tenant_id, activity, region, valid_from);
create index emission_factors_version_idx on emission_factors (tenant_id, source, dataset_version);

-- webhooks: endpoints a tenant registers; the HMAC secret lives in a secret store (secret_ref).
create table webhooks (
  id         uuid primary key default gen_random_uuid(),
  tenant_id  uuid not null references tenants (id),
  url        text not null check (url ~ '^https?://'),
  events     text[] not null default '{}',
  secret_ref text not null,
  active     boolean not null default true,
  created_at timestamptz not null default now()
);
create index webhooks_tenant_idx on webhooks (tenant_id, active);

-- audit_log: append-only, one SHA-256 hash chain per tenant.
--   seq:       1, 2, 3 ... per tenant (primary key with tenant_id, so a gap is detectable).
--   prev_hash: hash of entry seq-1 (64 zeros for seq 1).
--   hash:      sha256(prev_hash || canonical JSON of {tenantId, seq, occurredAt, actor,
--              action, target, data}); computed by lib/domain/audit.ts.
create table audit_log (
  tenant_id   uuid not null references tenants (id),
  seq         bigint not null check (seq >= 1),
  occurred_at timestamptz not null,
  actor       text not null,
  action      text not null,
  target      text not null default '',
  data        jsonb not null default '{}'::jsonb,
  prev_hash   text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash        text not null check (hash ~ '^[0-9a-f]{64}$'),
  primary key (tenant_id, seq)
);

-- Second line of defence after the REVOKE below: refuses UPDATE and DELETE for every role,
-- owner and admin included. Only a deliberate `alter table ... disable trigger` by the owner
-- (the retention purge, or a test proving verify() catches tampering) gets past it.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end $$;
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_append_only();

-- outbox: events written in the same transaction as the change; a relay publishes them.
create table outbox (
  id           bigint generated always as identity primary key,
  tenant_id    uuid not null references tenants (id),
  event_type   text not null,
  payload      jsonb not null,
  created_at   timestamptz not null default now(),
  published_at timestamptz
);
create index outbox_unpublished_idx on outbox (id) where published_at is null;
create index outbox_tenant_idx on outbox (tenant_id, id);

-- ---------------------------------------------------------------------------------------
-- Row-level security: ENABLE + FORCE (FORCE makes it apply to the owner too).
alter table tenants enable row level security;
alter table tenants force row level security;
create policy tenants_select on tenants for select using (id = (select app_current_tenant()));
create policy tenants_update on tenants for update
  using (id = (select app_current_tenant())) with check (id = (select app_current_tenant()));

-- Tables whose rows always belong to one tenant.
do $$
declare t text;
begin
  foreach t in array array['tenant_organizations', 'tenant_quotas', 'users', 'memberships', 'api_keys',
                           'webhooks', 'audit_log', 'outbox'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy %I on %I for all using (tenant_id = (select app_current_tenant()))'
                   ' with check (tenant_id = (select app_current_tenant()))', t || '_tenant', t);
  end loop;
end $$;

-- Tables with platform-wide rows (tenant_id NULL): everyone reads them, nobody writes them.
do $$
declare t text;
begin
  foreach t in array array['agents', 'agent_versions', 'factor_datasets', 'emission_factors'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy %I on %I for select using (tenant_id is null'
                   ' or tenant_id = (select app_current_tenant()))', t || '_read', t);
    execute format('create policy %I on %I for insert with check (tenant_id = (select app_current_tenant()))',
                   t || '_insert', t);
    execute format('create policy %I on %I for update using (tenant_id = (select app_current_tenant()))'
                   ' with check (tenant_id = (select app_current_tenant()))', t || '_update', t);
    execute format('create policy %I on %I for delete using (tenant_id = (select app_current_tenant()))',
                   t || '_delete', t);
  end loop;
end $$;

-- ---------------------------------------------------------------------------------------
-- Privileges. The app role owns nothing and has no BYPASSRLS; RLS decides which rows.
grant usage on schema public to {{app_role}}, {{admin_role}};
grant execute on function app_current_tenant() to {{app_role}}, {{admin_role}};

grant select, update (name, config, updated_at) on tenants to {{app_role}};
grant select on tenant_quotas to {{app_role}};
grant select, insert, update, delete on tenant_organizations, users, memberships, api_keys, agents,
  agent_versions, factor_datasets, emission_factors, webhooks to {{app_role}};
grant select, insert on audit_log, outbox to {{app_role}};
grant usage on all sequences in schema public to {{app_role}};

-- The admin role (control plane, BYPASSRLS) may write everything but the audit history.
grant select, insert, update, delete on all tables in schema public to {{admin_role}};
revoke update, delete, truncate on audit_log from {{admin_role}};
grant usage on all sequences in schema public to {{admin_role}};
revoke all on schema_migrations from {{admin_role}};
revoke update, delete, truncate on audit_log from {{app_role}};
