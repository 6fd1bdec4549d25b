/**
 * AWS composition of the API's services, from the function's environment. Created once per
 * execution environment (module scope) and reused by every warm invocation.
 *
 * - DATABASE_URL: postgres:// URL of the RDS Proxy in front of Aurora (the stack injects it
 *   from the proxy endpoint and the app user's secret).
 * - EXECUTION_TABLE_NAME: the DynamoDB execution table (the stack owns and creates it).
 * - REDIS_URL: optional rediss:// URL of ElastiCache (Valkey); absent = in-process limiter
 *   (per execution environment only: set REDIS_URL in every deployed environment).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { createServices, type AppServices, type ComposedServices } from '../../lib/http/services.js';

const EnvSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL (the RDS Proxy endpoint)'),
  EXECUTION_TABLE_NAME: z.string().min(3).max(255),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
    .optional(),
  GLAF_DB_ROLE_PREFIX: z.string().optional(),
});

export function servicesConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Parameters<typeof createServices>[0] {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`The API function's environment is incomplete: ${fields}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dynamodb: new DynamoDBClient({}),
    tableName: e.EXECUTION_TABLE_NAME,
    // Tables, the catalogue and platform agents are provisioned by the stacks and the deploy job.
    bootstrap: false,
    // Offboarding exports go to S3 with Object Lock once that sink exists; until then 503.
    tenantExports: null,
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    ...(e.GLAF_DB_ROLE_PREFIX ? { rolePrefix: e.GLAF_DB_ROLE_PREFIX } : {}),
  };
}

let composed: Promise<ComposedServices> | undefined;

/** The environment's services; a failed composition is retried by the next invocation. */
export function services(): Promise<AppServices> {
  composed ??= createServices(servicesConfigFromEnv()).catch((err: unknown) => {
    composed = undefined;
    throw err;
  });
  return composed.then((c) => c.services);
}
