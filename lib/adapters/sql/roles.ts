/**
 * Database role names. They are cluster-wide objects in PostgreSQL, so they carry a prefix:
 * parallel test databases on one server use distinct prefixes and never share roles.
 */
import type { DbRoles } from '../../ports/sql.js';

const PREFIX_RE = /^[a-z][a-z0-9_]{0,40}$/;

export function rolesFor(prefix = 'glaf'): DbRoles {
  if (!PREFIX_RE.test(prefix)) {
    throw new Error(`Role prefix '${prefix}' must match ${String(PREFIX_RE)} (it is used unquoted in SQL)`);
  }
  return { owner: `${prefix}_owner`, app: `${prefix}_app`, admin: `${prefix}_admin` };
}

/**
 * The login users a deployment's functions connect as (IAM auth through the RDS Proxy), made
 * members of the groups above by the migration (lambdas/migrate): `api` of the app role (RLS
 * applies; API, workers, webhook delivery), `control` of the admin role (the control plane's
 * jobs and the outbox relay).
 */
export function loginUsersFor(prefix = 'glaf'): { readonly api: string; readonly control: string } {
  rolesFor(prefix);
  return { api: `${prefix}_api`, control: `${prefix}_control` };
}

/**
 * Creates the roles if missing (idempotent) and lets the session user switch to them.
 * Runs as the session user (a superuser or a CREATEROLE user), before `SET ROLE owner`.
 * The roles are NOLOGIN groups: in a deployment, login users are made members of them
 * (the API's user of the app role only, the control plane's of the admin role).
 */
export function ensureRolesSql(roles: DbRoles): string {
  return `
do $$
begin
  if not exists (select from pg_roles where rolname = '${roles.owner}') then
    create role ${roles.owner} nologin nobypassrls;
  end if;
  if not exists (select from pg_roles where rolname = '${roles.app}') then
    create role ${roles.app} nologin nobypassrls;
  end if;
  if not exists (select from pg_roles where rolname = '${roles.admin}') then
    create role ${roles.admin} nologin bypassrls;
  end if;
  if not pg_has_role(current_user, '${roles.owner}', 'member') then
    execute format('grant %I to %I', '${roles.owner}', current_user);
  end if;
  if not pg_has_role(current_user, '${roles.app}', 'member') then
    execute format('grant %I to %I', '${roles.app}', current_user);
  end if;
  if not pg_has_role(current_user, '${roles.admin}', 'member') then
    execute format('grant %I to %I', '${roles.admin}', current_user);
  end if;
end $$;
grant usage, create on schema public to ${roles.owner};`;
}
