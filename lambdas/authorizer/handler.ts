/**
 * The REQUEST authorizer of the API (API Gateway REST, result cached 300 s per credential).
 * Thin: the logic is lib/http/auth/authorize.ts, shared with the local platform.
 *
 * Environment (lib/config/runtime-env.ts AuthorizerEnvSchema, what the API stack sets):
 * AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URI (the IdP); DATABASE_URL (RDS Proxy, as the app
 * role's login user: API keys are found through the SECURITY DEFINER lookup and tenants are
 * read under RLS, so this function needs no BYPASSRLS and never runs migrations), logging in
 * with RDS IAM auth tokens when DB_IAM_AUTH=true; GLAF_DB_ROLE_PREFIX.
 * Composed once per execution environment; a failed composition is retried next time.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { openRdsDatabase } from '../../lib/adapters/aws/rds-database.js';
import { DatabaseEnvSchema, describeEnvIssues } from '../../lib/config/runtime-env.js';
import { createAuthorizer, type Authorize, type AuthorizerResult } from '../../lib/http/auth/authorize.js';
import { createJwtVerifier, jwtConfigFromEnv } from '../../lib/http/auth/jwt-verifier.js';
import { ApiKeyService } from '../../lib/services/api-keys.js';

const logger = new Logger({ serviceName: 'glaf-authorizer' });

function compose(env: NodeJS.ProcessEnv = process.env): Authorize {
  const jwt = jwtConfigFromEnv(env);
  if (!env.DATABASE_URL)
    throw new Error('DATABASE_URL is not set: the authorizer reads tenants and API keys');
  const db = DatabaseEnvSchema.safeParse(env);
  if (!db.success) throw new Error(`The authorizer's database environment: ${describeEnvIssues(db.error)}`);
  // One connection: an authorizer invocation runs one lookup at a time.
  const { scope } = openRdsDatabase(db.data, { max: 1 });
  return createAuthorizer({
    verifier: createJwtVerifier(jwt),
    services: { apiKeys: new ApiKeyService(scope) },
    logger,
  });
}

let authorize: Authorize | undefined;

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<AuthorizerResult> {
  authorize ??= compose();
  return authorize(event);
}
