/**
 * Fixture rows for the RLS suite: tenants A and B with one row in every tenant table,
 * a bare tenant (tenants row only), and platform-wide rows (tenant_id NULL). Written by
 * the admin role; every case then runs in a transaction that is rolled back, so the
 * fixtures stay identical for every case.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SqlQueryable } from '../../../lib/ports/sql.js';

const hex64 = (): string => randomBytes(32).toString('hex');

export interface TenantFixture {
  readonly id: string;
  /** Key of the row each case selects / updates / deletes, per table. */
  readonly victim: Record<string, string>;
  /** A user with no membership yet (for inserting a membership). */
  readonly freeUser: string;
  /** An agent to hang new versions on. */
  readonly hostAgent: string;
}

export interface Fixtures {
  readonly A: TenantFixture;
  readonly B: TenantFixture;
  readonly bare: string;
  /** Keys of the platform-wide rows, per table. */
  readonly platform: Record<string, string>;
}

async function one(tx: SqlQueryable, sql: string, params: unknown[]): Promise<string> {
  const { rows } = await tx.query<{ k: string | number }>(sql, params);
  return String(rows[0]!.k);
}

async function tenantRows(tx: SqlQueryable, label: string): Promise<TenantFixture> {
  const id = randomUUID();
  await tx.query(
    "insert into tenants (id, slug, name, tier, home_region) values ($1, $2, $2, 'pool', 'eu-west-1')",
    [id, `rls-${label}`],
  );
  const v: Record<string, string> = { tenants: id };
  v.tenant_quotas = await one(
    tx,
    'insert into tenant_quotas values ($1, 1, 1, 1, 1, 1) returning tenant_id as k',
    [id],
  );
  v.tenant_organizations = await one(
    tx,
    "insert into tenant_organizations (tenant_id, name) values ($1, 'victim') returning id as k",
    [id],
  );
  v.users = await one(
    tx,
    "insert into users (tenant_id, email) values ($1, 'victim@x.example') returning id as k",
    [id],
  );
  const member = await one(
    tx,
    "insert into users (tenant_id, email) values ($1, 'member@x.example') returning id as k",
    [id],
  );
  const freeUser = await one(
    tx,
    "insert into users (tenant_id, email) values ($1, 'free@x.example') returning id as k",
    [id],
  );
  v.memberships = await one(
    tx,
    "insert into memberships (tenant_id, user_id, role) values ($1, $2, 'viewer') returning id as k",
    [id, member],
  );
  v.api_keys = await one(
    tx,
    "insert into api_keys (tenant_id, name, prefix, key_hash, role) values ($1, 'k', $2, $3, 'viewer') returning id as k",
    [id, `pk-${label}-${randomBytes(4).toString('hex')}`, hex64()],
  );
  v.agents = await one(
    tx,
    "insert into agents (tenant_id, name, kind) values ($1, 'victim', 'declarative') returning id as k",
    [id],
  );
  const hostAgent = await one(
    tx,
    "insert into agents (tenant_id, name, kind) values ($1, 'host', 'declarative') returning id as k",
    [id],
  );
  v.agent_versions = await one(
    tx,
    "insert into agent_versions (agent_id, tenant_id, version, major, minor, patch) values ($1, $2, '1.0.0', 1, 0, 0) returning id as k",
    [hostAgent, id],
  );
  v.factor_datasets = await one(
    tx,
    "insert into factor_datasets (tenant_id, source, dataset, version, valid_from) values ($1, 'CUSTOM', 'd', '1', '2024-01-01') returning id as k",
    [id],
  );
  v.emission_factors = await one(
    tx,
    `insert into emission_factors (tenant_id, factor_id, source, dataset, dataset_version, activity, name, region, unit,
       value_unit, value, valid_from, citation)
     values ($1, 'custom/victim', 'CUSTOM', 'd', '1', 'fuel/x', 'X', 'GB', 'kWh', 'kgCO2e', 1, '2024-01-01', 'c')
     returning id as k`,
    [id],
  );
  v.webhooks = await one(
    tx,
    "insert into webhooks (tenant_id, url, secret_ref) values ($1, 'https://hooks.example/x', 'ref') returning id as k",
    [id],
  );
  v.audit_log = await one(
    tx,
    `insert into audit_log (tenant_id, seq, occurred_at, actor, action, prev_hash, hash)
     values ($1, 1, now(), 'a', 'x.y', $2, $3) returning hash as k`,
    [id, '0'.repeat(64), hex64()],
  );
  v.outbox = await one(
    tx,
    "insert into outbox (tenant_id, event_type, payload) values ($1, 'e', '{}') returning id as k",
    [id],
  );
  return { id, victim: v, freeUser, hostAgent };
}

export async function createFixtures(tx: SqlQueryable): Promise<Fixtures> {
  const A = await tenantRows(tx, 'a');
  const B = await tenantRows(tx, 'b');
  const bare = randomUUID();
  await tx.query(
    "insert into tenants (id, slug, name, tier, home_region) values ($1, 'rls-bare', 'bare', 'pool', 'eu-west-1')",
    [bare],
  );
  const platform: Record<string, string> = {};
  platform.agents = await one(
    tx,
    "insert into agents (tenant_id, name, kind) values (null, 'platform-agent', 'builtin') returning id as k",
    [],
  );
  platform.agent_versions = await one(
    tx,
    "insert into agent_versions (agent_id, tenant_id, version, major, minor, patch, status) values ($1, null, '1.0.0', 1, 0, 0, 'certified') returning id as k",
    [platform.agents],
  );
  platform.factor_datasets = await one(
    tx,
    "insert into factor_datasets (tenant_id, source, dataset, version, valid_from) values (null, 'PUB', 'd', '1', '2024-01-01') returning id as k",
    [],
  );
  platform.emission_factors = await one(
    tx,
    `insert into emission_factors (tenant_id, factor_id, source, dataset, dataset_version, activity, name, region, unit,
       value_unit, value, valid_from, citation)
     values (null, 'pub/victim', 'PUB', 'd', '1', 'fuel/x', 'X', 'GB', 'kWh', 'kgCO2e', 2, '2024-01-01', 'c')
     returning id as k`,
    [],
  );
  return { A, B, bare, platform };
}

/** SQL that inserts one new valid row for `tenantId` (`null` = a platform-wide row). */
export function insertRow(
  table: string,
  tenantId: string | null,
  fx: Fixtures,
  n: number,
): [string, unknown[]] {
  const tf = tenantId === fx.B.id ? fx.B : fx.A;
  switch (table) {
    case 'tenants':
      return [
        "insert into tenants (id, slug, name, tier, home_region) values ($1, $2, 'n', 'pool', 'eu-west-1')",
        [randomUUID(), `new-${n}`],
      ];
    case 'tenant_quotas':
      // Tenants A and B already have their one quota row: a new one can only be the bare tenant's.
      return ['insert into tenant_quotas values ($1, 1, 1, 1, 1, 1)', [fx.bare]];
    case 'tenant_organizations':
      return ['insert into tenant_organizations (tenant_id, name) values ($1, $2)', [tenantId, `org-${n}`]];
    case 'users':
      return ['insert into users (tenant_id, email) values ($1, $2)', [tenantId, `u${n}@x.example`]];
    case 'memberships':
      return [
        "insert into memberships (tenant_id, user_id, role) values ($1, $2, 'viewer')",
        [tenantId, tf.freeUser],
      ];
    case 'api_keys':
      return [
        "insert into api_keys (tenant_id, name, prefix, key_hash, role) values ($1, 'k', $2, $3, 'viewer')",
        [tenantId, `new-${n}-${randomBytes(4).toString('hex')}`, hex64()],
      ];
    case 'agents':
      return [
        "insert into agents (tenant_id, name, kind) values ($1, $2, 'declarative')",
        [tenantId, `a${n}`],
      ];
    case 'agent_versions':
      return [
        'insert into agent_versions (agent_id, tenant_id, version, major, minor, patch) values ($1, $2, $3, 2, $4, 0)',
        [tenantId === null ? fx.platform.agents : tf.hostAgent, tenantId, `2.${n}.0`, n],
      ];
    case 'factor_datasets':
      return [
        "insert into factor_datasets (tenant_id, source, dataset, version, valid_from) values ($1, 'CUSTOM', 'd', $2, '2024-01-01')",
        [tenantId, `v${n}`],
      ];
    case 'emission_factors':
      return [
        `insert into emission_factors (tenant_id, factor_id, source, dataset, dataset_version, activity, name, region,
           unit, value_unit, value, valid_from, citation)
         values ($1, $2, 'CUSTOM', 'd', '1', 'fuel/x', 'X', 'GB', 'kWh', 'kgCO2e', 1, '2024-01-01', 'c')`,
        [tenantId, `custom/${n}`],
      ];
    case 'webhooks':
      return [
        "insert into webhooks (tenant_id, url, secret_ref) values ($1, 'https://hooks.example/n', 'r')",
        [tenantId],
      ];
    case 'audit_log':
      return [
        "insert into audit_log (tenant_id, seq, occurred_at, actor, action, prev_hash, hash) values ($1, $2, now(), 'a', 'x.y', $3, $4)",
        [tenantId, 1000 + n, '0'.repeat(64), hex64()],
      ];
    case 'outbox':
      return ["insert into outbox (tenant_id, event_type, payload) values ($1, 'e', '{}')", [tenantId]];
    default:
      throw new Error(`no insert for ${table}`);
  }
}
