/**
 * An SNS topic for operator notifications: encrypted with a customer-managed key, TLS-only
 * (enforceSSL denies plain-HTTP publish and subscribe), email subscribers from configuration,
 * and, when AWS services publish to it (Budgets, Cost Anomaly Detection), a topic policy
 * scoped to this account as the source so no other account's budget can post here.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  readonly displayName: string;
  /** Encrypts the messages at rest; its key policy must let the publishers use it. */
  readonly key: kms.IKey;
  readonly emails: readonly string[];
  /** Service principals that publish (e.g. `budgets.amazonaws.com`). @default none */
  readonly servicePublishers?: readonly string[];
}

export class AlertTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName,
      masterKey: props.key,
      enforceSSL: true,
    });
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    const publishers = props.servicePublishers ?? [];
    if (publishers.length === 0) return;
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ServicePublishers',
        principals: publishers.map((p) => new iam.ServicePrincipal(p)),
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
  }
}
