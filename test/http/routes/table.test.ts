import { describe, expect, it } from 'vitest';
import { ROUTE_ACCESS } from '../../../lib/domain/rbac.js';
import { routes } from '../../../lib/http/routes/index.js';

/** The design contract's table (issue 4): operation id -> method and path. */
const CONTRACT: Record<string, string> = {
  health: 'GET /health',
  ready: 'GET /ready',
  getOpenApi: 'GET /v1/openapi.json',
  createTenant: 'POST /v1/tenants',
  listTenants: 'GET /v1/tenants',
  getTenant: 'GET /v1/tenants/{tenantId}',
  updateTenantQuotas: 'PATCH /v1/tenants/{tenantId}/quotas',
  updateTenantConfig: 'PATCH /v1/tenants/{tenantId}/config',
  suspendTenant: 'POST /v1/tenants/{tenantId}/suspend',
  resumeTenant: 'POST /v1/tenants/{tenantId}/resume',
  offboardTenant: 'POST /v1/tenants/{tenantId}/offboard',
  listAgents: 'GET /v1/agents',
  getAgent: 'GET /v1/agents/{agentId}',
  registerAgent: 'POST /v1/agents',
  listAgentVersions: 'GET /v1/agents/{agentId}/versions',
  publishAgentVersion: 'POST /v1/agents/{agentId}/versions',
  getAgentVersion: 'GET /v1/agents/{agentId}/versions/{version}',
  promoteAgentVersion: 'POST /v1/agents/{agentId}/versions/{version}/promote',
  createExecution: 'POST /v1/executions',
  listExecutions: 'GET /v1/executions',
  getExecution: 'GET /v1/executions/{executionId}',
  cancelExecution: 'POST /v1/executions/{executionId}/cancel',
  searchFactors: 'GET /v1/factors',
  getFactor: 'GET /v1/factors/{factorId}',
  lookupFactor: 'GET /v1/factors/lookup',
  diffFactors: 'GET /v1/factors/diff',
  listAudit: 'GET /v1/audit',
  verifyAudit: 'POST /v1/audit/verify',
  getUsage: 'GET /v1/usage',
  createApiKey: 'POST /v1/api-keys',
  listApiKeys: 'GET /v1/api-keys',
  revokeApiKey: 'DELETE /v1/api-keys/{keyId}',
  registerWebhook: 'POST /v1/webhooks',
  listWebhooks: 'GET /v1/webhooks',
  getWebhook: 'GET /v1/webhooks/{webhookId}',
  deleteWebhook: 'DELETE /v1/webhooks/{webhookId}',
  enableWebhook: 'POST /v1/webhooks/{webhookId}/enable',
  disableWebhook: 'POST /v1/webhooks/{webhookId}/disable',
  rotateWebhookSecret: 'POST /v1/webhooks/{webhookId}/rotate-secret',
  testWebhook: 'POST /v1/webhooks/{webhookId}/test',
  listWebhookDeliveries: 'GET /v1/webhooks/{webhookId}/deliveries',
  createBatch: 'POST /v1/batches',
  getBatch: 'GET /v1/batches/{batchId}',
};

describe('the route table', () => {
  it('serves every operation of the contract once, with its method, path, access and sensitivity', () => {
    const served = new Map(routes.map((r) => [r.operationId, r]));
    expect(served.size).toBe(routes.length);
    expect([...served.keys()].sort()).toEqual(Object.keys(CONTRACT).sort());
    for (const [id, route] of served) {
      const rule = ROUTE_ACCESS[id as keyof typeof ROUTE_ACCESS];
      expect({ id, route: `${route.method} ${route.path}` }).toEqual({ id, route: CONTRACT[id] });
      expect({ id, access: route.access, sensitive: route.sensitive === true }).toEqual({
        id,
        access: rule.access,
        sensitive: rule.sensitive,
      });
    }
  });

  it('describes every /v1 resource route with a response schema, and path parameters with a schema', () => {
    const resources = routes.filter((r) => r.path.startsWith('/v1/') && r.operationId !== 'getOpenApi');
    expect(resources.filter((r) => r.response === undefined).map((r) => r.operationId)).toEqual([]);
    const templated = resources.filter((r) => r.path.includes('{'));
    expect(templated.filter((r) => r.params === undefined).map((r) => r.operationId)).toEqual([]);
    expect(
      resources.filter((r) => r.method === 'GET' && r.body !== undefined).map((r) => r.operationId),
    ).toEqual([]);
  });
});
