/**
 * Webhook delivery in AWS: an EventBridge rule on the platform bus sends the catalogue's events
 * (source and detail-type as lib/adapters/aws/eventbridge-bus.ts writes them, this account's
 * only) to an encrypted SQS queue with a DLQ (3 receives) and the platform's queue alarms; the
 * consumer function (lambdas/webhook-delivery, ReportBatchItemFailures) delivers each event to
 * the tenant's webhooks. The queue absorbs bursts and gives every event 3 tries plus the DLQ;
 * EventBridge's own failures to reach the queue land in the same DLQ.
 *
 * The function runs in the private subnets with egress through the NAT gateways: receivers are
 * anywhere on the internet, on any port, so its security group allows outbound TCP to any IPv4
 * address; the SSRF guard in the code (public addresses only, the checked address pinned for the
 * connection) is what keeps it off the VPC and the metadata endpoints. Its role: connect to the
 * RDS Proxy as the app login user (RLS applies), read secrets under the webhook prefix only,
 * and the item actions of the delivery log and ledger on `TENANT#` partitions of the table.
 */
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { DLQ_RETENTION_DAYS, MAX_RECEIVE_COUNT } from '../../lib/config/queues.js';
import { iamDatabaseEnv, type EnvOf, type WebhookDeliveryEnvSchema } from '../../lib/config/runtime-env.js';
import { WEBHOOK_DELIVERY } from '../../lib/config/webhooks.js';
import { EVENT_SOURCE, EVENT_TYPES } from '../../lib/domain/events/catalogue.js';
import { queueWithDeadLetter, type ExecutionQueue } from './execution-queues.js';
import { PlatformFunction } from './platform-function.js';
import { ingressRules } from './ingress-rule.js';

/** The delivery log (UpdateItem + PutItem) and the ledger (PutItem, GetItem, UpdateItem, DeleteItem). */
export const WEBHOOK_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/** ARN pattern of every secret under a name prefix (Secrets Manager appends `-XXXXXX` to names). */
export function secretsUnder(scope: Construct, prefix: string): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${prefix}/*`;
}

/** cdk-nag's finding id for a grant on `secretsUnder(prefix)` (pseudo parameters where unresolved). */
export function secretsUnderFinding(scope: Construct, prefix: string): string {
  const stack = Stack.of(scope);
  const shown = (v: string, pseudo: string) => (Token.isUnresolved(v) ? `<${pseudo}>` : v);
  const where = `${shown(stack.region, 'AWS::Region')}:${shown(stack.account, 'AWS::AccountId')}`;
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${where}:secret:${prefix}/*]`;
}

export interface WebhookDeliveryProps {
  readonly vpc: ec2.IVpc;
  readonly bus: events.IEventBus;
  /** The messaging key (SQS); its policy lets EventBridge send to encrypted queues. */
  readonly queueKey: kms.IKey;
  readonly oldestMessageAlarmSeconds: number;
  readonly retain: boolean;
  readonly table: dynamodb.ITableV2;
  readonly tableKey: kms.IKey;
  readonly database: {
    readonly proxy: rds.IDatabaseProxy & ec2.IConnectable;
    readonly port: number;
    /** The app login user (no BYPASSRLS). */
    readonly user: string;
    readonly name: string;
    readonly rolePrefix: string;
  };
  /** Secrets Manager name prefix of the signing secrets, and the key they are encrypted with. */
  readonly secrets: { readonly prefix: string; readonly key: kms.IKey };
  readonly logKey: kms.IKey;
  readonly logRetentionDays: logs.RetentionDays;
  readonly rolePath: string;
}

export class WebhookDelivery extends Construct {
  readonly rule: events.Rule;
  readonly queue: ExecutionQueue;
  readonly handler: PlatformFunction;
  readonly securityGroup: ec2.SecurityGroup;
  readonly eventSource: sources.SqsEventSource;

  constructor(scope: Construct, id: string, props: WebhookDeliveryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.queue = queueWithDeadLetter(this, {
      key: props.queueKey,
      oldestMessageAlarmSeconds: props.oldestMessageAlarmSeconds,
      retain: props.retain,
      id: 'Queue',
      deadLetterId: 'DeadLetterQueue',
      visibilityTimeoutSeconds: WEBHOOK_DELIVERY.visibilityTimeoutSeconds,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      deadLetterRetentionDays: DLQ_RETENTION_DAYS,
      label: 'webhook events',
      deadLetterMeaning: `an event's delivery could not run ${MAX_RECEIVE_COUNT} times, or EventBridge could not queue it`,
    });

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: "The platform's events, to the webhook delivery queue",
      eventPattern: {
        source: [EVENT_SOURCE],
        detailType: [...EVENT_TYPES],
        // Events forwarded from other accounts (silo tenants) are delivered where their webhooks live.
        account: [stack.account],
      },
      targets: [
        new targets.SqsQueue(this.queue.queue, {
          deadLetterQueue: this.queue.deadLetterQueue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    // The SQS target leaves out the rule condition on an encrypted queue (to avoid a dependency
    // cycle through a key in the same stack; CDK issue 11158): only this rule may send, so no
    // other rule in the account can inject events that look like the platform's.
    this.queue.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheWebhookRule',
        effect: iam.Effect.DENY,
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queue.queueArn],
        conditions: { ArnNotEquals: { 'aws:SourceArn': this.rule.ruleArn } },
      }),
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Webhook delivery: receivers on the internet (any port), the RDS Proxy, AWS endpoints',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.allTcp(),
      'Webhook receivers at public addresses on any port (the SSRF guard refuses private ones); HTTPS to AWS APIs',
    );
    // The proxy side of the rule lives here too, so the data stack never depends on this one.
    ingressRules(this, 'ProxyIngress', {
      from: this.securityGroup,
      to: props.database.proxy.connections.securityGroups,
      port: props.database.port,
      description: 'Webhook delivery to the RDS Proxy (IAM auth, TLS)',
    });

    this.handler = new PlatformFunction(this, 'Function', {
      entry: 'lambdas/webhook-delivery/handler.ts',
      serviceName: 'webhook-delivery',
      timeout: Duration.seconds(WEBHOOK_DELIVERY.timeoutSeconds),
      memorySize: 512,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      logKey: props.logKey,
      logRetention: props.logRetentionDays,
      rolePath: props.rolePath,
      environment: {
        ...iamDatabaseEnv({ ...props.database, host: props.database.proxy.endpoint }),
        // Node 20+ Lambda runtimes trust the RDS CA only when told to (verify-full TLS to the proxy).
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        EXECUTION_TABLE_NAME: props.table.tableName,
        WEBHOOK_SECRET_PREFIX: props.secrets.prefix,
      } satisfies EnvOf<typeof WebhookDeliveryEnvSchema>,
    });
    this.grant(props);

    this.eventSource = new sources.SqsEventSource(this.queue.queue, {
      batchSize: WEBHOOK_DELIVERY.batchSize,
      reportBatchItemFailures: true,
      maxConcurrency: WEBHOOK_DELIVERY.maxConcurrency,
    });
    this.handler.function.addEventSource(this.eventSource);
  }

  private grant(props: WebhookDeliveryProps): void {
    const role = this.handler.role;
    const region = Stack.of(this).region;
    props.database.proxy.grantConnect(role, props.database.user);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DeliveryLogAndLedger',
        actions: [...WEBHOOK_TABLE_ACTIONS],
        // The table itself: the consumer never queries an index.
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#*'] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TableKeyViaDynamoDb',
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [props.tableKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadWebhookSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretsUnder(this, props.secrets.prefix)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SecretKeyViaSecretsManager',
        actions: ['kms:Decrypt'],
        resources: [props.secrets.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
      }),
    );
    Validations.of(role).acknowledge({
      id: secretsUnderFinding(this, props.secrets.prefix),
      reason:
        'One secret per webhook, created at run time under the prefix with a random name; read only, no other secrets',
    });
  }
}
