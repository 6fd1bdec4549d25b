/** One valid detail per event type (the catalogue test requires one for every type). */
import type { EventType } from '../../lib/domain/events/catalogue.js';

export const TENANT = '0b6f1c1e-8a1d-4c3e-9a57-1f0e2d3c4b5a';
export const OTHER_TENANT = '7c2d9e4f-1a3b-4c5d-8e6f-0a1b2c3d4e5f';

const exec = {
  executionId: '01928f3e-7b6a-7c1d-9e2f-3a4b5c6d7e8f',
  agentId: 'fuel-emissions',
  agentVersion: '1.2.0',
  attempts: 1,
  at: '2026-11-26T10:00:00.000Z',
};

export const SAMPLE_DETAILS: Record<EventType, Record<string, unknown>> = {
  'agent.created': { agentId: 'fuel-emissions', displayName: 'Fuel emissions', kind: 'builtin' },
  'agent.version.published': { agentId: 'fuel-emissions', version: '1.2.0', stage: 'experimental' },
  'agent.certified': { agentId: 'fuel-emissions', version: '1.2.0', certifiedBy: 'golden-tests' },
  'agent.deprecated': { agentId: 'fuel-emissions', version: '1.0.0', reason: 'superseded by 1.2.0' },
  'execution.created': { ...exec, attempts: 0, priority: 2 },
  'execution.started': exec,
  'execution.completed': { ...exec, fromCache: false },
  'execution.failed': { ...exec, error: { code: 'agent_error', message: 'fuel type unknown' } },
  'execution.cancelled': { ...exec, previousStatus: 'RUNNING' },
  'execution.timed_out': exec,
  'quota.exceeded': { quota: 'executionsPerMonth', limit: 100000, used: 100000, period: '2026-11' },
  'slo.violation': { slo: 'api-p99-latency-ms', objective: 500, observed: 812.5, window: '5m' },
  'tenant.created': { tenantId: TENANT, slug: 'acme', tier: 'pool', homeRegion: 'eu-west-1' },
  'tenant.suspended': { tenantId: TENANT },
  'tenant.resumed': { tenantId: TENANT },
  'tenant.offboarded': { tenantId: TENANT, exportLocation: 's3://exports/acme.tar.gz' },
  'webhook.test': { webhookId: 'wh_123', message: 'ping' },
};
