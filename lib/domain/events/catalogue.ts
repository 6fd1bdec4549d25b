/**
 * Every event the platform publishes: its name, its current version and the JSON Schema
 * (draft 2020-12) of its `detail`, in ONE place. Plain data, no I/O: publishers validate
 * against it (validate.ts), stacks may read the names for EventBridge rules, and the
 * compatibility test compares each schema with its frozen previous version in
 * `test/fixtures/event-schemas/` (compat.ts says what counts as breaking).
 *
 * Changing a schema: bump `version` and keep it backward compatible (add optional
 * properties, widen types and enums, relax constraints). Detail objects are closed
 * (`additionalProperties: false`) so a publisher cannot leak fields by accident, which is
 * also what makes adding an optional property a compatible change.
 */

export type JsonSchema = Readonly<Record<string, unknown>>;

export interface EventDefinition {
  /** Bumped on every schema change; the envelope carries it. */
  readonly version: number;
  readonly description: string;
  readonly detail: JsonSchema;
}

const uuid = { type: 'string', format: 'uuid' } as const;
const agentId = { type: 'string', pattern: '^[a-z][a-z0-9._-]{1,63}$' } as const;
const semver = { type: 'string', minLength: 1, maxLength: 64 } as const;
const executionId = { type: 'string', minLength: 1, maxLength: 64 } as const;
const timestamp = { type: 'string', format: 'date-time' } as const;
const count = { type: 'integer', minimum: 0 } as const;
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;

function object(properties: Record<string, JsonSchema>, required: readonly string[]): JsonSchema {
  return { type: 'object', properties, required: [...required], additionalProperties: false };
}

const executionBase = {
  executionId,
  agentId,
  agentVersion: semver,
  /** Claims so far (a redelivered execution is claimed again). */
  attempts: count,
  at: timestamp,
};
const executionRequired = ['executionId', 'agentId', 'agentVersion', 'at'] as const;
const executionError = object({ code: text(128), message: text(4096) }, ['code', 'message']);

export const EVENT_CATALOGUE = {
  'agent.created': {
    version: 1,
    description: 'A tenant registered a new agent.',
    detail: object({ agentId, displayName: text(200), kind: text(64) }, ['agentId']),
  },
  'agent.version.published': {
    version: 1,
    description: 'A new version of an agent was published.',
    detail: object({ agentId, version: semver, stage: text(32) }, ['agentId', 'version']),
  },
  'agent.certified': {
    version: 1,
    description: 'An agent version passed its golden tests and was certified.',
    detail: object({ agentId, version: semver, certifiedBy: text(200) }, ['agentId', 'version']),
  },
  'agent.deprecated': {
    version: 1,
    description: 'An agent version was deprecated.',
    detail: object({ agentId, version: semver, reason: text(1000) }, ['agentId', 'version']),
  },
  'execution.created': {
    version: 1,
    description: 'An execution was accepted and is PENDING.',
    detail: object(
      { ...executionBase, priority: { type: 'integer', minimum: 0, maximum: 3 } },
      executionRequired,
    ),
  },
  'execution.started': {
    version: 1,
    description: 'A worker claimed an execution (PENDING -> RUNNING).',
    detail: object(executionBase, executionRequired),
  },
  'execution.completed': {
    version: 1,
    description: 'An execution finished with a result.',
    detail: object({ ...executionBase, fromCache: { type: 'boolean' } }, executionRequired),
  },
  'execution.failed': {
    version: 1,
    description: 'An execution failed; `error` says why.',
    detail: object({ ...executionBase, error: executionError }, [...executionRequired, 'error']),
  },
  'execution.cancelled': {
    version: 1,
    description: 'An execution was cancelled before it finished.',
    detail: object(
      { ...executionBase, previousStatus: { type: 'string', enum: ['PENDING', 'RUNNING'] } },
      executionRequired,
    ),
  },
  'execution.timed_out': {
    version: 1,
    description: "An execution ran past its agent's time limit.",
    detail: object(executionBase, executionRequired),
  },
  'quota.exceeded': {
    version: 1,
    description: 'A tenant hit one of its quotas; the request was refused.',
    detail: object({ quota: text(64), limit: count, used: count, period: text(32) }, [
      'quota',
      'limit',
      'used',
    ]),
  },
  'slo.violation': {
    version: 1,
    description: 'A service level objective was missed over its window.',
    detail: object(
      {
        slo: text(128),
        objective: { type: 'number' },
        observed: { type: 'number' },
        window: text(32),
      },
      ['slo', 'objective', 'observed'],
    ),
  },
  'tenant.created': {
    version: 1,
    description: 'A tenant was onboarded.',
    detail: object(
      {
        tenantId: uuid,
        slug: text(63),
        tier: { type: 'string', enum: ['pool', 'silo'] },
        homeRegion: text(32),
      },
      ['tenantId'],
    ),
  },
  'tenant.suspended': {
    version: 1,
    description: 'A tenant was suspended; its API calls are refused.',
    detail: object({ tenantId: uuid, reason: text(1000) }, ['tenantId']),
  },
  'tenant.resumed': {
    version: 1,
    description: 'A suspended tenant was made active again.',
    detail: object({ tenantId: uuid }, ['tenantId']),
  },
  'tenant.offboarded': {
    version: 1,
    description: 'A tenant was offboarded; its data was exported and deleted.',
    detail: object({ tenantId: uuid, exportLocation: text(2048) }, ['tenantId']),
  },
  'webhook.test': {
    version: 1,
    description: 'A test ping sent to one webhook on request.',
    detail: object({ webhookId: text(64), message: text(500) }, ['webhookId']),
  },
} as const satisfies Record<string, EventDefinition>;

export type EventType = keyof typeof EVENT_CATALOGUE;
export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(EVENT_CATALOGUE, value);
}

/** The family is the first dot-separated part: 'execution.completed' -> 'execution'. */
export function familyOf(type: EventType): string {
  return type.slice(0, type.indexOf('.'));
}

/** Every event carries `source: 'glaf'` (the EventBridge Source and the envelope field). */
export const EVENT_SOURCE = 'glaf';
