/**
 * The three deployment environments, validated once at import. Account ids, zones and the
 * hosted zone are configuration, not lookups, so `npx cdk synth -c env=<name>` runs offline.
 * Replace the placeholder account ids and hosted zone ids with your organisation's.
 */
import { tierDefaults, validateEnvironments } from './app-config.js';

/** Placeholder mailboxes: replace with your on-call and FinOps addresses. */
const ONCALL = ['platform-oncall@agent-factory.example.com'];
const FINOPS = ['finops@agent-factory.example.com'];
/** Non-production scales down on weekday evenings and weekends (Irish time, DST-aware). */
const NIGHTS = { timeZone: 'Europe/Dublin', downAt: '20:00', upAt: '07:00' };

/**
 * API settings: the issuer is the environment's Cognito user pool. The certificates are
 * placeholders: request one in ACM per region covering api.<domain> and api.<region>.<domain>,
 * and one in each silo tenant's account and home region for <tenantId>.api.<domain>.
 */
function api(pool: string, certificateArns: Record<string, string>, wafRequestsPer5MinPerIp: number) {
  const issuer = `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_${pool}`;
  return {
    certificateArns,
    auth: { issuer, audience: ['glaf-api'], jwksUri: `${issuer}/.well-known/jwks.json` },
    wafRequestsPer5MinPerIp,
  };
}
const cert = (region: string, account: string, n: number) =>
  `arn:aws:acm:${region}:${account}:certificate/00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const EU_ZONES = {
  'eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  'eu-central-1': ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
  'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'],
};

export const ENVIRONMENTS = validateEnvironments({
  dev: {
    name: 'dev',
    account: '111111111111',
    primaryRegion: 'eu-west-1',
    secondaryRegions: ['eu-central-1'],
    availabilityZones: EU_ZONES,
    domain: { name: 'dev.agent-factory.example.com', hostedZoneId: 'Z0DEV000000000000001' },
    tiers: tierDefaults({ pool: [50, 100], silo: [500, 1000] }),
    api: api(
      'devPool01',
      {
        'eu-west-1': cert('eu-west-1', '111111111111', 1),
        'eu-central-1': cert('eu-central-1', '111111111111', 2),
      },
      2000,
    ),

    siloTenants: [],
    protectData: false,
    logRetentionDays: 14,
    aurora: { minCapacity: 0.5, maxCapacity: 4, readers: 0, backupRetentionDays: 30, rolePrefix: 'glaf' },
    events: {
      archiveRetentionDays: 7,
      globalEndpoint: false,
      healthCheckPath: '/health',
      oldestMessageAlarmSeconds: 300,
    },
    workers: {
      lambda: { memoryMiB: 1024, maxConcurrency: { P0: 20, P1: 10, P2: 5, P3: 2 } },
      fargate: {
        cpu: 512,
        memoryMiB: 1024,
        concurrency: 4,
        minTasks: 0,
        maxTasks: 4,
        onDemandBase: 0,
        spotWeight: 1,
        scaleOutBacklog: 50,
        scaleInBacklog: 5,
      },
    },
    observability: { alarmEmails: ONCALL, apiLatencyP95Ms: 1000, replicaLagMs: 100, workerErrorsPer5Min: 5 },
    backup: {
      retentionDays: 30,
      dailyHourUtc: 3,
      auditObjectLock: { mode: 'GOVERNANCE', retentionDays: 30 },
    },
    cost: {
      monthlyBudgetUsd: 1500,
      siloMonthlyBudgetUsd: 500,
      budgetAlertPercents: [80, 90, 100],
      alertEmails: FINOPS,
      anomalyThresholdUsd: 50,
      scaleDown: { ...NIGHTS, auroraNight: { minCapacity: 0.5, maxCapacity: 1 } },
    },
  },
  staging: {
    name: 'staging',
    account: '222222222222',
    primaryRegion: 'eu-west-1',
    secondaryRegions: ['eu-central-1'],
    availabilityZones: EU_ZONES,
    domain: { name: 'staging.agent-factory.example.com', hostedZoneId: 'Z0STAGING00000000001' },
    tiers: tierDefaults({ pool: [100, 200], silo: [1000, 2000] }),
    api: api(
      'stgPool01',
      {
        'eu-west-1': cert('eu-west-1', '222222222222', 1),
        'eu-central-1': cert('eu-central-1', '222222222222', 2),
      },
      2000,
    ),

    siloTenants: [],
    protectData: false,
    logRetentionDays: 30,
    aurora: { minCapacity: 0.5, maxCapacity: 16, readers: 1, backupRetentionDays: 30, rolePrefix: 'glaf' },
    events: {
      archiveRetentionDays: 30,
      globalEndpoint: true,
      healthCheckPath: '/health',
      oldestMessageAlarmSeconds: 300,
    },
    workers: {
      lambda: { memoryMiB: 1024, maxConcurrency: { P0: 100, P1: 50, P2: 20, P3: 10 } },
      fargate: {
        cpu: 1024,
        memoryMiB: 2048,
        concurrency: 8,
        minTasks: 1,
        maxTasks: 10,
        onDemandBase: 1,
        spotWeight: 3,
        scaleOutBacklog: 100,
        scaleInBacklog: 10,
      },
    },
    observability: { alarmEmails: ONCALL, apiLatencyP95Ms: 800, replicaLagMs: 100, workerErrorsPer5Min: 5 },
    backup: {
      retentionDays: 30,
      dailyHourUtc: 3,
      auditObjectLock: { mode: 'GOVERNANCE', retentionDays: 30 },
    },
    cost: {
      monthlyBudgetUsd: 4000,
      siloMonthlyBudgetUsd: 1000,
      budgetAlertPercents: [80, 90, 100],
      alertEmails: FINOPS,
      anomalyThresholdUsd: 100,
      scaleDown: { ...NIGHTS, auroraNight: { minCapacity: 0.5, maxCapacity: 2 } },
    },
  },
  prod: {
    name: 'prod',
    account: '333333333333',
    primaryRegion: 'eu-west-1',
    secondaryRegions: ['eu-central-1'],
    availabilityZones: EU_ZONES,
    domain: { name: 'agent-factory.example.com', hostedZoneId: 'Z0PROD00000000000001' },
    tiers: tierDefaults({ pool: [200, 400], silo: [2000, 4000] }),
    api: api(
      'prodPool01',
      {
        'eu-west-1': cert('eu-west-1', '333333333333', 1),
        'eu-central-1': cert('eu-central-1', '333333333333', 2),
        '7f0c2a9e-3b1d-4c5e-8f6a-1b2c3d4e5f60': cert('eu-central-1', '444444444444', 3),
      },
      5000,
    ),

    siloTenants: [
      {
        tenantId: '7f0c2a9e-3b1d-4c5e-8f6a-1b2c3d4e5f60',
        account: '444444444444',
        homeRegion: 'eu-central-1',
      },
    ],
    protectData: true,
    logRetentionDays: 365,
    aurora: { minCapacity: 2, maxCapacity: 64, readers: 1, backupRetentionDays: 30, rolePrefix: 'glaf' },
    events: {
      archiveRetentionDays: 365,
      globalEndpoint: true,
      healthCheckPath: '/health',
      oldestMessageAlarmSeconds: 120,
    },
    workers: {
      lambda: { memoryMiB: 1024, maxConcurrency: { P0: 500, P1: 200, P2: 100, P3: 50 } },
      fargate: {
        cpu: 1024,
        memoryMiB: 2048,
        concurrency: 8,
        minTasks: 2,
        maxTasks: 50,
        onDemandBase: 2,
        spotWeight: 3,
        scaleOutBacklog: 200,
        scaleInBacklog: 20,
      },
    },
    observability: { alarmEmails: ONCALL, apiLatencyP95Ms: 500, replicaLagMs: 100, workerErrorsPer5Min: 5 },
    // COMPLIANCE for 7 years (2557 days): nobody, root included, can shorten or delete audit exports.
    backup: {
      retentionDays: 30,
      dailyHourUtc: 3,
      auditObjectLock: { mode: 'COMPLIANCE', retentionDays: 2557 },
    },
    cost: {
      monthlyBudgetUsd: 25000,
      siloMonthlyBudgetUsd: 5000,
      budgetAlertPercents: [80, 90, 100],
      alertEmails: FINOPS,
      anomalyThresholdUsd: 250,
    },
  },
});
