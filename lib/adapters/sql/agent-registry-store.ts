/**
 * AgentRegistryStore over PostgreSQL (tables `agents`, `agent_versions` of migration 0001).
 * Tenants go through withTenant, so RLS decides what they see (own + platform rows) and
 * what they may write (own rows only); the platform (owner null) goes through withAdmin
 * and touches platform rows (tenant_id NULL) only.
 *
 * A tenant's change writes its event to the outbox in the same transaction (the relay
 * publishes it): agent.created, agent.version.published, agent.certified, agent.deprecated.
 * Platform agents (owner null, registered at every start) announce nothing: an event belongs
 * to one tenant (the envelope and the outbox row need its id), and a platform agent to none.
 */
import semver from 'semver';
import { ConflictError } from '../../domain/errors.js';
import type { GoldenTest, NewAgent, NewAgentVersion } from '../../domain/agent-manifest.js';
import type { LifecycleStage } from '../../domain/lifecycle.js';
import { createEvent } from '../../domain/events/envelope.js';
import type { EventType } from '../../domain/events/catalogue.js';
import { validateEvent } from '../../domain/events/validate.js';
import { parseUuid } from '../../domain/tenant.js';
import type {
  AgentRecord,
  AgentRegistryStore,
  AgentVersionRecord,
  Owner,
} from '../../ports/agent-registry-store.js';
import type { SqlQueryable, TenantScope } from '../../ports/sql.js';
import { enqueueOutbox } from './outbox.sql.js';
import { UNIQUE_VIOLATION, iso, sqlState } from './pg-errors.js';

/** Row-level security refused a write (e.g. a tenant writing a platform row). */
const INSUFFICIENT_PRIVILEGE = '42501';

interface AgentRow {
  id: string;
  tenant_id: string | null;
  name: string;
  kind: 'builtin' | 'declarative';
  display_name: string;
  description: string;
  created_at: unknown;
}

interface VersionRow {
  agent_id: string;
  agent_name: string;
  tenant_id: string | null;
  version: string;
  status: LifecycleStage;
  manifest: Record<string, unknown>;
  golden_tests: GoldenTest[];
  dependencies: { agent: string; range: string }[];
  certified_at: unknown;
  deprecated_at: unknown;
  created_at: unknown;
}

const agentOf = (r: AgentRow): AgentRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  kind: r.kind,
  displayName: r.display_name,
  description: r.description,
  createdAt: iso(r.created_at),
});

const versionOf = (r: VersionRow): AgentVersionRecord => ({
  agentId: r.agent_id,
  agentName: r.agent_name,
  tenantId: r.tenant_id,
  version: r.version,
  status: r.status,
  manifest: r.manifest,
  goldenTests: r.golden_tests,
  dependencies: Object.fromEntries(r.dependencies.map((d) => [d.agent, d.range])),
  ...(r.certified_at ? { certifiedAt: iso(r.certified_at) } : {}),
  ...(r.deprecated_at ? { deprecatedAt: iso(r.deprecated_at) } : {}),
  createdAt: iso(r.created_at),
});

type AgentEventType = Extract<EventType, `agent.${string}`>;

/**
 * Writes a tenant's agent event into the outbox, in the caller's transaction. Checked against
 * the catalogue first: a row the relay would refuse must fail the change instead of waiting
 * in the outbox forever. The platform (owner null) writes none (see the file comment).
 */
async function enqueueAgentEvent(
  tx: SqlQueryable,
  owner: Owner,
  type: AgentEventType,
  detail: Record<string, unknown>,
): Promise<void> {
  if (owner === null) return;
  validateEvent(createEvent(type, owner, detail));
  await enqueueOutbox(tx, owner, type, detail);
}

/** The lifecycle stages that have an event of their own. */
const STAGE_EVENTS: Partial<Record<LifecycleStage, AgentEventType>> = {
  certified: 'agent.certified',
  deprecated: 'agent.deprecated',
};

const VERSION_SELECT = `select v.agent_id, a.name as agent_name, v.tenant_id, v.version, v.status, v.manifest,
  v.golden_tests, v.dependencies, v.certified_at, v.deprecated_at, v.created_at
  from agent_versions v join agents a on a.id = v.agent_id`;

export class SqlAgentRegistryStore implements AgentRegistryStore {
  constructor(private readonly scope: TenantScope) {}

  private run<T>(owner: Owner, fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return owner === null ? this.scope.withAdmin(fn) : this.scope.withTenant(owner, fn);
  }

  async createAgent(owner: Owner, agent: NewAgent): Promise<AgentRecord> {
    try {
      return await this.run(owner, async (tx) => {
        const { rows } = await tx.query<AgentRow>(
          `insert into agents (tenant_id, name, kind, display_name, description)
           values ($1, $2, $3, $4, $5) returning *`,
          [owner, agent.name, agent.kind, agent.displayName, agent.description],
        );
        await enqueueAgentEvent(tx, owner, 'agent.created', {
          agentId: agent.name,
          kind: agent.kind,
          ...(agent.displayName ? { displayName: agent.displayName } : {}),
        });
        return agentOf(rows[0]!);
      });
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) {
        throw new ConflictError(`Agent '${agent.name}' already exists; add a version to it instead`, {
          name: agent.name,
        });
      }
      throw err;
    }
  }

  async findAgent(owner: Owner, name: string): Promise<AgentRecord | undefined> {
    return this.run(owner, async (tx) => {
      // Own agent first, then the platform's. For the platform ($2 null) only NULL rows match.
      const { rows } = await tx.query<AgentRow>(
        `select * from agents where name = $1 and (tenant_id is null or tenant_id = $2::uuid)
         order by (tenant_id is null) limit 1`,
        [name, owner],
      );
      return rows[0] ? agentOf(rows[0]) : undefined;
    });
  }

  async listAgents(owner: Owner): Promise<AgentRecord[]> {
    return this.run(owner, async (tx) => {
      const { rows } = await tx.query<AgentRow>(
        `select * from agents where tenant_id is null or tenant_id = $1::uuid order by name, (tenant_id is null)`,
        [owner],
      );
      return rows.map(agentOf);
    });
  }

  async addVersion(
    owner: Owner,
    agentId: string,
    v: NewAgentVersion,
    status: LifecycleStage = 'draft',
  ): Promise<AgentVersionRecord> {
    const id = parseUuid(agentId, 'agentId');
    const parsed = semver.parse(v.version)!;
    const deps = Object.entries(v.dependencies).map(([agent, range]) => ({ agent, range }));
    try {
      return await this.run(owner, async (tx) => {
        const inserted = await tx.query(
          `insert into agent_versions (agent_id, tenant_id, version, major, minor, patch, prerelease, status,
             manifest, golden_tests, dependencies, certified_at)
           select a.id, a.tenant_id, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb,
             case when $7 in ('certified', 'deprecated') then now() end
           from agents a where a.id = $1 and a.tenant_id is not distinct from $11::uuid`,
          [
            id,
            v.version,
            parsed.major,
            parsed.minor,
            parsed.patch,
            parsed.prerelease.length ? parsed.prerelease.join('.') : null,
            status,
            JSON.stringify(v.manifest),
            JSON.stringify(v.goldenTests),
            JSON.stringify(deps),
            owner,
          ],
        );
        if (inserted.rowCount === 0) {
          throw new ConflictError(`Agent ${agentId} is not writable here: only its owner may add versions`, {
            agentId,
          });
        }
        const { rows } = await tx.query<VersionRow>(
          `${VERSION_SELECT} where v.agent_id = $1 and v.version = $2`,
          [id, v.version],
        );
        const added = versionOf(rows[0]!);
        await enqueueAgentEvent(tx, owner, 'agent.version.published', {
          agentId: added.agentName,
          version: added.version,
          stage: added.status,
        });
        return added;
      });
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) {
        throw new ConflictError(
          `Version ${v.version} already exists; versions are immutable, publish a new one`,
          {
            version: v.version,
          },
        );
      }
      if (sqlState(err) === INSUFFICIENT_PRIVILEGE) {
        throw new ConflictError('Platform agents are read-only for tenants', { agentId });
      }
      throw err;
    }
  }

  async listVersions(owner: Owner, agentId: string): Promise<AgentVersionRecord[]> {
    const id = parseUuid(agentId, 'agentId');
    return this.run(owner, async (tx) => {
      const { rows } = await tx.query<VersionRow>(
        `${VERSION_SELECT} where v.agent_id = $1 and (v.tenant_id is null or v.tenant_id = $2::uuid)
         order by v.major, v.minor, v.patch, v.prerelease nulls last`,
        [id, owner],
      );
      return rows.map(versionOf);
    });
  }

  async getVersion(owner: Owner, agentId: string, version: string): Promise<AgentVersionRecord | undefined> {
    const id = parseUuid(agentId, 'agentId');
    return this.run(owner, async (tx) => {
      const { rows } = await tx.query<VersionRow>(
        `${VERSION_SELECT} where v.agent_id = $1 and v.version = $2 and (v.tenant_id is null or v.tenant_id = $3::uuid)`,
        [id, version, owner],
      );
      return rows[0] ? versionOf(rows[0]) : undefined;
    });
  }

  async setStatus(
    owner: Owner,
    agentId: string,
    version: string,
    from: LifecycleStage,
    to: LifecycleStage,
  ): Promise<boolean> {
    const id = parseUuid(agentId, 'agentId');
    return this.run(owner, async (tx) => {
      // Compare-and-set on the stage: two concurrent promotions cannot both succeed.
      const res = await tx.query<{ name: string }>(
        `update agent_versions v set status = $4, updated_at = now(),
           certified_at = case when $4 = 'certified' then now() else v.certified_at end,
           deprecated_at = case when $4 = 'deprecated' then now() else v.deprecated_at end
         from agents a
         where a.id = v.agent_id and v.agent_id = $1 and v.version = $2 and v.status = $3
           and v.tenant_id is not distinct from $5::uuid
         returning a.name`,
        [id, version, from, to, owner],
      );
      const changed = res.rows[0];
      const type = STAGE_EVENTS[to];
      if (changed && type) await enqueueAgentEvent(tx, owner, type, { agentId: changed.name, version });
      return res.rowCount === 1;
    });
  }
}
