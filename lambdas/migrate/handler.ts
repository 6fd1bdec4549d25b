/**
 * Custom-resource handler (behind a `Provider`): reads the Aurora master secret, connects to
 * the writer over TLS (verify-full against the RDS CA bundle that NODE_EXTRA_CA_CERTS points
 * to) and runs the migrations. The password is used for the connection only, never logged.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { createPgClient } from '../../lib/adapters/sql/pg-client.js';
import type { SqlClient } from '../../lib/ports/sql.js';
import { handleMigrationEvent } from './migration-event.js';
import type { MigrationResponse } from './migration-event.js';

const secrets = new SecretsManagerClient({});

const SecretSchema = z.object({
  username: z.string(),
  password: z.string(),
  host: z.string(),
  port: z.coerce.number().int(),
  dbname: z.string().default('postgres'),
});

export class MigrationConfigError extends Error {
  override readonly name = 'MigrationConfigError';
}

async function connectionString(): Promise<string> {
  const arn = process.env.DB_SECRET_ARN;
  if (!arn)
    throw new MigrationConfigError('DB_SECRET_ARN is not set: the stack passes the cluster secret ARN');
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
  const parsed = SecretSchema.safeParse(JSON.parse(out.SecretString ?? '{}'));
  if (!parsed.success) throw new MigrationConfigError(`Secret ${arn} lacks username/password/host/port`);
  const s = parsed.data;
  const u = new URL(`postgres://${s.host}:${s.port}/${s.dbname}`);
  u.username = encodeURIComponent(s.username);
  u.password = encodeURIComponent(s.password);
  u.searchParams.set('sslmode', 'verify-full');
  return u.toString();
}

export async function handler(event: unknown): Promise<MigrationResponse> {
  let client: SqlClient | undefined;
  try {
    return await handleMigrationEvent(event, async () => {
      client = createPgClient({ connectionString: await connectionString(), max: 1 });
      return client;
    });
  } finally {
    await client?.close();
  }
}
