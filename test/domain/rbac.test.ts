/**
 * Every cell of the route x caller matrix, checked against the design contract's table as
 * transcribed here by hand (not derived from lib/domain/rbac.ts, so a wrong entry there fails).
 */
import { describe, expect, it } from 'vitest';
import { isAllowed, OPERATION_IDS, ROUTE_ACCESS, type RbacPrincipal } from '../../lib/domain/rbac.js';
import { MEMBER_ROLES, type MemberRole } from '../../lib/domain/roles.js';

type Row = readonly [access: 'public' | 'tenant' | 'platform-admin', roles: string, sensitive: boolean];
const ALL = 'viewer operator developer admin';

// The table of docs: operationId -> access, allowed tenant roles, sensitive.
const TABLE: Readonly<Record<string, Row>> = {
  health: ['public', '', false],
  ready: ['public', '', false],
  getOpenApi: ['public', '', false],
  createTenant: ['platform-admin', '', true],
  listTenants: ['platform-admin', '', false],
  getTenant: ['platform-admin', '', false],
  updateTenantQuotas: ['platform-admin', '', false],
  updateTenantConfig: ['platform-admin', '', false],
  suspendTenant: ['platform-admin', '', true],
  resumeTenant: ['platform-admin', '', true],
  offboardTenant: ['platform-admin', '', true],
  listAgents: ['tenant', ALL, false],
  getAgent: ['tenant', ALL, false],
  registerAgent: ['tenant', 'developer admin', false],
  listAgentVersions: ['tenant', ALL, false],
  publishAgentVersion: ['tenant', 'developer admin', false],
  getAgentVersion: ['tenant', ALL, false],
  promoteAgentVersion: ['tenant', 'developer admin', false],
  createExecution: ['tenant', 'operator developer admin', false],
  listExecutions: ['tenant', ALL, false],
  getExecution: ['tenant', ALL, false],
  cancelExecution: ['tenant', 'operator developer admin', false],
  searchFactors: ['tenant', ALL, false],
  getFactor: ['tenant', ALL, false],
  lookupFactor: ['tenant', ALL, false],
  diffFactors: ['tenant', ALL, false],
  listAudit: ['tenant', 'operator admin', false],
  verifyAudit: ['tenant', 'admin', true],
  getUsage: ['tenant', ALL, false],
  createApiKey: ['tenant', 'admin', true],
  listApiKeys: ['tenant', 'admin', false],
  revokeApiKey: ['tenant', 'admin', true],
  registerWebhook: ['tenant', 'admin', true],
  listWebhooks: ['tenant', 'admin', false],
  getWebhook: ['tenant', 'admin', false],
  deleteWebhook: ['tenant', 'admin', false],
  enableWebhook: ['tenant', 'admin', false],
  disableWebhook: ['tenant', 'admin', false],
  rotateWebhookSecret: ['tenant', 'admin', true],
  testWebhook: ['tenant', 'admin', false],
  listWebhookDeliveries: ['tenant', 'admin', false],
  createBatch: ['tenant', 'operator developer admin', false],
  getBatch: ['tenant', ALL, false],
};

const TENANT = '0b6f1c1e-8a1d-4c3e-9a57-1f0e2d3c4b5a';
const member = (role: MemberRole): RbacPrincipal => ({
  tenantId: TENANT,
  roles: [role],
  platformAdmin: false,
});

// Callers: each tenant role, platform admins with and without a tenant, and nobody.
const CALLERS: readonly { name: string; principal: RbacPrincipal | null; expected: (row: Row) => boolean }[] =
  [
    ...MEMBER_ROLES.map((role) => ({
      name: role,
      principal: member(role),
      expected: ([access, roles]: Row) =>
        access === 'public' || (access === 'tenant' && roles.split(' ').includes(role)),
    })),
    {
      name: 'platform admin without tenant',
      principal: { tenantId: null, roles: [], platformAdmin: true },
      expected: ([access]) => access !== 'tenant',
    },
    {
      // The claim grants control-plane routes only; tenant data still needs a role in the tenant.
      name: 'platform admin with tenant, no role',
      principal: { tenantId: TENANT, roles: [], platformAdmin: true },
      expected: ([access]) => access !== 'tenant',
    },
    { name: 'no principal', principal: null, expected: ([access]) => access === 'public' },
  ];

const CELLS = Object.entries(TABLE).flatMap(([op, row]) =>
  CALLERS.map((c) => ({ op, caller: c.name, principal: c.principal, allowed: c.expected(row) })),
);

describe('rbac matrix', () => {
  it('lists exactly the operations of the contract table', () => {
    expect([...OPERATION_IDS].sort()).toEqual(Object.keys(TABLE).sort());
  });

  it.each(Object.entries(TABLE))('%s has the access level and sensitivity of the table', (op, row) => {
    const rule = ROUTE_ACCESS[op as keyof typeof ROUTE_ACCESS];
    expect(rule.access).toBe(row[0]);
    expect(rule.sensitive).toBe(row[2]);
    expect([...rule.roles].sort()).toEqual(row[1] === '' ? [] : row[1].split(' ').sort());
  });

  it('checks 43 operations x 7 callers', () => {
    expect(CELLS).toHaveLength(43 * 7);
  });

  it.each(CELLS)('$op by $caller -> $allowed', ({ op, principal, allowed }) => {
    expect(isAllowed(op, principal)).toBe(allowed);
  });
});

describe('isAllowed edge cases', () => {
  it('refuses a member role without a tenant on tenant routes (and allows it on public ones)', () => {
    const p: RbacPrincipal = { tenantId: null, roles: ['admin'], platformAdmin: false };
    expect(isAllowed('listAgents', p)).toBe(false);
    expect(isAllowed('health', p)).toBe(true);
  });

  it('refuses an empty tenant id the authorizer context might carry', () => {
    expect(isAllowed('listAgents', { tenantId: '', roles: ['viewer'], platformAdmin: false })).toBe(false);
  });

  it('refuses a tenant principal without roles', () => {
    expect(isAllowed('listAgents', { tenantId: TENANT, roles: [], platformAdmin: false })).toBe(false);
  });

  it('allows when any of several roles is enough', () => {
    const p: RbacPrincipal = { tenantId: TENANT, roles: ['viewer', 'developer'], platformAdmin: false };
    expect(isAllowed('registerAgent', p)).toBe(true);
    expect(isAllowed('listAudit', p)).toBe(false);
  });

  it('closes unknown operation ids and prototype keys, even to admins', () => {
    const admin: RbacPrincipal = { tenantId: TENANT, roles: ['admin'], platformAdmin: true };
    for (const op of ['deleteEverything', 'toString', '__proto__', 'constructor', '']) {
      expect(isAllowed(op, admin)).toBe(false);
    }
  });
});
