/**
 * The environment of the deployed runtimes (worker, API route functions, authorizer, webhook delivery) as zod
 * schemas: the one source of truth for the variable names. The runtimes parse their
 * environment with these; the stacks type the environment they set as `EnvOf<schema>`, so a
 * name the runtime does not read fails the typecheck, and test/stacks/runtime-env.test.ts
 * parses each synthesized function's environment with the runtime's schema.
 *
 * Database access is the same everywhere: DATABASE_URL names the login user (no password),
 * DB_IAM_AUTH=true makes every new connection log in with an RDS IAM auth token.
 */
import * as z from 'zod';
import { QUEUE_NAMES, VISIBILITY_TIMEOUT_SECONDS } from './queues.js';

/** The variables a schema reads, each optional here (defaults and optionality are the schema's). */
export type EnvOf<S extends z.ZodObject> = { readonly [K in keyof z.input<S>]?: string };

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL (the RDS Proxy endpoint)');

/** How a runtime reaches PostgreSQL. */
export const DatabaseEnvSchema = z.object({
  /** postgres://<login user>@<proxy>:5432/<db>?sslmode=verify-full (no password with DB_IAM_AUTH). */
  DATABASE_URL: postgresUrl,
  /** `true`: each connection logs in with an RDS IAM auth token for the URL's user. */
  DB_IAM_AUTH: z.enum(['true', 'false']).default('false'),
  /** Role names in the database (lib/adapters/sql/roles.ts). */
  GLAF_DB_ROLE_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,40}$/)
    .default('glaf'),
  /** Node 20+ Lambda runtimes trust the RDS CA only when told to (verify-full TLS). */
  NODE_EXTRA_CA_CERTS: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
});
export type DatabaseEnv = z.output<typeof DatabaseEnvSchema>;

/** JSON {"P0":{"url","deadLetterUrl"},...,"batch":{...}}, set by the stacks from the queues. */
export const QueueUrlsSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.partialRecord(z.enum(QUEUE_NAMES), z.object({ url: z.url(), deadLetterUrl: z.url() })));
export type QueueUrls = z.output<typeof QueueUrlsSchema>;

const redisUrl = z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL');
const busName = z.string().regex(/^[A-Za-z0-9/._-]{1,256}$|^arn:/, 'an EventBridge bus name or ARN');
/** Secrets Manager name prefix of the webhook signing secrets (`<prefix>/<tenantId>/<uuid>`). */
const webhookSecretPrefix = z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,200}$/, 'a Secrets Manager name prefix');

export const WorkerEnvSchema = z.object({
  ...DatabaseEnvSchema.shape,
  /** Tenant agents come from the registry in Aurora; without it only shipped agents run. */
  DATABASE_URL: postgresUrl.optional(),
  EXECUTION_TABLE_NAME: z.string().min(1),
  QUEUE_URLS: QueueUrlsSchema,
  /** Local or test endpoints (dynalite, a fake SQS); absent in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  SQS_ENDPOINT: z.url().optional(),
  /** The queues' visibility timeout: heartbeats extend by this much (Lambda queues use 6 x the function timeout). */
  VISIBILITY_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(43_200).default(VISIBILITY_TIMEOUT_SECONDS),
  /** L2 of the result cache (ElastiCache Valkey), shared with the API; absent = L1 in process only. */
  REDIS_URL: redisUrl.optional(),
  /** The region's bus: the run's status events go there; absent = the stream processor's only. */
  EVENT_BUS_NAME: busName.optional(),
});
export type WorkerEnv = z.output<typeof WorkerEnvSchema>;

/** The REST API stage whose usage plans hold the tenants' keys (lib/services/usage-keys.ts). */
const UsageStageSchema = z.object({
  USAGE_REST_API_ID: z.string().regex(/^[\w-]{1,64}$/, 'a REST API id'),
  USAGE_STAGE_NAME: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a stage name'),
});

export const ApiEnvSchema = z.object({
  ...DatabaseEnvSchema.shape,
  EXECUTION_TABLE_NAME: z.string().min(3).max(255),
  /** ElastiCache (Valkey); absent = in-process limiter (per execution environment only). */
  REDIS_URL: redisUrl.optional(),
  /** Async executions to their priority's queue, batch items to the batch queue; absent = in process. */
  QUEUE_URLS: QueueUrlsSchema.optional(),
  WEBHOOK_SECRET_PREFIX: webhookSecretPrefix.optional(),
  WEBHOOK_SECRET_KMS_KEY_ID: z.string().min(1).optional(),
  /** The route group this function serves (lib/config/api.ts); informational. */
  ROUTE_GROUP: z.string().min(1).optional(),
  /** The tenant role the functions assume with the caller's tenant_id session tag. */
  TENANT_ROLE_ARN: z.string().startsWith('arn:').optional(),
  EVENT_BUS_NAME: busName.optional(),
  /** The Object Lock audit bucket: offboarding exports go under `offboarding/`; absent = offboarding answers 503. */
  TENANT_EXPORT_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
    .optional(),
  /** Both set: onboarding provisions the new tenant's usage-plan key at once (best effort). */
  ...UsageStageSchema.partial().shape,
});
export type ApiEnv = z.output<typeof ApiEnvSchema>;

/** The usage-key provisioning function (lambdas/usage-keys): the API stage whose plans it manages. */
export const UsageKeysEnvSchema = z.object({
  ...UsageStageSchema.shape,
  AWS_REGION: z.string().min(1).default('us-east-1'),
});
export type UsageKeysEnv = z.output<typeof UsageKeysEnvSchema>;

/** lambdas/lake-tenant-onboarding: pool tenants' Lake Formation filters and ABAC grants. */
export const LakeOnboardingEnvSchema = z.object({
  /** The lake's Glue database (stacks/constructs/lake-catalog.ts lakeDatabaseName). */
  LAKE_DATABASE_NAME: z.string().regex(/^[a-z0-9_]{1,255}$/, 'a Glue database name'),
  /** The account whose Data Catalog holds it. */
  LAKE_CATALOG_ID: z.string().regex(/^\d{12}$/, 'a 12-digit account id'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
});
export type LakeOnboardingEnv = z.output<typeof LakeOnboardingEnvSchema>;

/** lambdas/webhook-delivery: the bus's events from SQS to the tenants' webhooks. */
export const WebhookDeliveryEnvSchema = z.object({
  ...DatabaseEnvSchema.shape,
  /** The delivery log and the (event, webhook) ledger. */
  EXECUTION_TABLE_NAME: z.string().min(3).max(255),
  /** Where the API keeps the signing secrets; read only. */
  WEBHOOK_SECRET_PREFIX: webhookSecretPrefix,
});
export type WebhookDeliveryEnv = z.output<typeof WebhookDeliveryEnvSchema>;

export const AuthorizerEnvSchema = z.object({
  ...DatabaseEnvSchema.shape,
  AUTH_ISSUER: z.url(),
  /** Comma-separated audiences. */
  AUTH_AUDIENCE: z.string().min(1),
  AUTH_JWKS_URI: z.url(),
});
export type AuthorizerEnv = z.output<typeof AuthorizerEnvSchema>;

/** Why an environment is refused, one `NAME: reason` per problem. */
export function describeEnvIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ');
}

/**
 * The DATABASE_URL of a login user (no password: IAM auth), verify-full TLS. `host` may be
 * a CDK token: it is put in after URL encoding, which would mangle it.
 */
export function databaseUrl(db: { host: string; port: number; user: string; name: string }): string {
  const url = new URL(`postgres://${db.user}@db.invalid:${db.port}/${db.name}`);
  url.searchParams.set('sslmode', 'verify-full');
  return url.toString().replace('db.invalid', db.host);
}

/** What every runtime logging in to the RDS Proxy gets in its environment. */
export function iamDatabaseEnv(db: {
  host: string;
  port: number;
  user: string;
  name: string;
  rolePrefix: string;
}): EnvOf<typeof DatabaseEnvSchema> {
  return {
    DATABASE_URL: databaseUrl(db),
    DB_IAM_AUTH: 'true',
    GLAF_DB_ROLE_PREFIX: db.rolePrefix,
  };
}
