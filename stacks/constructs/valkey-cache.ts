/**
 * ElastiCache Serverless (Valkey) in isolated subnets. Serverless caches accept TLS
 * connections only; the security group admits the cache port from the given peers only.
 */
import { Names } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export const VALKEY_PORT = 6379;

export interface ValkeyCacheProps {
  readonly vpc: ec2.IVpc;
  readonly key: kms.IKey;
  /** Daily snapshots kept this many days. @default 7 */
  readonly snapshotRetentionDays?: number;
}

export class ValkeyCache extends Construct {
  readonly cache: elasticache.CfnServerlessCache;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: ValkeyCacheProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Valkey serverless cache: clients are added with allowFrom',
      allowAllOutbound: false,
    });
    const subnets = props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
    this.cache = new elasticache.CfnServerlessCache(this, 'Cache', {
      // The name is required by CloudFormation; derive it from the construct path (unique, stable).
      serverlessCacheName: Names.uniqueResourceName(this, { maxLength: 40, separator: '-' }).toLowerCase(),
      engine: 'valkey',
      majorEngineVersion: '8',
      kmsKeyId: props.key.keyArn,
      securityGroupIds: [this.securityGroup.securityGroupId],
      subnetIds: subnets.subnetIds,
      snapshotRetentionLimit: props.snapshotRetentionDays ?? 7,
      description: 'Rate-limit windows, result, factor and permission caches',
    });
  }

  /** Admits a client security group to the cache port (TLS only, enforced by the service). */
  allowFrom(peer: ec2.IConnectable): void {
    this.securityGroup.connections.allowFrom(peer, ec2.Port.tcp(VALKEY_PORT), 'Valkey clients');
  }
}
