/**
 * What the agent registry service needs from storage. `tenantId` null means the platform
 * (control plane, admin role): platform-wide agents are written only that way. A tenant
 * sees its own agents plus the platform's, and writes only its own.
 */
import type { LifecycleStage } from '../domain/lifecycle.js';
import type { GoldenTest, NewAgent, NewAgentVersion } from '../domain/agent-manifest.js';

export interface AgentRecord {
  readonly id: string;
  /** null: platform-wide (built-in and shipped declarative agents). */
  readonly tenantId: string | null;
  readonly name: string;
  readonly kind: 'builtin' | 'declarative';
  readonly displayName: string;
  readonly description: string;
  readonly createdAt: string;
}

export interface AgentVersionRecord {
  readonly agentId: string;
  readonly agentName: string;
  readonly tenantId: string | null;
  readonly version: string;
  readonly status: LifecycleStage;
  readonly manifest: Readonly<Record<string, unknown>>;
  readonly goldenTests: readonly GoldenTest[];
  readonly dependencies: Readonly<Record<string, string>>;
  readonly certifiedAt?: string;
  readonly deprecatedAt?: string;
  readonly createdAt: string;
}

export type Owner = string | null;

export interface AgentRegistryStore {
  /** ConflictError when the owner already has an agent of that name. */
  createAgent(owner: Owner, agent: NewAgent): Promise<AgentRecord>;
  /** The owner's own agent of that name, else the platform's; undefined when neither. */
  findAgent(owner: Owner, name: string): Promise<AgentRecord | undefined>;
  listAgents(owner: Owner): Promise<AgentRecord[]>;

  /** Adds a version in `status` (draft unless the platform seeds it); ConflictError if it exists. */
  addVersion(
    owner: Owner,
    agentId: string,
    version: NewAgentVersion,
    status?: LifecycleStage,
  ): Promise<AgentVersionRecord>;
  listVersions(owner: Owner, agentId: string): Promise<AgentVersionRecord[]>;
  getVersion(owner: Owner, agentId: string, version: string): Promise<AgentVersionRecord | undefined>;
  /**
   * Compare-and-set of the lifecycle stage: true when the row was in `from` and is now in
   * `to`; false when it changed meanwhile or is not writable by this owner.
   */
  setStatus(
    owner: Owner,
    agentId: string,
    version: string,
    from: LifecycleStage,
    to: LifecycleStage,
  ): Promise<boolean>;
}
