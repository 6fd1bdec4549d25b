/**
 * The workers of one region (primary and secondary regions of the control plane, and each
 * silo tenant's account): a Lambda fleet fed by one SQS event source per priority, and a
 * Fargate fleet (Spot over an on-demand base) that scales on the queue backlog, fast out and
 * slow in. Both run the same WorkerService over the region's queues, table (a replica in a
 * secondary region, named by derivation), bus and cache; the writer's RDS Proxy where the
 * region has one (the primary and silo stages; a secondary region has no writer).
 *
 * Which agents run where: lib/config/workers.ts (`workerFleetFor`): manifest timeouts up to
 * the Lambda budget (50 s) run on Lambda; longer ones need the Fargate fleet. Every shipped
 * and declarative agent fits the Lambda budget today (declarative specs cap at 30 s), so both
 * fleets consume P0..P3 as competing consumers (the conditional RUNNING claim keeps that
 * safe): Lambda takes bursts within its per-priority caps, Fargate drains a sustained backlog.
 * The batch queue is the Lambda fleet's alone (its event source aggregates 100 or one minute).
 *
 * Webhook delivery (stacks/constructs/webhook-delivery.ts) lives here too, where the region has
 * a writer: a rule on the bus, its queue and DLQ, and the consumer function.
 */
import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { PRIORITIES } from '../lib/config/queues.js';
import { webhookSecretPrefix } from '../lib/config/webhooks.js';
import { loginUsersFor } from '../lib/adapters/sql/roles.js';
import type { Foundation, StageExtension } from './app-stage.js';
import { DATABASE_NAME } from './constructs/aurora.js';
import { executionTableName } from './constructs/execution-table.js';
import { FargateWorkers } from './constructs/fargate-workers.js';
import { LambdaWorkers } from './constructs/lambda-workers.js';
import { QueueDepthScaling } from './constructs/queue-depth-scaling.js';
import { applyStackDefaults } from './constructs/stack-defaults.js';
import type { PlatformStackProps } from './constructs/stack-defaults.js';
import { grantWorker, workerEnvironment } from './constructs/worker-access.js';
import type { WorkerResources } from './constructs/worker-access.js';
import { VALKEY_PORT } from './constructs/valkey-cache.js';
import { WebhookDelivery } from './constructs/webhook-delivery.js';
import { ingressRule, ingressRules } from './constructs/ingress-rule.js';

/** The RDS Proxy listens on PostgreSQL's port. */
const POSTGRES_PORT = 5432;

/** IAM path of the worker roles (the tenant role trusts the API's path only). */
export function workerRolePath(envName: string): string {
  return `/glaf/${envName}/workers/`;
}

/** The database login user of the app role (created by the migration, lambdas/migrate). */
export function appLoginUser(rolePrefix: string): string {
  return loginUsersFor(rolePrefix).api;
}

export interface WorkersStackProps extends PlatformStackProps {
  readonly foundation: Foundation;
}

export class WorkersStack extends Stack {
  readonly lambda: LambdaWorkers;
  readonly fargate: FargateWorkers;
  readonly scaling: QueueDepthScaling;
  readonly securityGroup: ec2.SecurityGroup;
  /** The bus's events to the tenants' webhooks; absent where the region has no writer. */
  readonly webhooks?: WebhookDelivery;

  constructor(scope: Construct, id: string, props: WorkersStackProps) {
    super(scope, id, props);
    applyStackDefaults(this, props);
    const { config, foundation } = props;
    const { keys } = foundation.keys;
    const vpc = foundation.network.vpc;
    const data = foundation.data;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Workers (Lambda and Fargate): outbound to AWS endpoints, the proxy and the cache',
    });
    // Ingress rules live here, not in the data stack: the data stack must not depend on this one.
    ingressRule(this, 'CacheIngress', {
      from: this.securityGroup,
      to: data.cache.securityGroup,
      port: VALKEY_PORT,
      description: 'Workers to Valkey (TLS)',
    });
    ingressRules(this, 'ProxyIngress', {
      from: this.securityGroup,
      to: data.aurora?.proxy.connections.securityGroups ?? [],
      port: POSTGRES_PORT,
      description: 'Workers to the RDS Proxy (IAM auth, TLS)',
    });

    // Both fleets consume P0..P3; the batch queue only the Lambda fleet (its event source aggregates).
    const { batch, ...priorities } = foundation.events.queues.queues;
    const resources: WorkerResources = {
      queues: priorities,
      // In a secondary region the table is the primary's replica: same derived name.
      table:
        data.table ??
        dynamodb.TableV2.fromTableAttributes(this, 'Table', {
          tableName: executionTableName(config.name),
          encryptionKey: keys.data,
        }),
      tableKey: keys.data,
      bus: foundation.events.bus.bus,
      database: data.aurora
        ? {
            proxy: data.aurora.proxy,
            port: POSTGRES_PORT,
            user: appLoginUser(config.aurora.rolePrefix),
            name: DATABASE_NAME,
            rolePrefix: config.aurora.rolePrefix,
          }
        : undefined,
      cacheEndpoint: data.cache.cache.attrEndpointAddress,
    };
    const environment = workerEnvironment(this, resources);
    const lambdaResources: WorkerResources = { ...resources, queues: { ...priorities, batch } };

    this.lambda = new LambdaWorkers(this, 'Lambda', {
      vpc,
      securityGroup: this.securityGroup,
      queues: foundation.events.queues.queues,
      sizing: config.workers.lambda,
      // Node 20+ Lambda runtimes trust the RDS CA only when told to (verify-full TLS to the proxy).
      environment: {
        ...workerEnvironment(this, lambdaResources),
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      },
      logKey: keys.logs,
      logRetentionDays: config.logRetentionDays,
      rolePath: workerRolePath(config.name),
    });
    grantWorker(this.lambda.handler.role, lambdaResources);

    this.fargate = new FargateWorkers(this, 'Fargate', {
      vpc,
      sizing: config.workers.fargate,
      environment: { ...environment, AWS_REGION: this.region },
      logKey: keys.logs,
      logRetentionDays: config.logRetentionDays,
      securityGroup: this.securityGroup,
    });
    grantWorker(this.fargate.taskDefinition.taskRole, resources);

    // Webhook delivery needs the webhooks in Aurora: where the region has a writer (primary, silo).
    if (data.aurora) {
      this.webhooks = new WebhookDelivery(this, 'Webhooks', {
        vpc,
        bus: foundation.events.bus.bus,
        queueKey: keys.messaging,
        oldestMessageAlarmSeconds: config.events.oldestMessageAlarmSeconds,
        retain: config.protectData,
        table: resources.table,
        tableKey: keys.data,
        database: {
          proxy: data.aurora.proxy,
          port: POSTGRES_PORT,
          user: appLoginUser(config.aurora.rolePrefix),
          name: DATABASE_NAME,
          rolePrefix: config.aurora.rolePrefix,
        },
        secrets: { prefix: webhookSecretPrefix(config.name), key: keys.data },
        logKey: keys.logs,
        logRetentionDays: config.logRetentionDays,
        rolePath: `/glaf/${config.name}/webhooks/`,
      });
    }

    const { fargate: sizing } = config.workers;
    this.scaling = new QueueDepthScaling(this, 'Scaling', {
      service: this.fargate.service,
      cluster: this.fargate.cluster,
      queues: PRIORITIES.map((p) => priorities[p].queue),
      minTasks: sizing.minTasks,
      maxTasks: sizing.maxTasks,
      scaleOutBacklog: sizing.scaleOutBacklog,
      scaleInBacklog: sizing.scaleInBacklog,
    });
  }
}

/** Adds the workers stack to every stage (primary, secondary, silo) and puts it on the plane. */
export const addWorkers: StageExtension = (stage, foundation, plane) => {
  const env = { account: foundation.data.account, region: foundation.region };
  plane.workers = new WorkersStack(stage, 'Workers', {
    env,
    config: foundation.config,
    tenantId: foundation.tenant?.tenantId,
    foundation,
  });
};
