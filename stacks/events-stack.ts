/**
 * Messaging of one region: the integration bus (archive; in the primary region a global
 * endpoint), MSK Serverless with its topics, and the execution queues with DLQs and alarms.
 * In the control plane the bus accepts events from the silo tenants' accounts; in a silo
 * tenant's account a rule forwards the tenant's events to the control-plane bus. Where Aurora
 * is written (primary, silo), the outbox relay publishes the SQL outbox to the bus and MSK.
 */
import { Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { EVENT_SOURCE } from '../lib/domain/events/catalogue.js';
import { busArn, busName, PlatformEventBus } from './constructs/event-bus.js';
import { ExecutionQueues } from './constructs/execution-queues.js';
import type { KmsKeys } from './constructs/kms-keys.js';
import { MskServerless } from './constructs/msk-serverless.js';
import { OutboxRelayFunction } from './constructs/outbox-relay.js';
import { applyStackDefaults } from './constructs/stack-defaults.js';
import type { PlatformStackProps } from './constructs/stack-defaults.js';

export interface EventsStackProps extends PlatformStackProps {
  readonly vpc: ec2.IVpc;
  readonly keys: KmsKeys;
  /** Primary region of the control plane: global endpoint and silo-account access. */
  readonly role: 'primary' | 'secondary';
  /** The writable Aurora's proxy (primary, silo): runs the outbox relay. @default no relay */
  readonly database?: {
    readonly proxy: rds.IDatabaseProxy;
    readonly proxySecurityGroups: readonly ec2.ISecurityGroup[];
    readonly rolePrefix: string;
  };
}

export class EventsStack extends Stack {
  readonly bus: PlatformEventBus;
  readonly msk: MskServerless;
  readonly queues: ExecutionQueues;
  readonly outboxRelay?: OutboxRelayFunction;

  constructor(scope: Construct, id: string, props: EventsStackProps) {
    super(scope, id, props);
    applyStackDefaults(this, props);
    const { config, keys } = props;
    const secondary = config.secondaryRegions[0];
    const global =
      props.role === 'primary' && !props.tenantId && config.events.globalEndpoint && secondary
        ? {
            secondaryRegion: secondary,
            healthCheckHost: `api.${this.region}.${config.domain.name}`,
            healthCheckPath: config.events.healthCheckPath,
          }
        : undefined;
    this.bus = new PlatformEventBus(this, 'Events', {
      name: busName(config.name, props.tenantId),
      key: keys.messaging,
      archiveRetentionDays: config.events.archiveRetentionDays,
      globalEndpoint: global,
      retain: config.protectData,
    });
    if (!props.tenantId) {
      // Silo tenants' accounts publish their application-plane events here.
      for (const tenant of config.siloTenants) {
        this.bus.bus.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: `silo-${tenant.tenantId}`,
            principals: [new iam.AccountPrincipal(tenant.account)],
            actions: ['events:PutEvents'],
            resources: [this.bus.bus.eventBusArn],
          }),
        );
      }
    } else {
      const controlPlane = events.EventBus.fromEventBusArn(
        this,
        'ControlPlaneBus',
        busArn(this, config.primaryRegion, config.account, busName(config.name)),
      );
      new events.Rule(this, 'ToControlPlane', {
        eventBus: this.bus.bus,
        description: 'Forwards the silo tenant events to the control-plane bus',
        // Exactly the platform's source (lib/domain/events/catalogue.ts): what every publisher writes.
        eventPattern: { source: [EVENT_SOURCE] },
        targets: [new targets.EventBus(controlPlane)],
      });
    }
    this.msk = new MskServerless(this, 'Msk', { vpc: props.vpc, logKey: keys.logs });
    if (props.database) {
      this.outboxRelay = new OutboxRelayFunction(this, 'OutboxRelay', {
        vpc: props.vpc,
        bus: this.bus.bus,
        proxy: props.database.proxy,
        proxySecurityGroups: props.database.proxySecurityGroups,
        rolePrefix: props.database.rolePrefix,
        msk: this.msk,
        logKey: keys.logs,
        logRetention: config.logRetentionDays,
      });
    }
    this.queues = new ExecutionQueues(this, 'Queues', {
      key: keys.messaging,
      oldestMessageAlarmSeconds: config.events.oldestMessageAlarmSeconds,
      retain: config.protectData,
    });
  }
}
