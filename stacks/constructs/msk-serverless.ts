/**
 * MSK Serverless with IAM authentication (the only client auth it offers; TLS always on) in
 * the isolated subnets, and a custom resource that creates the topics from MSK_TOPIC_SPECS.
 * The IAM bootstrap broker string is read with an SDK call, as CloudFormation does not
 * return it for serverless clusters.
 */
import { CustomResource, Duration, Fn, Names, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { MskTopic } from '../../lib/domain/events/topics.js';
import { MSK_TOPIC_SPECS } from './msk-topics.js';
import { PlatformFunction } from './platform-function.js';

export const MSK_IAM_PORT = 9098;
export const MSK_TOPICS_RESOURCE_TYPE = 'Custom::MskTopics';

export interface MskServerlessProps {
  readonly vpc: ec2.IVpc;
  readonly logKey: kms.IKey;
}

export class MskServerless extends Construct {
  readonly cluster: msk.CfnServerlessCluster;
  readonly clusterName: string;
  readonly securityGroup: ec2.SecurityGroup;
  readonly bootstrapBrokers: string;
  readonly topics: CustomResource;

  constructor(scope: Construct, id: string, props: MskServerlessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'MSK Serverless: IAM listener for producers and consumers',
      allowAllOutbound: false,
    });
    const clusterName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    this.clusterName = clusterName;
    this.cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
      clusterName,
      clientAuthentication: { sasl: { iam: { enabled: true } } },
      vpcConfigs: [
        {
          subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
          securityGroups: [this.securityGroup.securityGroupId],
        },
      ],
    });

    const brokers = new cr.AwsCustomResource(this, 'Brokers', {
      onUpdate: {
        service: 'Kafka',
        action: 'GetBootstrapBrokers',
        parameters: { ClusterArn: this.cluster.attrArn },
        physicalResourceId: cr.PhysicalResourceId.of(this.cluster.attrArn),
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.cluster.attrArn] }),
      installLatestAwsSdk: false,
    });
    this.bootstrapBrokers = brokers.getResponseField('BootstrapBrokerStringSaslIam');
    // The singleton function behind every AwsCustomResource of the stack ('AWS' + uuid without dashes).
    const sdkCallFn = stack.node.tryFindChild(
      `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`,
    );
    if (sdkCallFn) {
      Validations.of(sdkCallFn).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'CDK AwsCustomResource singleton: basic logging only; its SDK call policy is resource-scoped',
      });
    }

    const fnSg = new ec2.SecurityGroup(this, 'TopicsSecurityGroup', {
      vpc: props.vpc,
      description: 'MSK topics function',
    });
    this.allowClient(fnSg);
    const fn = new PlatformFunction(this, 'TopicsHandler', {
      entry: 'lambdas/msk-topics/handler.ts',
      serviceName: 'msk-topics',
      timeout: Duration.minutes(5),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [fnSg],
      logKey: props.logKey,
    });
    // Topic ARNs are topic/<cluster name>/<cluster uuid>/<topic>: this cluster's topics only.
    const topicArns = `arn:${stack.partition}:kafka:${stack.region}:${stack.account}:topic/${clusterName}/*`;
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
        resources: [this.cluster.attrArn],
      }),
    );
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:CreateTopic', 'kafka-cluster:DescribeTopic', 'kafka-cluster:AlterTopic'],
        resources: [topicArns],
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kafka:${stack.region}:${stack.account}:topic/${clusterName}/*]`,
      reason: 'Topic ARNs of this one cluster only; the topic names are listed in MSK_TOPIC_SPECS',
    });
    const provider = new cr.Provider(this, 'Provider', { onEventHandler: fn.function });
    this.topics = new CustomResource(this, 'Topics', {
      serviceToken: provider.serviceToken,
      resourceType: MSK_TOPICS_RESOURCE_TYPE,
      properties: { BootstrapBrokers: this.bootstrapBrokers, Topics: MSK_TOPIC_SPECS },
    });
    const providerFn = provider.node.findChild('framework-onEvent');
    Validations.of(providerFn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The custom-resource framework function runtime is chosen and updated by aws-cdk-lib',
    });
    Validations.of(providerFn).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The custom-resource framework role is created by aws-cdk-lib with basic logging only',
    });
    Validations.of(providerFn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.function.node.defaultChild as never)}.Arn>:*]`,
      reason: 'The framework invokes every version of the topics function (qualified ARNs)',
    });
  }

  /** Admits a client security group to the IAM listener. */
  allowClient(peer: ec2.IConnectable): void {
    this.securityGroup.connections.allowFrom(peer, ec2.Port.tcp(MSK_IAM_PORT), 'MSK IAM clients');
  }

  /**
   * Lets a function produce to `topics` (event publishers: the stream processor, the outbox
   * relay): MSK_BOOTSTRAP_BROKERS in its environment, its security group admitted to the IAM
   * listener, and IAM for exactly that: Connect and idempotent writes on this cluster, WriteData
   * and DescribeTopic on those topics only (no create, alter, delete or read). The ingress rule
   * is made in the function's stack, so a producer in another stack adds no dependency here.
   */
  bindProducer(fn: PlatformFunction, securityGroup: ec2.ISecurityGroup, topics: readonly MskTopic[]): void {
    const stack = Stack.of(fn);
    if (stack === Stack.of(this)) this.allowClient(securityGroup);
    else {
      new ec2.CfnSecurityGroupIngress(fn, 'MskIngress', {
        groupId: this.securityGroup.securityGroupId,
        sourceSecurityGroupId: securityGroup.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: MSK_IAM_PORT,
        toPort: MSK_IAM_PORT,
        description: 'MSK IAM producer',
      });
    }
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'],
        resources: [this.cluster.attrArn],
      }),
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:WriteData', 'kafka-cluster:DescribeTopic'],
        resources: [...new Set(topics)].map((topic) => this.topicArn(topic)),
      }),
    );
    fn.bindEnvironment('MSK_BOOTSTRAP_BROKERS', this.bootstrapBrokers);
  }

  /** topic/<cluster name>/<cluster uuid>/<topic>; the uuid is the last part of the cluster ARN. */
  topicArn(topic: string): string {
    const { partition, region, account } = Stack.of(this);
    const uuid = Fn.select(2, Fn.split('/', this.cluster.attrArn));
    return `arn:${partition}:kafka:${region}:${account}:topic/${this.clusterName}/${uuid}/${topic}`;
  }
}
