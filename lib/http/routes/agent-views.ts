/**
 * Agents and agent versions as the API shows them (snake_case), request bodies, and the
 * mapping of a spec that does not load to a 400 listing every spec path.
 */
import semver from 'semver';
import * as z from 'zod';

import { SpecError } from '../../agents/declarative/index.js';
import { AGENT_NAME, goldenTestSchema } from '../../domain/agent-manifest.js';
import { ValidationError } from '../../domain/errors.js';
import { LIFECYCLE_STAGES } from '../../domain/lifecycle.js';
import type { AgentRecord, AgentVersionRecord } from '../../ports/agent-registry-store.js';

export const agentIdSchema = z.string().regex(AGENT_NAME, 'an agent id such as "fuel-emissions"');
export const versionSchema = z
  .string()
  .refine((v) => semver.valid(v) === v, 'an exact version MAJOR.MINOR.PATCH, e.g. 1.2.0');

const owner = z.enum(['platform', 'tenant']);

export const agentSchema = z.object({
  agent_id: z.string(),
  owner,
  kind: z.enum(['builtin', 'declarative']),
  display_name: z.string(),
  description: z.string(),
  created_at: z.string(),
});

export const agentVersionSchema = z.object({
  agent_id: z.string(),
  version: z.string(),
  owner,
  status: z.enum(LIFECYCLE_STAGES),
  manifest: z.record(z.string(), z.unknown()),
  golden_tests: z.array(goldenTestSchema),
  dependencies: z.record(z.string(), z.string()),
  certified_at: z.string().nullable(),
  deprecated_at: z.string().nullable(),
  created_at: z.string(),
});

export const agentDetailSchema = agentSchema.extend({
  versions: z.array(z.object({ version: z.string(), status: z.enum(LIFECYCLE_STAGES) })),
});

/** A declarative spec: checked in full by the spec loader; here only what names the agent. */
const specSchema = z.looseObject({ id: agentIdSchema, version: versionSchema });

export const registerBody = z.strictObject({
  spec: specSchema,
  display_name: z.string().max(200).optional(),
  description: z.string().max(2000).optional(),
  golden_tests: z.array(goldenTestSchema).max(200).default([]),
});

export const publishBody = z.strictObject({
  version: versionSchema,
  manifest: z.record(z.string(), z.unknown()),
  golden_tests: z.array(goldenTestSchema).max(200).default([]),
  dependencies: z.record(agentIdSchema, z.string().min(1).max(100)).default({}),
});

export const promoteBody = z.strictObject({ to: z.enum(['experimental', 'certified', 'deprecated']) });

export function agentView(a: AgentRecord): z.output<typeof agentSchema> {
  return {
    agent_id: a.name,
    owner: a.tenantId === null ? 'platform' : 'tenant',
    kind: a.kind,
    display_name: a.displayName,
    description: a.description,
    created_at: a.createdAt,
  };
}

export function versionView(v: AgentVersionRecord): z.output<typeof agentVersionSchema> {
  return {
    agent_id: v.agentName,
    version: v.version,
    owner: v.tenantId === null ? 'platform' : 'tenant',
    status: v.status,
    manifest: { ...v.manifest },
    golden_tests: v.goldenTests.map((t) => ({ ...t })),
    dependencies: { ...v.dependencies },
    certified_at: v.certifiedAt ?? null,
    deprecated_at: v.deprecatedAt ?? null,
    created_at: v.createdAt,
  };
}

/** Sorts versions by semver through a fixed-width key (cursor pagination compares strings). */
export function versionKey(v: { version: string }): string {
  const p = semver.parse(v.version);
  if (!p) return v.version;
  const pad = (n: number) => String(n).padStart(10, '0');
  // A release sorts after its prereleases: '~' is above every prerelease character.
  return `${pad(p.major)}.${pad(p.minor)}.${pad(p.patch)}-${p.prerelease.length ? p.prerelease.join('.') : '~'}`;
}

/** A spec that does not load is the client's input error: 400 with every spec path under `at`. */
export async function withSpecIssues<T>(at: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw err instanceof SpecError ? specValidationError(err, at) : err;
  }
}

export function specValidationError(err: SpecError, at: string): ValidationError {
  const issues = err.issues.map((i) => ({ path: `${at}.${i.path}`, message: i.message }));
  return new ValidationError(issues, 'The declarative agent spec does not load');
}
