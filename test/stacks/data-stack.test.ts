import { Capture, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AURORA_VERSION, globalClusterId } from '../../stacks/constructs/aurora.js';
import { MIGRATION_RESOURCE_TYPE, migrationsHash } from '../../stacks/constructs/database-migration.js';
import {
  assertAllResources,
  assertHasResource,
  assertHasResourceDefinition,
  assertResourceCount,
  buildEnvironment,
  template,
} from './helpers.js';

const dev = buildEnvironment('dev');
const prod = buildEnvironment('prod');

describe('DataStack (primary region)', () => {
  const t = template(dev.primary.data);

  describe('Aurora', () => {
    it('is PostgreSQL 16 Serverless v2, CMK-encrypted, IAM auth, 30-day backups', () => {
      assertHasResource(t, 'AWS::RDS::DBCluster', {
        Engine: 'aurora-postgresql',
        EngineVersion: Match.stringLikeRegexp('^16\\.'),
        StorageEncrypted: true,
        KmsKeyId: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('KeysData') }),
        EnableIAMDatabaseAuthentication: true,
        BackupRetentionPeriod: 30,
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
        EnableCloudwatchLogsExports: ['postgresql'],
      });
      assertHasResource(t, 'AWS::RDS::DBInstance', {
        DBInstanceClass: 'db.serverless',
        PubliclyAccessible: false,
      });
      expect(AURORA_VERSION.auroraPostgresMajorVersion).toBe('16');
    });

    it('forces TLS in the cluster parameter group', () => {
      assertHasResource(t, 'AWS::RDS::DBClusterParameterGroup', {
        Parameters: Match.objectLike({ 'rds.force_ssl': '1' }),
      });
    });

    it('has no deletion protection and snapshots on delete in dev; protection and RETAIN in prod', () => {
      assertHasResourceDefinition(t, 'AWS::RDS::DBCluster', {
        DeletionPolicy: 'Snapshot',
        Properties: Match.objectLike({ DeletionProtection: false }),
      });
      const p = template(prod.primary.data);
      assertHasResourceDefinition(p, 'AWS::RDS::DBCluster', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtection: true }),
      });
      assertHasResourceDefinition(p, 'AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
    });

    it('rotates the master secret, encrypted with a rotating CMK', () => {
      assertHasResource(t, 'AWS::SecretsManager::RotationSchedule', {
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
      });
      assertHasResource(t, 'AWS::SecretsManager::Secret', { KmsKeyId: Match.anyValue() });
      assertAllResources(t, 'AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('starts the Global Database from the primary cluster', () => {
      const source = new Capture();
      assertHasResource(t, 'AWS::RDS::GlobalCluster', {
        GlobalClusterIdentifier: globalClusterId('dev'),
        SourceDBClusterIdentifier: source,
      });
      expect(JSON.stringify(source.asObject())).toMatch(/AuroraCluster/);
    });

    it('admits only the proxy, the migration function and secret rotation to the cluster', () => {
      const sg = Object.keys(t.findResources('AWS::EC2::SecurityGroup')).find((id) =>
        id.startsWith('AuroraSecurityGroup'),
      )!;
      const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress'))
        .map(
          (r) =>
            r.Properties as {
              GroupId: unknown;
              SourceSecurityGroupId?: { 'Fn::GetAtt': [string, string] };
              CidrIp?: string;
            },
        )
        .filter((p) => JSON.stringify(p.GroupId).includes(sg));
      expect(ingress.map((p) => p.CidrIp)).toEqual([undefined, undefined, undefined]);
      expect(
        ingress.map((p) => p.SourceSecurityGroupId!['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '')).sort(),
      ).toEqual([
        'AuroraClusterProxyProxySecurityGroup',
        'AuroraClusterRotationSingleUserSecurityGroup',
        'MigrationSecurityGroup',
      ]);
    });

    it('fronts the cluster with an RDS Proxy requiring IAM auth and TLS', () => {
      assertHasResource(t, 'AWS::RDS::DBProxy', {
        EngineFamily: 'POSTGRESQL',
        RequireTLS: true,
        Auth: [Match.objectLike({ IAMAuth: 'REQUIRED', AuthScheme: 'SECRETS' })],
      });
    });
  });

  describe('migration custom resource', () => {
    it('runs the migrate handler with the role prefix and the migrations hash', () => {
      assertHasResource(t, MIGRATION_RESOURCE_TYPE, {
        ServiceToken: Match.anyValue(),
        RolePrefix: 'glaf',
        MigrationsHash: migrationsHash(),
      });
      expect(migrationsHash()).toMatch(/^[0-9a-f]{64}$/);
    });

    it('deploys after the cluster, from a VPC function that can read the secret', () => {
      const cr = Object.values(t.findResources(MIGRATION_RESOURCE_TYPE))[0]!;
      expect(JSON.stringify(cr.DependsOn)).toMatch(/AuroraCluster/);
      assertHasResource(t, 'AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: 'migrate',
            DB_SECRET_ARN: Match.anyValue(),
            NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
          }),
        },
        VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      });
    });
  });

  describe('execution table', () => {
    it('is a global table with a replica per secondary region, PITR, TTL, stream and CMKs', () => {
      const replicaKey = new Capture();
      assertHasResource(t, 'AWS::DynamoDB::GlobalTable', {
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        GlobalSecondaryIndexes: [
          Match.objectLike({ IndexName: 'ByStatus' }),
          Match.objectLike({ IndexName: 'ByAgent' }),
        ],
        Replicas: Match.arrayWith([
          Match.objectLike({
            Region: 'eu-central-1',
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { KMSMasterKeyId: replicaKey },
          }),
          Match.objectLike({
            Region: 'eu-west-1',
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: {
              KMSMasterKeyId: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('KeysData') }),
            },
          }),
        ]),
      });
      // The replica uses its own region's data key, named by the alias every region gives it.
      expect(JSON.stringify(replicaKey.asObject())).toContain(
        ':kms:eu-central-1:111111111111:alias/glaf/dev/data',
      );
    });
  });

  describe('Valkey cache', () => {
    it('is serverless Valkey with a CMK, in isolated subnets behind its own security group', () => {
      const subnets = new Capture();
      assertHasResource(t, 'AWS::ElastiCache::ServerlessCache', {
        Engine: 'valkey',
        KmsKeyId: Match.anyValue(),
        SecurityGroupIds: [Match.anyValue()],
        SubnetIds: subnets,
      });
      const ids = JSON.stringify(subnets.asArray());
      expect(subnets.asArray()).toHaveLength(3);
      expect(ids).toMatch(/VpcDataSubnet1/);
      expect(ids).not.toMatch(/VpcAppSubnet|VpcPublicSubnet/);
      assertHasResource(t, 'AWS::EC2::SecurityGroup', {
        GroupDescription: 'Valkey serverless cache: clients are added with allowFrom',
        SecurityGroupEgress: Match.anyValue(),
      });
    });
  });
});

describe('DataStack (secondary region)', () => {
  const t = template(dev.secondary.data);

  it('joins the Global Database with an encrypted, IAM-auth secondary cluster', () => {
    assertHasResource(t, 'AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      GlobalClusterIdentifier: globalClusterId('dev'),
      StorageEncrypted: true,
      KmsKeyId: Match.anyValue(),
      EnableIAMDatabaseAuthentication: true,
      MasterUsername: Match.absent(),
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
    });
    assertHasResource(t, 'AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless' });
  });

  it('owns neither the table (a replica of the primary) nor a Global Database', () => {
    assertResourceCount(t, 'AWS::DynamoDB::GlobalTable', 0);
    assertResourceCount(t, 'AWS::RDS::GlobalCluster', 0);
    assertResourceCount(t, 'AWS::ElastiCache::ServerlessCache', 1);
  });
});
