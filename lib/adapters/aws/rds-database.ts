/**
 * The database of a deployed function or task, from its environment (DatabaseEnvSchema):
 * node-postgres through the RDS Proxy, logging in with an RDS IAM auth token per new
 * connection when DB_IAM_AUTH=true (no stored password; a token is valid 15 minutes and is
 * signed locally from the role's credentials, no network call). Never migrates.
 */
import { Signer } from '@aws-sdk/rds-signer';
import type { DatabaseEnv } from '../../config/runtime-env.js';
import { openPgDatabase, type Database } from '../sql/pg-database.js';

/** The IAM auth token provider for the URL's host, port and user. */
export function rdsIamPassword(databaseUrl: string, region: string): () => Promise<string> {
  const url = new URL(databaseUrl);
  const signer = new Signer({
    hostname: url.hostname,
    port: Number(url.port || 5432),
    username: decodeURIComponent(url.username),
    region,
  });
  return () => signer.getAuthToken();
}

export function openRdsDatabase(
  env: Pick<DatabaseEnv, 'DATABASE_URL' | 'DB_IAM_AUTH' | 'GLAF_DB_ROLE_PREFIX' | 'AWS_REGION'>,
  options: { readonly max?: number } = {},
): Database {
  return openPgDatabase({
    databaseUrl: env.DATABASE_URL,
    rolePrefix: env.GLAF_DB_ROLE_PREFIX,
    ...(options.max !== undefined ? { max: options.max } : {}),
    ...(env.DB_IAM_AUTH === 'true' ? { password: rdsIamPassword(env.DATABASE_URL, env.AWS_REGION) } : {}),
  });
}
