/**
 * Membership roles inside a tenant and what each may do. No I/O.
 */
export const MEMBER_ROLES = ['admin', 'developer', 'operator', 'viewer'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export type Permission =
  | 'tenant:manage'
  | 'members:manage'
  | 'agents:write'
  | 'agents:certify'
  | 'executions:run'
  | 'factors:write'
  | 'read';

const GRANTS: Readonly<Record<MemberRole, readonly Permission[]>> = {
  admin: [
    'tenant:manage',
    'members:manage',
    'agents:write',
    'agents:certify',
    'executions:run',
    'factors:write',
    'read',
  ],
  developer: ['agents:write', 'executions:run', 'factors:write', 'read'],
  operator: ['executions:run', 'read'],
  viewer: ['read'],
};

export function can(role: MemberRole, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function isMemberRole(value: unknown): value is MemberRole {
  return typeof value === 'string' && (MEMBER_ROLES as readonly string[]).includes(value);
}
