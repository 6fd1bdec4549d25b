/**
 * The database connection of a scheduled job in AWS: node-postgres through the RDS Proxy,
 * logging in with an IAM auth token per connection (no stored password), no migrations (the
 * migration custom resource owns the schema). The user is the control-plane login user,
 * a member of the admin role: the jobs walk every tenant.
 */
import { Signer } from '@aws-sdk/rds-signer';
import { createPgClient } from '../sql/pg-client.js';
import { rolesFor } from '../sql/roles.js';
import { createTenantScope } from '../sql/tenant-scope.js';
import type { TenantScope } from '../../ports/sql.js';
import type { JobEnv } from './job-env.js';

export interface JobDatabase {
  readonly scope: TenantScope;
  close(): Promise<void>;
}

export function openJobDatabase(env: JobEnv & { DATABASE_URL: string }): JobDatabase {
  const url = new URL(env.DATABASE_URL);
  const signer =
    env.DB_IAM_AUTH === 'true'
      ? new Signer({
          hostname: url.hostname,
          port: Number(url.port || 5432),
          username: decodeURIComponent(url.username),
          region: env.AWS_REGION,
        })
      : undefined;
  const client = createPgClient({
    connectionString: env.DATABASE_URL,
    max: 2,
    ...(signer ? { password: () => signer.getAuthToken() } : {}),
  });
  return { scope: createTenantScope(client, rolesFor(env.GLAF_DB_ROLE_PREFIX)), close: () => client.close() };
}
