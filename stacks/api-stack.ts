/**
 * The HTTPS API of one stage: REST API from the route table with the Lambda authorizer, the
 * route functions (one per route group), WAF, usage plans per tenant tier with a key per
 * tenant (and its provisioning), access logs, and the regional custom domains.
 *
 * Stages: every control-plane region (primary and secondary: the secondary serves from its
 * table replica and its Global Database cluster, writable once promoted, and the shared name
 * lets Route 53 route by latency and fail over) and every silo tenant (its own API in its own
 * account, under `<tenantId>.api.<domain>`, its own tier's usage plan only).
 */
import { ArnFormat, CfnOutput, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { apiDomainNames } from '../lib/config/api.js';
import type { RouteGroup } from '../lib/config/api.js';
import { webhookSecretPrefix } from '../lib/config/webhooks.js';
import { routes } from '../lib/http/routes/index.js';
import { loginUsersFor } from '../lib/adapters/sql/roles.js';
import type { Foundation, StageExtension } from './app-stage.js';
import { ApiDomain } from './constructs/api-domain.js';
import { auditBucketName } from './constructs/audit-bucket.js';
import { ApiFunctions } from './constructs/api-functions.js';
import type { ApiDatabase } from './constructs/api-functions.js';
import { ApiWaf } from './constructs/api-waf.js';
import { DATABASE_NAME } from './constructs/aurora.js';
import { executionTableName } from './constructs/execution-table.js';
import type { PlatformFunction } from './constructs/platform-function.js';
import { PlatformRestApi } from './constructs/platform-rest-api.js';
import { applyStackDefaults } from './constructs/stack-defaults.js';
import type { PlatformStackProps } from './constructs/stack-defaults.js';
import { TenantRole } from './constructs/tenant-role.js';
import { UsagePlans } from './constructs/usage-plans.js';
import { VALKEY_PORT } from './constructs/valkey-cache.js';
import { apiRolePath } from './data-stack.js';

const POSTGRES_PORT = 5432;

/** The database login of the API: the app role's login user (lib/adapters/sql/roles.ts). */
export function apiLoginUser(rolePrefix: string): string {
  return loginUsersFor(rolePrefix).api;
}

export interface ApiStackProps extends PlatformStackProps {
  readonly foundation: Foundation;
}

export class ApiStack extends Stack {
  readonly functions: ApiFunctions;
  readonly restApi: apigw.RestApi;
  readonly stage: apigw.Stage;
  readonly accessLogs: logs.LogGroup;
  readonly waf: ApiWaf;
  readonly usagePlans: UsagePlans;
  /** The custom domains, first the shared (or silo) name; alias targets for Route 53. */
  readonly domains: readonly apigw.DomainName[];
  readonly domainNames: readonly string[];

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    applyStackDefaults(this, props);
    const { config, foundation: f } = props;
    const { data, keys } = f;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const user = apiLoginUser(config.aurora.rolePrefix);
    // A secondary region names the table replica by derivation and has its own tenant role
    // (IAM is global, but a role's policy names the tables of its region).
    const table =
      data.table ??
      dynamodb.TableV2.fromTableAttributes(this, 'Table', {
        tableName: executionTableName(config.name),
        encryptionKey: keys.keys.data,
      });
    const tenantRole =
      data.tenantRole ??
      new TenantRole(this, 'TenantRole', {
        trustedRolePath: apiRolePath(config.name),
        table,
        key: keys.keys.data,
      });

    this.functions = new ApiFunctions(this, 'Functions', {
      envName: config.name,
      api: config.api,
      vpc: f.network.vpc,
      logKey: keys.keys.logs,
      logRetention,
      rolePath: apiRolePath(config.name),
      rolePrefix: config.aurora.rolePrefix,
      database: this.database(f, user),
      table,
      cache: {
        host: data.cache.cache.attrEndpointAddress,
        port: VALKEY_PORT,
        peer: data.cache.securityGroup,
      },
      queues: f.events.queues.queues,
      queueKey: keys.keys.messaging,
      bus: f.events.bus.bus,
      tenantRole,
      // The webhook routes' signing secrets, encrypted with the data CMK (read by the webhook consumer).
      webhookSecrets: { prefix: webhookSecretPrefix(config.name), key: keys.keys.data },
      // Offboarding exports to the backup stack's Object Lock bucket, by its fixed name (the backup
      // stack adds the deploy-order dependency). Not in a secondary region: no audit bucket there,
      // and offboarding writes the Aurora writer of the primary.
      ...(f.role === 'secondary'
        ? {}
        : {
            tenantExports: {
              bucketName: auditBucketName(config.name, this.account, this.region, f.tenant?.tenantId),
              key: keys.keys.data,
            },
          }),
    });
    const rest = new PlatformRestApi(this, 'Rest', {
      routes,
      functions: this.functions.routes,
      authorizer: this.functions.authorizer,
      logKey: keys.keys.logs,
      logRetention,
      retainLogs: config.protectData,
    });
    this.restApi = rest.api;
    this.stage = rest.api.deploymentStage;
    this.accessLogs = rest.accessLogs;

    this.waf = new ApiWaf(this, 'Waf', {
      stageArn: this.stage.stageArn,
      requestsPer5MinPerIp: config.api.wafRequestsPer5MinPerIp,
      metricPrefix: `glaf-${config.name}-${f.tenant ? f.tenant.tenantId.slice(0, 8) : this.region}`,
      logKey: keys.keys.logs,
      logRetention,
      retainLogs: config.protectData,
    });
    this.usagePlans = new UsagePlans(this, 'UsagePlans', {
      tiers: f.tenant ? { silo: config.tiers.silo } : config.tiers,
      api: this.restApi,
      stage: this.stage,
      // A silo tenant's key comes with its stack; the control plane provisions keys per tenant.
      ...(f.tenant
        ? { siloTenantId: f.tenant.tenantId }
        : {
            provisioning: {
              bus: f.events.bus.bus,
              queueKey: keys.keys.messaging,
              vpc: f.network.vpc,
              logKey: keys.keys.logs,
              logRetention,
            },
          }),
    });
    // Onboarding provisions the new tenant's key at once (best effort; the bus path retries).
    if (!f.tenant) this.usagePlans.grantProvisioning(this.functions.routes.control);
    this.domainNames = apiDomainNames(config.domain.name, this.region, f.tenant?.tenantId);
    const certificateArn = config.api.certificateArns[f.tenant?.tenantId ?? this.region];
    if (!certificateArn) throw new Error(`${this.stackName}: no API certificate configured`);
    this.domains = new ApiDomain(this, 'Domain', {
      names: this.domainNames,
      certificateArn,
      api: this.restApi,
      stage: this.stage,
    }).domains;

    this.domains.forEach((d, i) => {
      new CfnOutput(this, `DomainTarget${i}`, {
        description: `${this.domainNames[i]}: regional target for an alias record`,
        value: d.domainNameAliasDomainName,
      });
    });
  }

  /**
   * The writer's RDS Proxy where the stage has one (primary, silo). In a secondary region the
   * cluster endpoint of the region's Global Database cluster, directly (no proxy there): it
   * takes writes only after a switchover or failover promotes the region, so until then the
   * routing in front (global stack) must keep writes on the primary.
   */
  private database(f: Foundation, user: string): ApiDatabase {
    const common = { port: POSTGRES_PORT, name: DATABASE_NAME, user };
    const proxy = f.data.aurora?.proxy;
    if (proxy) {
      return {
        ...common,
        host: proxy.endpoint,
        peer: proxy,
        grantConnect: (g) => proxy.grantConnect(g, user),
      };
    }
    const secondary = f.data.auroraSecondary;
    if (!secondary) throw new Error(`${this.stackName}: the stage has no Aurora cluster`);
    const dbUserArn = this.formatArn({
      service: 'rds-db',
      resource: 'dbuser',
      resourceName: `${secondary.cluster.attrDbClusterResourceId}/${user}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    return {
      ...common,
      host: secondary.cluster.attrEndpointAddress,
      peer: secondary.securityGroup,
      grantConnect: (g) =>
        iam.Grant.addToPrincipal({ grantee: g, actions: ['rds-db:connect'], resourceArns: [dbUserArn] }),
    };
  }

  /** The route functions, by group (for dashboards and alarms). */
  get routeFunctions(): Readonly<Record<RouteGroup, PlatformFunction>> {
    return this.functions.routes;
  }
}

/** Adds the API stack to every stage and records it in the plane (`plane.api`). */
export const apiStage: StageExtension = (stage, foundation, plane) => {
  plane.api = new ApiStack(stage, 'Api', {
    env: { account: foundation.data.account, region: foundation.region },
    config: foundation.config,
    tenantId: foundation.tenant?.tenantId,
    foundation,
  });
};
