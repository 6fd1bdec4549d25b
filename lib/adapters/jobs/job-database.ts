/**
 * The database connection of a scheduled job in AWS: node-postgres through the RDS Proxy,
 * logging in with an IAM auth token per connection (no stored password), no migrations (the
 * migration custom resource owns the schema). The user is the control-plane login user,
 * a member of the admin role: the jobs walk every tenant.
 */
import { openRdsDatabase } from '../aws/rds-database.js';
import type { TenantScope } from '../../ports/sql.js';
import type { JobEnv } from './job-env.js';

export interface JobDatabase {
  readonly scope: TenantScope;
  close(): Promise<void>;
}

export function openJobDatabase(env: JobEnv & { DATABASE_URL: string }): JobDatabase {
  const db = openRdsDatabase(env, { max: 2 });
  return { scope: db.scope, close: () => db.close() };
}
