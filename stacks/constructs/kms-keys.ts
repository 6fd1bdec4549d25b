/**
 * The customer-managed keys of one region, with rotation on. Each key has a fixed alias
 * (`alias/glaf/<env>/<purpose>`) because other regions must name it before they can
 * reference it: the DynamoDB global table's replica in region B is encrypted with B's data
 * key, and CloudFormation cannot pass a reference across regions.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export const KEY_PURPOSES = ['data', 'messaging', 'logs'] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/** The alias every region gives its key of one purpose (same string in every region). */
export function keyAlias(envName: string, purpose: KeyPurpose): string {
  return `alias/glaf/${envName}/${purpose}`;
}

/** ARN of a key alias in another region of the same account: usable where a KMS key id is. */
export function keyAliasArn(scope: Construct, region: string, envName: string, purpose: KeyPurpose): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:kms:${region}:${stack.account}:${keyAlias(envName, purpose)}`;
}

export interface KmsKeysProps {
  /** Environment name, part of every alias. */
  readonly envName: string;
  /** RETAIN the keys when the stack is deleted (data encrypted under them outlives it). */
  readonly retain: boolean;
}

export class KmsKeys extends Construct {
  /** Aurora, DynamoDB, ElastiCache, secrets. */
  readonly data: kms.Key;
  /** SQS, MSK, EventBridge archive. */
  readonly messaging: kms.Key;
  /** CloudWatch log groups (flow logs, functions). */
  readonly logs: kms.Key;

  constructor(scope: Construct, id: string, props: KmsKeysProps) {
    super(scope, id);
    const make = (purpose: KeyPurpose) =>
      new kms.Key(this, purpose[0]!.toUpperCase() + purpose.slice(1), {
        description: `GL Agent Factory ${props.envName} ${purpose} key`,
        alias: keyAlias(props.envName, purpose),
        enableKeyRotation: true,
        rotationPeriod: Duration.days(365),
        // RETAIN in prod: a deleted key makes every backup encrypted under it unreadable.
        removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(30),
      });
    this.data = make('data');
    this.messaging = make('messaging');
    this.logs = make('logs');

    const stack = Stack.of(this);
    // CloudWatch Logs encrypts with the key itself; limit it to this account's log groups.
    this.logs.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
          },
        },
      }),
    );
    // CloudWatch alarms and EventBridge deliver to encrypted queues through the service principals.
    this.messaging.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [
          new iam.ServicePrincipal('events.amazonaws.com'),
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
  }
}
