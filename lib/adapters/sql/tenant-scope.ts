/**
 * withTenant / withAdmin: the only ways the application and the control plane reach the
 * tables. Both switch role and tenant with transaction-local settings in one round trip
 * (set_config(..., true) is what SET LOCAL does, and RDS Proxy does not pin on it), so a
 * pooled connection goes back clean at COMMIT/ROLLBACK.
 *
 * The role switch is what makes RLS real on PGlite, whose only user is a superuser
 * (superusers bypass RLS); on a server it is a no-op when the login user is the app role.
 */
import { parseUuid } from '../../domain/tenant.js';
import type { DbRoles, SqlClient, SqlQueryable, TenantScope } from '../../ports/sql.js';

export function createTenantScope(client: SqlClient, roles: DbRoles): TenantScope {
  return {
    // async: a malformed id rejects the promise instead of throwing synchronously
    async withTenant<T>(tenantId: string, fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      const id = parseUuid(tenantId);
      return client.transaction(async (tx) => {
        await tx.query("select set_config('role', $1, true), set_config('app.tenant_id', $2, true)", [
          roles.app,
          id,
        ]);
        return fn(tx);
      });
    },
    withAdmin<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      return client.transaction(async (tx) => {
        await tx.query("select set_config('role', $1, true), set_config('app.tenant_id', '', true)", [
          roles.admin,
        ]);
        return fn(tx);
      });
    },
  };
}
