/**
 * REQUEST-authorizer logic, shared by `lambdas/authorizer/handler.ts` and the local server:
 * `Authorization: Bearer <jwt>` or `x-api-key: <key>` -> an Allow policy plus the flat
 * context the API reads its principal from (lib/http/principal.ts). Any failure to prove
 * who the caller is throws `Error('Unauthorized')`, which API Gateway turns into a 401.
 *
 * The policy covers every route of the stage, not just the one called: API Gateway caches it
 * (5 minutes) per token and applies it to every request in that time. What a principal may
 * do per route is decided after this, by the RBAC matrix in the pipeline.
 *
 * `usageIdentifierKey` names the API Gateway key the request is metered against (the REST API
 * reads keys from the authorizer, lib/config/usage-plans.ts): the tenant's own key, derived
 * from its id without a lookup; for a principal without a tenant (platform admin) the API's
 * platform key, derived from the API id in the methodArn (none locally, where no API Gateway
 * meters and the in-app limiter does).
 */
import { FetchError } from 'aws-jwt-verify/error';
import { platformUsageKey, tenantUsageKey } from '../../config/usage-plans.js';
import type { MemberRole } from '../../domain/roles.js';
import type { AppServices } from '../services.js';
import type { AccessTokenVerifier } from './jwt-verifier.js';

export interface AuthorizerEvent {
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  /** `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`; absent locally. */
  readonly methodArn?: string;
}

/**
 * API Gateway allows only strings, numbers and booleans here: no nulls, no arrays.
 * A type alias (not an interface) so it fits `Record<string, string | number | boolean>`.
 */
export type AuthorizerContext = {
  readonly principalType: 'user' | 'api_key';
  readonly subject: string;
  /** '' for a platform admin acting without a tenant. */
  readonly tenantId: string;
  /** Comma-separated. */
  readonly roles: string;
  readonly platformAdmin: 'true' | 'false';
};

export interface AuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: {
    readonly Version: '2012-10-17';
    readonly Statement: readonly [{ Action: 'execute-api:Invoke'; Effect: 'Allow'; Resource: string }];
  };
  readonly context: AuthorizerContext;
  /** The usage-plan key value API Gateway meters the request against; absent only locally. */
  readonly usageIdentifierKey?: string;
}

export type Authorize = (event: AuthorizerEvent) => Promise<AuthorizerResult>;

export interface AuthorizerDeps {
  readonly verifier: AccessTokenVerifier;
  readonly services: Pick<AppServices, 'apiKeys'>;
  /** Refusals are logged with a reason, never with the token or key. */
  readonly logger?: { warn(message: string, extra: Record<string, unknown>): void };
}

interface Identity {
  readonly type: AuthorizerContext['principalType'];
  readonly subject: string;
  readonly tenantId: string | null;
  readonly roles: readonly MemberRole[];
  readonly platformAdmin: boolean;
}

class Refused extends Error {}

function header(event: AuthorizerEvent, name: string): string | undefined {
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}

const METHOD_ARN = /^(arn:aws[\w-]*:execute-api:[\w-]+:\d{12}:([\w-]+)\/[\w-]+)\//;

function parseMethodArn(methodArn: string): { stage: string; apiId: string } {
  const m = METHOD_ARN.exec(methodArn);
  if (!m) throw new Error(`Unexpected methodArn '${methodArn}': expected arn:aws:execute-api:...`);
  return { stage: m[1]!, apiId: m[2]! };
}

/** Allow on `<api>/<stage>/*`, so the cached decision is valid for every route of the stage. */
export function stageWildcard(methodArn: string | undefined): string {
  if (methodArn === undefined) return '*';
  return `${parseMethodArn(methodArn).stage}/*`;
}

/** The tenant's usage key; without a tenant the API's platform key (none without a methodArn). */
function usageKeyOf(tenantId: string | null, methodArn: string | undefined): { usageIdentifierKey?: string } {
  if (tenantId !== null) return { usageIdentifierKey: tenantUsageKey(tenantId) };
  if (methodArn === undefined) return {};
  return { usageIdentifierKey: platformUsageKey(parseMethodArn(methodArn).apiId) };
}

export function createAuthorizer(deps: AuthorizerDeps): Authorize {
  async function fromJwt(token: string): Promise<Identity> {
    try {
      const t = await deps.verifier.verify(token);
      return {
        type: 'user',
        subject: t.sub,
        tenantId: t.tenantId,
        roles: t.roles,
        platformAdmin: t.platformAdmin,
      };
    } catch (err) {
      if (err instanceof FetchError) throw err; // JWKS unreachable: a 500, not the caller's fault
      throw new Refused(`jwt: ${(err as Error).name}: ${(err as Error).message}`);
    }
  }

  async function fromApiKey(key: string): Promise<Identity> {
    const r = await deps.services.apiKeys.authenticate(key);
    if (!r.ok) throw new Refused(`api key: ${r.reason}`);
    return { type: 'api_key', subject: r.keyId, tenantId: r.tenantId, roles: [r.role], platformAdmin: false };
  }

  async function requireActiveTenant(tenantId: string): Promise<void> {
    const status = await deps.services.apiKeys.tenantStatus(tenantId);
    if (status === null) throw new Refused(`tenant ${tenantId} does not exist`);
    if (status !== 'active') throw new Refused(`tenant ${tenantId} is ${status}`);
  }

  return async (event) => {
    const authorization = header(event, 'authorization');
    const apiKey = header(event, 'x-api-key');
    try {
      if (authorization !== undefined && apiKey !== undefined)
        throw new Refused('both a token and an API key');
      let identity: Identity;
      if (authorization !== undefined) {
        const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i.exec(authorization.trim());
        if (!m) throw new Refused('Authorization is not "Bearer <jwt>"');
        identity = await fromJwt(m[1]!);
      } else if (apiKey !== undefined) {
        identity = await fromApiKey(apiKey.trim());
      } else {
        throw new Refused('no credentials');
      }
      if (identity.tenantId !== null) await requireActiveTenant(identity.tenantId);
      return {
        principalId: `${identity.type}:${identity.subject}`,
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) },
          ],
        },
        context: {
          principalType: identity.type,
          subject: identity.subject,
          tenantId: identity.tenantId ?? '',
          roles: identity.roles.join(','),
          platformAdmin: identity.platformAdmin ? 'true' : 'false',
        },
        ...usageKeyOf(identity.tenantId, event.methodArn),
      };
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      deps.logger?.warn('authorizer refused the request', { reason: err.message });
      throw new Error('Unauthorized', { cause: err });
    }
  };
}
