/**
 * The integration bus with an archive, and (primary region, when configured) an EventBridge
 * global endpoint that fails over to the secondary region's bus of the same name when the
 * Route 53 health check of the primary's API fails. Buses of a global endpoint must share
 * a name, so the bus name is derived from the environment (and the silo tenant).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';

export function busName(envName: string, tenantId?: string): string {
  return tenantId ? `glaf-${envName}-${tenantId}` : `glaf-${envName}`;
}

export function busArn(scope: Construct, region: string, account: string, name: string): string {
  return `arn:${Stack.of(scope).partition}:events:${region}:${account}:event-bus/${name}`;
}

export interface GlobalEndpointOptions {
  /** Region the endpoint fails over to (its bus has the same name). */
  readonly secondaryRegion: string;
  /** Host checked by Route 53 over HTTPS, e.g. `api.eu-west-1.example.com`. */
  readonly healthCheckHost: string;
  readonly healthCheckPath: string;
}

export interface PlatformEventBusProps {
  readonly name: string;
  readonly key: kms.IKey;
  readonly archiveRetentionDays: number;
  readonly globalEndpoint?: GlobalEndpointOptions;
  readonly retain: boolean;
}

export class PlatformEventBus extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly endpoint?: events.CfnEndpoint;
  readonly healthCheck?: route53.CfnHealthCheck;

  constructor(scope: Construct, id: string, props: PlatformEventBusProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.name, kmsKey: props.key });
    this.archive = this.bus.archive('Archive', {
      description: 'Every event of the bus, for replay after an incident',
      eventPattern: { account: [stack.account] },
      retention: Duration.days(props.archiveRetentionDays),
    });
    this.archive.applyRemovalPolicy(props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);

    const g = props.globalEndpoint;
    if (!g) return;
    this.healthCheck = new route53.CfnHealthCheck(this, 'HealthCheck', {
      healthCheckConfig: {
        type: 'HTTPS',
        fullyQualifiedDomainName: g.healthCheckHost,
        resourcePath: g.healthCheckPath,
        port: 443,
        requestInterval: 30,
        failureThreshold: 3,
      },
    });
    const secondaryBus = busArn(this, g.secondaryRegion, stack.account, props.name);
    const replication = new iam.Role(this, 'ReplicationRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'Global endpoint replication between the primary and secondary bus',
    });
    replication.addToPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn, secondaryBus],
      }),
    );
    replication.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.key.keyArn],
      }),
    );
    this.endpoint = new events.CfnEndpoint(this, 'GlobalEndpoint', {
      name: `${props.name}-global`,
      description: 'Fails over to the secondary region when the primary API health check fails',
      routingConfig: {
        failoverConfig: {
          primary: {
            healthCheck: `arn:${stack.partition}:route53:::healthcheck/${this.healthCheck.attrHealthCheckId}`,
          },
          secondary: { route: g.secondaryRegion },
        },
      },
      replicationConfig: { state: 'ENABLED' },
      roleArn: replication.roleArn,
      eventBuses: [{ eventBusArn: this.bus.eventBusArn }, { eventBusArn: secondaryBus }],
    });
  }
}
