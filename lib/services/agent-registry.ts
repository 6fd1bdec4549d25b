/**
 * Agent registry use cases over the AgentRegistryStore port: agents and versions, the
 * lifecycle (draft -> experimental -> certified -> deprecated, certification gated on
 * golden tests), semver resolution of references and dependencies, and the platform-wide
 * registration of the calculation core's agents. `tenantId` null acts as the platform.
 */
import type { Agent, AgentContext } from '../agents/types.js';
import type { DeclarativeAgent } from '../agents/declarative/index.js';
import {
  newAgentSchema,
  newVersionSchema,
  parseWithIssues,
  type NewAgentVersion,
} from '../domain/agent-manifest.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { assertPromotion, parseStage, type LifecycleStage } from '../domain/lifecycle.js';
import { parseAgentRef, parseVersion } from '../domain/semver-range.js';
import type {
  AgentRecord,
  AgentRegistryStore,
  AgentVersionRecord,
  Owner,
} from '../ports/agent-registry-store.js';
import { CertificationFailedError, agentFor, runGoldenTests } from './agent-registry-certify.js';
import { Resolver, type Resolution } from './agent-registry-resolve.js';
import { TtlMemo, type MemoStats } from './ttl-memo.js';

export { CertificationFailedError } from './agent-registry-certify.js';
export type { Resolution, ResolvedVersion } from './agent-registry-resolve.js';

export interface AgentRegistryOptions {
  readonly store: AgentRegistryStore;
  /** The calculation core's context (factor catalogue) golden tests run against. */
  readonly context: AgentContext;
  /** Shipped code agents, for built-in versions. */
  readonly builtins?: readonly Agent[];
  /**
   * How long a resolution (`name@range` -> version and dependencies) is reused. Every change made
   * through this service forgets them at once; the TTL bounds how long a change made by another
   * process (publish, deprecate) goes unseen. 0 = resolve every time. @default 5 000
   */
  readonly resolutionTtlMs?: number;
  /** Tests: the clock of the resolution TTL. */
  readonly clock?: () => Date;
}

/** Resolutions are read on every execution submit; publishing and promoting are rare. */
export const RESOLUTION_TTL_MS = 5_000;

export class AgentRegistryService {
  private readonly store: AgentRegistryStore;
  private readonly ctx: AgentContext;
  private readonly builtins: readonly Agent[];
  private readonly resolutions: TtlMemo<Resolution>;

  constructor(options: AgentRegistryOptions) {
    this.store = options.store;
    this.ctx = options.context;
    this.builtins = options.builtins ?? [];
    this.resolutions = new TtlMemo({
      ttlMs: options.resolutionTtlMs ?? RESOLUTION_TTL_MS,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  /** Reuse of resolutions (hits) against store reads (misses). */
  resolutionStats(): MemoStats {
    return this.resolutions.stats();
  }

  /**
   * Registers core agents as platform-wide, certified versions (they ship with their
   * golden tests in the repository). Idempotent: existing agents and versions are kept.
   */
  async registerPlatformAgents(agents: readonly Agent[]): Promise<{ registered: number; present: number }> {
    let registered = 0;
    for (const a of agents) {
      const agent =
        (await this.store.findAgent(null, a.id)) ??
        (await this.store.createAgent(null, {
          name: a.id,
          kind: a.kind,
          displayName: a.name,
          description: a.description,
        }));
      if (await this.store.getVersion(null, agent.id, a.version)) continue;
      const spec = (a as Partial<DeclarativeAgent>).spec;
      // Declarative: the spec itself, so the version can be loaded again; built-in: its contract.
      const manifest: Record<string, unknown> = spec
        ? { ...spec }
        : { runtime: a.manifest, inputJsonSchema: a.inputJsonSchema, outputJsonSchema: a.outputJsonSchema };
      await this.store.addVersion(
        null,
        agent.id,
        { version: a.version, manifest, goldenTests: [], dependencies: {} },
        'certified',
      );
      registered++;
      this.resolutions.clear();
    }
    return { registered, present: agents.length - registered };
  }

  async createAgent(tenantId: Owner, raw: unknown): Promise<AgentRecord> {
    const input = parseWithIssues(newAgentSchema, raw);
    if (tenantId !== null && input.kind === 'builtin') {
      throw new ValidationError([
        { path: 'kind', message: 'tenants define declarative agents; built-ins ship with the platform' },
      ]);
    }
    const existing = await this.store.findAgent(tenantId, input.name);
    if (existing && existing.tenantId === null && tenantId !== null) {
      throw new ConflictError(`Agent name '${input.name}' belongs to a platform agent; choose another name`);
    }
    return this.forgetAfter(this.store.createAgent(tenantId, input));
  }

  /** The owner's agent of that name, else the platform's; NotFoundError otherwise (other tenants' too). */
  async getAgent(tenantId: Owner, name: string): Promise<AgentRecord> {
    return new Resolver(this.store, tenantId).agent(name);
  }

  /** One exact version of a visible agent; NotFoundError lists the versions there are. */
  async getVersion(tenantId: Owner, agentName: string, version: string): Promise<AgentVersionRecord> {
    const agent = await this.getAgent(tenantId, agentName);
    const v = parseVersion(version);
    const found = await this.store.getVersion(tenantId, agent.id, v);
    if (!found) throw await this.noSuchVersion(tenantId, agent, v);
    return found;
  }

  async listAgents(tenantId: Owner): Promise<AgentRecord[]> {
    return this.store.listAgents(tenantId);
  }

  /** Publishes a new draft version. Declarative manifests must load (spec checked now, not at run time). */
  async publishVersion(tenantId: Owner, agentName: string, raw: unknown): Promise<AgentVersionRecord> {
    const input: NewAgentVersion = parseWithIssues(newVersionSchema, raw);
    const agent = await this.writableAgent(tenantId, agentName);
    if (agent.kind === 'declarative') {
      const spec = input.manifest;
      if (spec['id'] !== agent.name || spec['version'] !== input.version) {
        throw new ValidationError([
          { path: 'manifest', message: `spec id and version must be '${agent.name}' and '${input.version}'` },
        ]);
      }
      // Throws SpecError (a DomainError listing spec paths) when the spec does not load.
      agentFor(agent, { ...draftOf(agent, input) }, this.builtins, this.ctx);
    }
    return this.forgetAfter(this.store.addVersion(tenantId, agent.id, input));
  }

  async listVersions(tenantId: Owner, agentName: string): Promise<AgentVersionRecord[]> {
    const agent = await new Resolver(this.store, tenantId).agent(agentName);
    return this.store.listVersions(tenantId, agent.id);
  }

  /** One step along the lifecycle; certification runs the golden tests and resolves dependencies. */
  async promote(
    tenantId: Owner,
    agentName: string,
    version: string,
    toRaw: unknown,
  ): Promise<AgentVersionRecord> {
    const to: LifecycleStage = parseStage(toRaw);
    const agent = await this.writableAgent(tenantId, agentName);
    const v = parseVersion(version);
    const current = await this.store.getVersion(tenantId, agent.id, v);
    if (!current) throw await this.noSuchVersion(tenantId, agent, v);
    const subject = `${agent.name}@${v}`;
    assertPromotion(current.status, to, subject);
    if (to === 'certified') await this.certify(tenantId, agent, current, subject);
    if (!(await this.forgetAfter(this.store.setStatus(tenantId, agent.id, v, current.status, to)))) {
      throw new ConflictError(`${subject} changed while it was being promoted; read it again and retry`);
    }
    return (await this.store.getVersion(tenantId, agent.id, v))!;
  }

  /**
   * Resolves `name@range` (or `name@1.2.3`, a pin) and its dependencies transitively.
   * Ranges pick the highest experimental/certified version; pins also reach deprecated ones.
   */
  async resolve(tenantId: Owner, ref: string): Promise<Resolution> {
    const { agent, range } = parseAgentRef(ref);
    return this.resolutions.get(`${tenantId ?? '(platform)'}\n${agent}@${range}`, async () => {
      const resolver = new Resolver(this.store, tenantId);
      return resolver.closure(await resolver.one(agent, range));
    });
  }

  /** Resolutions are forgotten once a write settles (a load still running then is not kept either). */
  private async forgetAfter<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.resolutions.clear();
    }
  }

  private async certify(tenantId: Owner, agent: AgentRecord, v: AgentVersionRecord, subject: string) {
    if (v.goldenTests.length === 0) {
      throw new CertificationFailedError(subject, [
        { name: '(none)', problems: [{ path: 'goldenTests', message: 'add at least one golden test' }] },
      ]);
    }
    // Dependencies must resolve, without cycles, before anyone can rely on this version.
    await new Resolver(this.store, tenantId).closure({ agent, version: v });
    const failures = await runGoldenTests(agentFor(agent, v, this.builtins, this.ctx), v, this.ctx);
    if (failures.length > 0) throw new CertificationFailedError(subject, failures);
  }

  private async writableAgent(tenantId: Owner, name: string): Promise<AgentRecord> {
    const agent = await new Resolver(this.store, tenantId).agent(name);
    if (agent.tenantId !== tenantId) {
      throw new ConflictError(`Agent '${name}' is a platform agent; only the platform can change it`);
    }
    return agent;
  }

  private async noSuchVersion(tenantId: Owner, agent: AgentRecord, v: string): Promise<NotFoundError> {
    const versions = await this.store.listVersions(tenantId, agent.id);
    const listed = versions.map((x) => `${x.version} (${x.status})`).join(', ') || 'none';
    return new NotFoundError('agent version', `${agent.name}@${v}`, `available: ${listed}`);
  }
}

function draftOf(agent: AgentRecord, v: NewAgentVersion): AgentVersionRecord {
  return {
    agentId: agent.id,
    agentName: agent.name,
    tenantId: agent.tenantId,
    version: v.version,
    status: 'draft',
    manifest: v.manifest,
    goldenTests: v.goldenTests,
    dependencies: v.dependencies,
    createdAt: new Date(0).toISOString(),
  };
}
