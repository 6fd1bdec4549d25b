/**
 * One `cdk.Stage` per environment and region (control plane account), and one per silo
 * tenant (the tenant's own account, its home region). Each composes the stateful stacks in
 * dependency order: keys -> network -> data -> events.
 *
 * Deploy order across regions (a CloudFormation reference cannot cross regions, so the
 * regions name each other's resources by derived names, and the order matters):
 *   1. `<Env>-<secondary>/Keys`   (the replica table and the Aurora secondary use its keys)
 *   2. `<Env>-<primary>/*`        (Aurora writer + Global Database, table with replicas)
 *   3. `<Env>-<secondary>/*`      (Aurora secondary joins the Global Database; its bus exists
 *                                  before the primary's global endpoint is updated to use it)
 *
 * Extension point: the application-plane stacks (API, workers, lake, global, observability,
 * backup, cost, schedules) are added through `extensions`, each receiving the foundation
 * (keys, network, data, events) of its stage and the plane built so far. The list lives in
 * `stacks/application-plane.ts` (used by `bin/app.ts` and the tests); stage constructors do
 * not need to change.
 */
import { Stage } from 'aws-cdk-lib';
import type { StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig, SiloTenant } from '../lib/config/app-config.js';
import type { ApiStack } from './api-stack.js';
import type { BackupStack } from './backup-stack.js';
import { globalClusterId } from './constructs/aurora.js';
import type { CostStack } from './cost-stack.js';
import { DataStack } from './data-stack.js';
import { EventsStack } from './events-stack.js';
import type { GlobalStack } from './global-stack.js';
import { KeysStack } from './keys-stack.js';
import type { LakeStack } from './lake-stack.js';
import { NetworkStack } from './network-stack.js';
import type { ObservabilityStack } from './observability-stack.js';
import type { ScaleDownStack } from './scale-down-stack.js';
import type { SchedulesStack } from './schedules-stack.js';
import type { WorkersStack } from './workers-stack.js';

export interface Foundation {
  readonly config: EnvironmentConfig;
  readonly region: string;
  /** `primary` / `secondary` region of the control plane, or `silo` (a tenant's account). */
  readonly role: 'primary' | 'secondary' | 'silo';
  readonly tenant?: SiloTenant;
  readonly keys: KeysStack;
  readonly network: NetworkStack;
  readonly data: DataStack;
  readonly events: EventsStack;
}

/**
 * The application-plane stacks of a stage, filled in by the extensions in order, so a later
 * extension can use an earlier one's stack (observability watches the API, global routes to
 * it). Each extension adds its own optional field here (`import type` only, no cycles at run time).
 */
export interface ApplicationPlane {
  [stack: string]: unknown;
  /** Lambda and Fargate workers (stacks/workers-stack.ts): primary, secondary, silo. */
  workers?: WorkersStack;
  /** Backup vault, plan and audit bucket (stacks/backup-stack.ts): primary, secondary (vault), silo. */
  backup?: BackupStack;
  /** Dashboard, alarms, SLO and alarm topic (stacks/observability-stack.ts): every stage. */
  observability?: ObservabilityStack;
  /** Budget and cost anomaly alerts in the billing region (stacks/cost-stack.ts): primary, silo. */
  cost?: CostStack;
  /** Night scale-down of non-production (stacks/scale-down-stack.ts): every stage when configured. */
  scaleDown?: ScaleDownStack;
  /** HTTPS API (stacks/api-stack.ts): every stage. */
  api?: ApiStack;
  /** Scheduled jobs (stacks/schedules-stack.ts): primary, silo. */
  schedules?: SchedulesStack;
  /** Data lake (stacks/lake-stack.ts): primary and silo (whole lake), secondary (replica buckets). */
  lake?: LakeStack;
  /** Route 53 records of the region (stacks/global-stack.ts): primary, secondary. */
  global?: GlobalStack;
}

/** Adds stacks to a stage on top of its foundation (API, workers, ...). */
export type StageExtension = (stage: Stage, foundation: Foundation, plane: ApplicationPlane) => void;

export interface RegionStageProps extends StageProps {
  readonly config: EnvironmentConfig;
  readonly region: string;
  readonly extensions?: readonly StageExtension[];
}

function compose(
  stage: Stage,
  config: EnvironmentConfig,
  region: string,
  role: Foundation['role'],
  account: string,
  tenant?: SiloTenant,
): Foundation {
  const env = { account, region };
  const common = { env, config, tenantId: tenant?.tenantId };
  const multiRegion = role !== 'silo' && config.secondaryRegions.length > 0;
  const keys = new KeysStack(stage, 'Keys', common);
  const network = new NetworkStack(stage, 'Network', { ...common, logKey: keys.keys.logs });
  const dataRole = role === 'secondary' ? 'secondary' : 'primary';
  const data = new DataStack(stage, 'Data', {
    ...common,
    vpc: network.vpc,
    keys: keys.keys,
    role: dataRole,
    globalClusterIdentifier: multiRegion ? globalClusterId(config.name) : undefined,
    replicaRegions: role === 'primary' ? config.secondaryRegions : [],
  });
  const events = new EventsStack(stage, 'Events', {
    ...common,
    vpc: network.vpc,
    keys: keys.keys,
    role: role === 'secondary' ? 'secondary' : 'primary',
    // The outbox relay runs where the outbox is written.
    ...(data.aurora
      ? {
          database: {
            proxy: data.aurora.proxy,
            proxySecurityGroups: data.aurora.proxy.connections.securityGroups,
            rolePrefix: config.aurora.rolePrefix,
          },
        }
      : {}),
  });
  return { config, region, role, tenant, keys, network, data, events };
}

/** Control-plane (pool) stage of one environment in one region. */
export class RegionStage extends Stage {
  readonly foundation: Foundation;
  readonly plane: ApplicationPlane = {};

  constructor(scope: Construct, id: string, props: RegionStageProps) {
    super(scope, id, { ...props, env: { account: props.config.account, region: props.region } });
    const { config, region } = props;
    const role = region === config.primaryRegion ? 'primary' : 'secondary';
    if (role === 'secondary' && !config.secondaryRegions.includes(region)) {
      throw new Error(`${region} is neither the primary nor a secondary region of ${config.name}`);
    }
    this.foundation = compose(this, config, region, role, config.account);
    for (const extend of props.extensions ?? []) extend(this, this.foundation, this.plane);
  }
}

export interface SiloTenantStageProps extends StageProps {
  readonly config: EnvironmentConfig;
  readonly tenant: SiloTenant;
  readonly extensions?: readonly StageExtension[];
}

/**
 * The application plane of one silo tenant in the tenant's own account (the account is the
 * isolation boundary), single region; its events are forwarded to the control-plane bus.
 */
export class SiloTenantStage extends Stage {
  readonly foundation: Foundation;
  readonly plane: ApplicationPlane = {};

  constructor(scope: Construct, id: string, props: SiloTenantStageProps) {
    const { config, tenant } = props;
    super(scope, id, { ...props, env: { account: tenant.account, region: tenant.homeRegion } });
    this.foundation = compose(this, config, tenant.homeRegion, 'silo', tenant.account, tenant);
    for (const extend of props.extensions ?? []) extend(this, this.foundation, this.plane);
  }
}

/** Stage ids: `Prod-eu-west-1`, `Prod-Tenant-7f0c2a9e`. */
export function regionStageId(config: EnvironmentConfig, region: string): string {
  return `${config.name[0]!.toUpperCase()}${config.name.slice(1)}-${region}`;
}
export function siloStageId(config: EnvironmentConfig, tenant: SiloTenant): string {
  return `${config.name[0]!.toUpperCase()}${config.name.slice(1)}-Tenant-${tenant.tenantId.slice(0, 8)}`;
}

/** Every stage of one environment: each region of the control plane, then each silo tenant. */
export function addEnvironment(
  scope: Construct,
  config: EnvironmentConfig,
  extensions: readonly StageExtension[] = [],
): Stage[] {
  const regions = [config.primaryRegion, ...config.secondaryRegions];
  return [
    ...regions.map(
      (region) => new RegionStage(scope, regionStageId(config, region), { config, region, extensions }),
    ),
    ...config.siloTenants.map(
      (tenant) => new SiloTenantStage(scope, siloStageId(config, tenant), { config, tenant, extensions }),
    ),
  ];
}
