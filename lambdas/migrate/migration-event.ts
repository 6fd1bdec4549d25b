/**
 * The core of the migration custom resource, free of AWS clients so tests run it against
 * PGlite and a real PostgreSQL: validate the resource properties, run the project's migrator
 * (which creates the RLS roles: owner, app NOBYPASSRLS, admin BYPASSRLS), then create the
 * IAM-authenticated login users and make them members of the app and admin roles.
 */
import * as z from 'zod';
import { migrate } from '../../lib/adapters/sql/migrator.js';
import type { MigrateResult } from '../../lib/adapters/sql/migrator.js';
import { rolesFor, loginUsersFor } from '../../lib/adapters/sql/roles.js';
import type { DbRoles, SqlClient } from '../../lib/ports/sql.js';

export const MigrationPropsSchema = z.object({
  RolePrefix: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/),
  /** Changes whenever a migration file changes, so CloudFormation sends an Update. */
  MigrationsHash: z.string().min(1),
});

export const MigrationEventSchema = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  PhysicalResourceId: z.string().optional(),
  ResourceProperties: MigrationPropsSchema.loose(),
});
export type MigrationEvent = z.infer<typeof MigrationEventSchema>;

export interface MigrationResponse {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly Applied: string; readonly AppUser: string; readonly AdminUser: string };
}

/** Login users for IAM auth (`rds_iam` exists on RDS only; elsewhere they log in as usual). */
export function loginUsers(roles: DbRoles, prefix: string) {
  const users = loginUsersFor(prefix);
  return [
    { user: users.api, memberOf: roles.app, alsoMemberOf: [] },
    // The control plane's scheduled jobs also read per tenant (withTenant switches to the app role).
    { user: users.control, memberOf: roles.admin, alsoMemberOf: [roles.app] },
  ] as const;
}

function loginUsersSql(roles: DbRoles, prefix: string): string {
  return loginUsers(roles, prefix)
    .map(
      ({ user, memberOf, alsoMemberOf }) => `
do $$
begin
  if not exists (select from pg_roles where rolname = '${user}') then
    create role ${user} login nobypassrls;
  end if;
  if exists (select from pg_roles where rolname = 'rds_iam') then
    execute 'grant rds_iam to ${user}';
  end if;
end $$;
grant ${[memberOf, ...alsoMemberOf].join(', ')} to ${user};`,
    )
    .join('\n');
}

/** Create and Update migrate (forward-only, idempotent); Delete leaves the data in place. */
export async function handleMigrationEvent(
  raw: unknown,
  connect: () => Promise<SqlClient>,
): Promise<MigrationResponse> {
  const event = MigrationEventSchema.parse(raw);
  const prefix = event.ResourceProperties.RolePrefix;
  const roles = rolesFor(prefix);
  const physicalId = event.PhysicalResourceId ?? `migrations-${prefix}`;
  const users = loginUsers(roles, prefix);
  const data = { AppUser: users[0].user, AdminUser: users[1].user };
  if (event.RequestType === 'Delete')
    return { PhysicalResourceId: physicalId, Data: { Applied: '', ...data } };
  // Connect only now: a Delete must succeed even when the database is already gone.
  const db = await connect();
  const result: MigrateResult = await migrate(db, roles);
  await db.exec(loginUsersSql(roles, prefix));
  return { PhysicalResourceId: physicalId, Data: { Applied: result.applied.join(','), ...data } };
}
