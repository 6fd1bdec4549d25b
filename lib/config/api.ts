/**
 * The HTTPS API's deployment settings and the facts the API stack and the local platform must
 * agree on. Plain data and zod only (the stacks read it; `lib` never imports the CDK). Part of
 * `EnvironmentConfigSchema` in app-config.ts, validated once with the rest.
 */
import * as z from 'zod';
import { DEFAULT_QUOTAS } from '../domain/quotas.js';
import type { TenantTier } from '../domain/tenant.js';

const CertificateArn = z
  .string()
  .regex(
    /^arn:aws[\w-]*:acm:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:certificate\/[0-9a-f-]{36}$/,
    'an ACM certificate ARN',
  );

export const ApiConfigSchema = z
  .object({
    /**
     * ACM certificate of the API's custom domains, keyed by control-plane region (it must be
     * in that region and the control-plane account) or by silo tenant id (in the tenant's
     * account and home region). A regional endpoint needs a certificate of its own region.
     * Each covers the names of `apiDomainNames` for its stage.
     */
    certificateArns: z.record(z.string(), CertificateArn),
    /** The OIDC issuer (Cognito user pool or any RS256 IdP) the authorizer trusts. */
    auth: z
      .object({
        issuer: z.url(),
        audience: z.array(z.string().min(1)).min(1),
        jwksUri: z.url({ protocol: /^https$/ }),
      })
      .strict(),
    /** WAF rate-based rule: requests per client IP in any 5-minute window (WAF allows >= 10). */
    wafRequestsPer5MinPerIp: z.number().int().min(10).max(2_000_000_000),
  })
  .strict();
export type ApiConfig = z.infer<typeof ApiConfigSchema>;

/** What the certificate check needs of an environment (structural: no cycle with app-config). */
interface CertificateScope {
  readonly account: string;
  readonly primaryRegion: string;
  readonly secondaryRegions: readonly string[];
  readonly siloTenants: readonly { tenantId: string; account: string; homeRegion: string }[];
  readonly api: ApiConfig;
}

/** Problems with the certificate map: a stage without one, or one in the wrong account/region. */
export function certificateIssues(c: CertificateScope): { path: string[]; message: string }[] {
  const wanted = [
    ...[c.primaryRegion, ...c.secondaryRegions].map((r) => ({ key: r, account: c.account, region: r })),
    ...c.siloTenants.map((t) => ({ key: t.tenantId, account: t.account, region: t.homeRegion })),
  ];
  const issues: { path: string[]; message: string }[] = [];
  for (const w of wanted) {
    const arn = c.api.certificateArns[w.key];
    const path = ['api', 'certificateArns', w.key];
    if (!arn) issues.push({ path, message: `no API certificate for ${w.key}` });
    else if (arn.split(':')[3] !== w.region || arn.split(':')[4] !== w.account)
      issues.push({ path, message: `the certificate must be in ${w.account}/${w.region}` });
  }
  return issues;
}

/**
 * Authorizer identity sources. A REST REQUEST authorizer with several identity sources is
 * called only when ALL of them are present, and clients send either `Authorization: Bearer`
 * or `x-api-key`, never both (lib/http/auth/authorize.ts refuses both). So the authorizer has
 * no identity source and no result cache: API Gateway calls it on every non-public request,
 * revocations (API key, suspended tenant) act at once, and no cached policy can ever be
 * reused for another credential. The local server runs with the same TTL.
 */
export const AUTHORIZER_CACHE_TTL_SECONDS = 0;

/**
 * The API's functions: one bundle (lambdas/api/handler.ts, the whole route table), deployed
 * once per group; API Gateway sends each group only its own paths (first segment after /v1).
 */
export const ROUTE_GROUPS = ['system', 'control', 'catalog', 'executions'] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

const GROUP_OF_SEGMENT: Readonly<Record<string, RouteGroup>> = {
  tenants: 'control',
  usage: 'control',
  'api-keys': 'control',
  audit: 'control',
  webhooks: 'control',
  agents: 'catalog',
  factors: 'catalog',
  executions: 'executions',
  batches: 'executions',
};

/** The group serving a route path; unknown resources fail loudly so a new route is placed on purpose. */
export function routeGroupOf(path: string): RouteGroup {
  const [first, second] = path.split('/').slice(1);
  if (first !== 'v1' || second === 'openapi.json') return 'system';
  const group = GROUP_OF_SEGMENT[second ?? ''];
  if (!group) throw new Error(`Route ${path}: no API function group for '/v1/${second}' (lib/config/api.ts)`);
  return group;
}

/**
 * Host names of a stage's API. A control-plane region serves the shared name (Route 53
 * latency records point it at every region) and its own regional name (health checks, and
 * the EventBridge global endpoint, probe one region). A silo tenant serves its own name.
 */
export function apiDomainNames(domain: string, region: string, tenantId?: string): readonly string[] {
  return tenantId ? [`${tenantId}.api.${domain}`] : [`api.${domain}`, `api.${region}.${domain}`];
}

/** Usage-plan quota per day: the most a tier's per-minute API quota allows in a day. */
export function usagePlanRequestsPerDay(tier: TenantTier): number {
  return DEFAULT_QUOTAS[tier].apiCallsPerMinute * 24 * 60;
}
