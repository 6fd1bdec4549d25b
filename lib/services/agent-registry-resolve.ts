/**
 * Reference and dependency resolution: `name@range` to one stored version, then its
 * dependencies transitively, depth first. An agent met again on the current path is a
 * cycle, reported with the whole path (a@1.0.0 -> b@1.2.0 -> a@1.0.0).
 */
import { NotFoundError } from '../domain/errors.js';
import { DependencyCycleError, resolveVersion } from '../domain/semver-range.js';
import type {
  AgentRecord,
  AgentRegistryStore,
  AgentVersionRecord,
  Owner,
} from '../ports/agent-registry-store.js';

export interface ResolvedVersion {
  readonly agent: AgentRecord;
  readonly version: AgentVersionRecord;
}

export interface Resolution extends ResolvedVersion {
  /** Every transitive dependency once, dependencies before their dependents. */
  readonly dependencies: readonly ResolvedVersion[];
}

/** Past this depth a chain is refused: it is a mistake or an attack, not a design. */
const MAX_DEPTH = 32;

export class Resolver {
  constructor(
    private readonly store: AgentRegistryStore,
    private readonly owner: Owner,
  ) {}

  async agent(name: string): Promise<AgentRecord> {
    const found = await this.store.findAgent(this.owner, name);
    if (!found)
      throw new NotFoundError('agent', name, 'check the name; agents of other tenants are not visible');
    return found;
  }

  async one(name: string, range: string): Promise<ResolvedVersion> {
    const agent = await this.agent(name);
    const versions = await this.store.listVersions(this.owner, agent.id);
    const chosen = resolveVersion(name, range, versions);
    return { agent, version: versions.find((v) => v.version === chosen.version)! };
  }

  /** The dependency closure of `root`, refusing cycles. */
  async closure(root: ResolvedVersion): Promise<Resolution> {
    const done = new Map<string, ResolvedVersion>();
    const walk = async (node: ResolvedVersion, path: string[]): Promise<void> => {
      const label = `${node.agent.name}@${node.version.version}`;
      const seenAt = path.findIndex((p) => p.startsWith(`${node.agent.name}@`));
      if (seenAt >= 0) throw new DependencyCycleError([...path.slice(seenAt), label]);
      if (path.length >= MAX_DEPTH)
        throw new DependencyCycleError([...path, `${label} (depth limit ${MAX_DEPTH})`]);
      if (done.has(label)) return;
      for (const [dep, range] of Object.entries(node.version.dependencies)) {
        await walk(await this.one(dep, range), [...path, label]);
      }
      if (node !== root) done.set(label, node);
    };
    await walk(root, []);
    return { ...root, dependencies: [...done.values()] };
  }
}
