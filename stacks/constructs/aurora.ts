/**
 * Aurora PostgreSQL 16 Serverless v2 for the primary region: CMK-encrypted, IAM auth, 30-day
 * backups, deletion protection and RETAIN when the environment protects data, a rotated
 * master secret, an RDS Proxy (IAM auth, TLS required) and, when there are secondary
 * regions, the Global Database the secondaries join.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../lib/config/app-config.js';

export const AURORA_VERSION = rds.AuroraPostgresEngineVersion.VER_16_6;
export const DATABASE_NAME = 'agent_factory';
export const MASTER_USER = 'glaf_master';

/** Global cluster ids are account-wide names: the secondaries must know it without a reference. */
export function globalClusterId(envName: string, tenantId?: string): string {
  return tenantId ? `glaf-${envName}-${tenantId.slice(0, 8)}-global` : `glaf-${envName}-global`;
}

/** Only environments that do not protect data (dev, staging) run without deletion protection. */
function acknowledgeNoDeletionProtection(cluster: Construct): void {
  Validations.of(cluster).acknowledge({
    id: 'AwsSolutions-RDS10',
    reason: 'Non-production environment (protectData false): torn down with the environment; prod has it on',
  });
}

export interface AuroraPrimaryProps {
  readonly config: EnvironmentConfig;
  readonly vpc: ec2.IVpc;
  readonly key: kms.IKey;
  /** Create the Global Database (the environment has secondary regions). */
  readonly globalClusterIdentifier?: string;
}

export class AuroraPrimary extends Construct {
  readonly cluster: rds.DatabaseCluster;
  readonly proxy: rds.DatabaseProxy;
  readonly securityGroup: ec2.SecurityGroup;
  readonly globalCluster?: rds.CfnGlobalCluster;

  constructor(scope: Construct, id: string, props: AuroraPrimaryProps) {
    super(scope, id);
    const { aurora, protectData } = props.config;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Aurora cluster: reachable from the proxy and the migration function only',
      allowAllOutbound: false,
    });
    // The secret gets a key of this stack: readers of a secret are granted through the key's
    // resource policy (kms:ViaService), which would tie the keys stack to every reader's role.
    const secretKey = new kms.Key(this, 'SecretKey', {
      description: 'Aurora master secret',
      enableKeyRotation: true,
      removalPolicy: protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: AURORA_VERSION }),
      writer: rds.ClusterInstance.serverlessV2('Writer', { publiclyAccessible: false }),
      readers: Array.from({ length: aurora.readers }, (_, i) =>
        rds.ClusterInstance.serverlessV2(`Reader${i + 1}`, {
          scaleWithWriter: true,
          publiclyAccessible: false,
        }),
      ),
      serverlessV2MinCapacity: aurora.minCapacity,
      serverlessV2MaxCapacity: aurora.maxCapacity,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      credentials: rds.Credentials.fromGeneratedSecret(MASTER_USER, { encryptionKey: secretKey }),
      defaultDatabaseName: DATABASE_NAME,
      storageEncrypted: true,
      storageEncryptionKey: props.key,
      iamAuthentication: true,
      backup: { retention: Duration.days(aurora.backupRetentionDays), preferredWindow: '01:00-02:00' },
      cloudwatchLogsExports: ['postgresql'],
      cloudwatchLogsRetention: logs.RetentionDays.ONE_MONTH,
      parameterGroup: new rds.ParameterGroup(this, 'Parameters', {
        engine: rds.DatabaseClusterEngine.auroraPostgres({ version: AURORA_VERSION }),
        // Reject plaintext connections even from inside the VPC.
        parameters: { 'rds.force_ssl': '1', log_connections: '1', log_disconnections: '1' },
      }),
      deletionProtection: protectData,
      // RETAIN in prod: tenant data must outlive the stack. Elsewhere a final snapshot.
      removalPolicy: protectData ? RemovalPolicy.RETAIN : RemovalPolicy.SNAPSHOT,
    });
    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'Default port 5432 kept: isolated subnets, security groups, TLS and IAM auth protect the cluster',
    });
    if (!protectData) acknowledgeNoDeletionProtection(this.cluster);
    // cloudwatchLogsRetention is applied by CDK's LogRetention singleton function.
    const logRetention = Stack.of(this).node.tryFindChild('LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a');
    if (logRetention) {
      Validations.of(logRetention).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'CDK LogRetention singleton sets the Aurora log group retention; it only writes its own logs',
      });
      Validations.of(logRetention).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'CDK LogRetention singleton: PutRetentionPolicy on log groups RDS creates with generated names',
      });
    }
    this.cluster.addRotationSingleUser({ automaticallyAfter: Duration.days(30) });

    this.proxy = this.cluster.addProxy('Proxy', {
      secrets: [this.cluster.secret!],
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      iamAuth: true,
      requireTLS: true,
      debugLogging: false,
    });

    if (props.globalClusterIdentifier) {
      this.globalCluster = new rds.CfnGlobalCluster(this, 'Global', {
        globalClusterIdentifier: props.globalClusterIdentifier,
        sourceDbClusterIdentifier: this.cluster.clusterIdentifier,
        deletionProtection: protectData,
      });
      this.globalCluster.applyRemovalPolicy(protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    }
  }
}

export interface AuroraSecondaryProps {
  readonly config: EnvironmentConfig;
  readonly vpc: ec2.IVpc;
  /** This region's data key (a cross-region replica needs a key of its own region). */
  readonly key: kms.IKey;
  readonly globalClusterIdentifier: string;
}

/** A read-only secondary cluster of the Global Database (L1: the L2 cannot omit credentials). */
export class AuroraSecondary extends Construct {
  readonly cluster: rds.CfnDBCluster;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: AuroraSecondaryProps) {
    super(scope, id);
    const { aurora, protectData } = props.config;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Aurora secondary cluster',
      allowAllOutbound: false,
    });
    const subnets = new rds.SubnetGroup(this, 'Subnets', {
      vpc: props.vpc,
      description: 'Isolated subnets of the Aurora secondary',
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    this.cluster = new rds.CfnDBCluster(this, 'Cluster', {
      engine: 'aurora-postgresql',
      engineVersion: AURORA_VERSION.auroraPostgresFullVersion,
      globalClusterIdentifier: props.globalClusterIdentifier,
      dbSubnetGroupName: subnets.subnetGroupName,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      storageEncrypted: true,
      kmsKeyId: props.key.keyArn,
      enableIamDatabaseAuthentication: true,
      backupRetentionPeriod: aurora.backupRetentionDays,
      deletionProtection: protectData,
      enableCloudwatchLogsExports: ['postgresql'],
      serverlessV2ScalingConfiguration: { minCapacity: aurora.minCapacity, maxCapacity: aurora.maxCapacity },
    });
    this.cluster.applyRemovalPolicy(protectData ? RemovalPolicy.RETAIN : RemovalPolicy.SNAPSHOT);
    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason: 'Default port 5432 kept: the secondary mirrors the primary, protected by SGs, TLS and IAM auth',
    });
    if (!protectData) acknowledgeNoDeletionProtection(this.cluster);
    const reader = new rds.CfnDBInstance(this, 'Reader', {
      dbClusterIdentifier: this.cluster.ref,
      dbInstanceClass: 'db.serverless',
      engine: 'aurora-postgresql',
      publiclyAccessible: false,
    });
    reader.applyRemovalPolicy(protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
  }
}
