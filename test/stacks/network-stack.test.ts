import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { assertHasResource, assertResourceCount, buildEnvironment, template } from './helpers.js';

describe('NetworkStack', () => {
  const { primary } = buildEnvironment('dev');
  const t = template(primary.network);

  it('spans the three configured zones with public, app and isolated subnets', () => {
    const subnets = t.findResources('AWS::EC2::Subnet');
    const zones = new Set(
      Object.values(subnets).map((s) => (s.Properties as { AvailabilityZone: string }).AvailabilityZone),
    );
    expect([...zones].sort()).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(Object.keys(subnets)).toHaveLength(9);
    assertResourceCount(t, 'AWS::EC2::NatGateway', 1);
  });

  it('has gateway endpoints for S3 and DynamoDB', () => {
    for (const service of ['s3', 'dynamodb']) {
      assertHasResource(t, 'AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Gateway',
        ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([`.${service}`])] }),
      });
    }
  });

  it('has private-DNS interface endpoints for every service the platform calls', () => {
    const endpoints = Object.values(
      t.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }),
    );
    expect(endpoints.every((e) => (e.Properties as { PrivateDnsEnabled?: boolean }).PrivateDnsEnabled)).toBe(
      true,
    );
    const names = endpoints
      .map((r) => JSON.stringify((r.Properties as { ServiceName: unknown }).ServiceName))
      .map((s) => /\.([a-z.-]+)"?$/.exec(s.replace(/"\]\]\}$/, ''))?.[1] ?? s);
    expect(names.length).toBe(9);
    for (const svc of [
      'sqs',
      'events',
      'kms',
      'secretsmanager',
      'sts',
      'ecr.api',
      'ecr.dkr',
      'logs',
      'xray',
    ]) {
      expect(names.some((n) => n.endsWith(svc))).toBe(true);
    }
  });

  it('admits only HTTPS from the VPC range to the endpoints', () => {
    assertHasResource(t, 'AWS::EC2::SecurityGroup', {
      GroupDescription: 'Interface endpoints: HTTPS from inside the VPC only',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443 })],
    });
  });

  it('sends all flow logs to a KMS-encrypted log group', () => {
    assertHasResource(t, 'AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    assertHasResource(t, 'AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 14 });
  });

  it('uses one NAT gateway per zone in prod', () => {
    assertResourceCount(template(buildEnvironment('prod').primary.network), 'AWS::EC2::NatGateway', 3);
  });
});
