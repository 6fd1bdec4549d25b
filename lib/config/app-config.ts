/**
 * The schema of the deployment configuration (one entry per environment) and its
 * selection. Plain data and zod only: `bin/app.ts` and the stacks read it, `lib` never
 * imports the CDK. Everything a synth needs is here (accounts, regions, availability zones,
 * domain, hosted zone), so `cdk synth` performs no lookups and needs no credentials.
 */
import * as z from 'zod';
import { TENANT_TIERS } from '../domain/tenant.js';
import { DEFAULT_QUOTAS } from '../domain/quotas.js';
import { WorkersConfigSchema } from './workers.js';
import { BackupConfigSchema, CostConfigSchema, ObservabilityConfigSchema } from './operations.js';
import { ApiConfigSchema, certificateIssues } from './api.js';

export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

const Account = z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits');
const Region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region such as eu-west-1');
const Zone = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, 'an availability zone such as eu-west-1a');
/** Tenant ids are lower-case UUIDs: the same shape the tenant role's session tag must have. */
export const TENANT_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** CloudWatch Logs accepts these retention periods only. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const SiloTenantSchema = z
  .object({
    tenantId: z.string().regex(TENANT_ID_RE, 'tenantId: a lower-case UUID'),
    account: Account,
    homeRegion: Region,
  })
  .strict();
export type SiloTenant = z.infer<typeof SiloTenantSchema>;

const TierSchema = z
  .object({
    /** API Gateway usage plan: steady requests per second and burst. */
    rateLimitPerSecond: z.number().int().positive(),
    burstLimit: z.number().int().positive(),
    /** Monthly executions (the quota defaults in lib/domain/quotas.ts). */
    executionsPerMonth: z.number().int().positive(),
  })
  .strict();

export const EnvironmentConfigSchema = z
  .object({
    name: z.enum(ENVIRONMENT_NAMES),
    /** Control-plane account (pool tenants and the control plane live here). */
    account: Account,
    primaryRegion: Region,
    secondaryRegions: z.array(Region).max(4),
    /** Three zones per region, named so synth never asks EC2. */
    availabilityZones: z.record(Region, z.array(Zone).length(3)),
    domain: z
      .object({ name: z.string().min(3), hostedZoneId: z.string().regex(/^Z[A-Z0-9]{5,31}$/) })
      .strict(),
    tiers: z.record(z.enum(TENANT_TIERS), TierSchema),
    siloTenants: z.array(SiloTenantSchema),
    /** Prod: deletion protection and RETAIN on every stateful resource. */
    protectData: z.boolean(),
    logRetentionDays: z
      .number()
      .refine(
        (d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d),
        'a CloudWatch Logs retention period',
      ),
    aurora: z
      .object({
        minCapacity: z.number().min(0).max(256),
        maxCapacity: z.number().min(1).max(256),
        readers: z.number().int().min(0).max(15),
        backupRetentionDays: z.number().int().min(1).max(35),
        /** Role names in the database (lib/adapters/sql/roles.ts). */
        rolePrefix: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/),
      })
      .strict(),
    events: z
      .object({
        archiveRetentionDays: z.number().int().positive(),
        /** EventBridge global endpoint over the primary and first secondary region. */
        globalEndpoint: z.boolean(),
        /** Route 53 health check target of the global endpoint (the API's health route). */
        healthCheckPath: z.string().startsWith('/'),
        /** Alarm when the oldest message of an execution queue is older than this. */
        oldestMessageAlarmSeconds: z.number().int().positive(),
      })
      .strict(),
    /** Lambda and Fargate worker fleets (lib/config/workers.ts). */
    workers: WorkersConfigSchema,
    observability: ObservabilityConfigSchema,
    backup: BackupConfigSchema,
    cost: CostConfigSchema,
    api: ApiConfigSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    const regions = [c.primaryRegion, ...c.secondaryRegions, ...c.siloTenants.map((t) => t.homeRegion)];
    for (const region of new Set(regions)) {
      const zones = c.availabilityZones[region];
      if (!zones)
        ctx.addIssue({
          code: 'custom',
          path: ['availabilityZones', region],
          message: `no zones for ${region}`,
        });
      else if (zones.some((z) => !z.startsWith(region)))
        ctx.addIssue({
          code: 'custom',
          path: ['availabilityZones', region],
          message: `zones must be in ${region}`,
        });
    }
    if (c.secondaryRegions.includes(c.primaryRegion))
      ctx.addIssue({
        code: 'custom',
        path: ['secondaryRegions'],
        message: 'the primary region cannot be a secondary',
      });
    if (c.aurora.minCapacity > c.aurora.maxCapacity)
      ctx.addIssue({
        code: 'custom',
        path: ['aurora', 'minCapacity'],
        message: 'minCapacity exceeds maxCapacity',
      });
    if (c.protectData && c.cost.scaleDown)
      ctx.addIssue({
        code: 'custom',
        path: ['cost', 'scaleDown'],
        message: 'night scale-down is for non-production environments only',
      });
    for (const issue of certificateIssues(c)) ctx.addIssue({ code: 'custom', ...issue });
    const ids = c.siloTenants.map((t) => t.tenantId);
    if (new Set(ids).size !== ids.length)
      ctx.addIssue({ code: 'custom', path: ['siloTenants'], message: 'a silo tenant is listed twice' });
  });
export type EnvironmentConfig = z.infer<typeof EnvironmentConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates every environment once; an invalid entry fails with the path of the bad field. */
export function validateEnvironments(
  raw: Readonly<Record<EnvironmentName, unknown>>,
): Readonly<Record<EnvironmentName, EnvironmentConfig>> {
  const out = {} as Record<EnvironmentName, EnvironmentConfig>;
  for (const name of ENVIRONMENT_NAMES) {
    const parsed = EnvironmentConfigSchema.safeParse(raw[name]);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw new ConfigError(`Environment '${name}' is invalid: ${issues}`);
    }
    if (parsed.data.name !== name)
      throw new ConfigError(`Environment '${name}' has name '${parsed.data.name}'`);
    out[name] = parsed.data;
  }
  return out;
}

/** `-c env=<name>`: a missing value means dev; anything else must be a known environment. */
export function selectEnvironment(
  envs: Readonly<Record<EnvironmentName, EnvironmentConfig>>,
  value: unknown,
): EnvironmentConfig {
  const name = value ?? 'dev';
  if (typeof name !== 'string' || !(ENVIRONMENT_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError(
      `Unknown environment ${JSON.stringify(name)}: pass -c env=${ENVIRONMENT_NAMES.join('|')}`,
    );
  }
  return envs[name as EnvironmentName];
}

/** Default per-tier limits, derived from the domain quotas so the two cannot disagree. */
export function tierDefaults(rate: Record<(typeof TENANT_TIERS)[number], [number, number]>) {
  return Object.fromEntries(
    TENANT_TIERS.map((t) => [
      t,
      {
        rateLimitPerSecond: rate[t][0],
        burstLimit: rate[t][1],
        executionsPerMonth: DEFAULT_QUOTAS[t].executionsPerMonth,
      },
    ]),
  ) as Record<(typeof TENANT_TIERS)[number], z.infer<typeof TierSchema>>;
}
