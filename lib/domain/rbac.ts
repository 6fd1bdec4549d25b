/**
 * The route x role matrix: the one place that says who may call which operation.
 * The HTTP pipeline asks `isAllowed(operationId, principal)` after the authorizer has
 * established who the caller is; `test/domain/rbac.test.ts` checks every cell. No I/O.
 */
import { MEMBER_ROLES, type MemberRole } from './roles.js';

export type Role = MemberRole;
export type Access = 'public' | 'tenant' | 'platform-admin';

/** What the matrix needs of a caller (structurally a subset of the HTTP `Principal`). */
export interface RbacPrincipal {
  readonly tenantId: string | null;
  readonly roles: readonly Role[];
  readonly platformAdmin: boolean;
}

export interface RouteAccess {
  readonly access: Access;
  /** Tenant roles allowed; empty for public and platform-admin operations. */
  readonly roles: readonly Role[];
  /** Sensitive operations get their own 10 requests/minute window per tenant. */
  readonly sensitive: boolean;
}

const ALL: readonly Role[] = MEMBER_ROLES;
const OPERATE: readonly Role[] = ['operator', 'developer', 'admin'];
const DEVELOP: readonly Role[] = ['developer', 'admin'];
const ADMIN: readonly Role[] = ['admin'];

const pub = (): RouteAccess => ({ access: 'public', roles: [], sensitive: false });
const platform = (sensitive = false): RouteAccess => ({ access: 'platform-admin', roles: [], sensitive });
const tenant = (roles: readonly Role[], sensitive = false): RouteAccess => ({
  access: 'tenant',
  roles,
  sensitive,
});

const MATRIX = {
  health: pub(),
  ready: pub(),
  getOpenApi: pub(),
  createTenant: platform(true),
  listTenants: platform(),
  getTenant: platform(),
  updateTenantQuotas: platform(),
  updateTenantConfig: platform(),
  suspendTenant: platform(true),
  resumeTenant: platform(true),
  offboardTenant: platform(true),
  listAgents: tenant(ALL),
  getAgent: tenant(ALL),
  registerAgent: tenant(DEVELOP),
  listAgentVersions: tenant(ALL),
  publishAgentVersion: tenant(DEVELOP),
  getAgentVersion: tenant(ALL),
  promoteAgentVersion: tenant(DEVELOP),
  createExecution: tenant(OPERATE),
  listExecutions: tenant(ALL),
  getExecution: tenant(ALL),
  cancelExecution: tenant(OPERATE),
  searchFactors: tenant(ALL),
  getFactor: tenant(ALL),
  lookupFactor: tenant(ALL),
  diffFactors: tenant(ALL),
  listAudit: tenant(['operator', 'admin']),
  verifyAudit: tenant(ADMIN, true),
  getUsage: tenant(ALL),
  createApiKey: tenant(ADMIN, true),
  listApiKeys: tenant(ADMIN),
  revokeApiKey: tenant(ADMIN, true),
  registerWebhook: tenant(ADMIN, true),
  listWebhooks: tenant(ADMIN),
  getWebhook: tenant(ADMIN),
  deleteWebhook: tenant(ADMIN),
  enableWebhook: tenant(ADMIN),
  disableWebhook: tenant(ADMIN),
  rotateWebhookSecret: tenant(ADMIN, true),
  testWebhook: tenant(ADMIN),
  listWebhookDeliveries: tenant(ADMIN),
  createBatch: tenant(OPERATE),
  getBatch: tenant(ALL),
} as const satisfies Record<string, RouteAccess>;

export type OperationId = keyof typeof MATRIX;
export const ROUTE_ACCESS: Readonly<Record<OperationId, RouteAccess>> = MATRIX;
export const OPERATION_IDS = Object.keys(MATRIX) as readonly OperationId[];

export function isOperationId(value: string): value is OperationId {
  return Object.hasOwn(ROUTE_ACCESS, value);
}

/**
 * May this caller run the operation? Public: anyone (even no principal). Platform-admin:
 * the `platform_admin` claim, tenant or not. Tenant: a tenant id plus one allowed role;
 * the platform-admin claim alone grants nothing inside a tenant, so an operator of the
 * platform cannot read tenant data without also being a member with a role.
 */
export function isAllowed(operationId: string, principal: RbacPrincipal | null): boolean {
  if (!isOperationId(operationId)) return false; // unknown operations are closed by default
  const rule = ROUTE_ACCESS[operationId];
  if (rule.access === 'public') return true;
  if (principal === null) return false;
  if (rule.access === 'platform-admin') return principal.platformAdmin;
  if (principal.tenantId === null || principal.tenantId === '') return false;
  return principal.roles.some((role) => rule.roles.includes(role));
}
