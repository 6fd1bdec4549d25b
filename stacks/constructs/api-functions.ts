/**
 * The API's Lambda functions: the REQUEST authorizer and one route function per route group
 * (lib/config/api.ts). Every route function runs the same bundle (lambdas/api/handler.ts, the
 * whole route table) and API Gateway sends it only its group's paths. Why split at all:
 * - isolation: each group has its own errors, throttles, duration and concurrency metrics and
 *   alarms, and can be given reserved concurrency (none yet: the account pool is shared) so a
 *   burst of executions cannot starve tenant administration or health checks;
 * - sizing: executions run agents inline (sync mode) and get more memory; system routes little;
 * - least privilege: only the executions group may send to the execution queues;
 * - one bundle, so no per-group build and no drift between groups; the cost is that each group
 *   warms its own execution environments.
 *
 * All of them run in the private subnets and reach Aurora through RDS Proxy (or, in a
 * secondary region, the local Global Database cluster) as the IAM-authenticated login user,
 * the Valkey cache over TLS, and DynamoDB through the gateway endpoint as the tenant role only:
 * each request's items are read and written with the tenant role assumed with the caller's
 * `tenant_id` session tag; the functions' own roles have no item access.
 * The authorizer has a role path of its own, so it can never assume the tenant role.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OFFBOARDING_PREFIX } from '../../lib/adapters/object-store-export-sink.js';
import type { ApiConfig, RouteGroup } from '../../lib/config/api.js';
import { ROUTE_GROUPS } from '../../lib/config/api.js';
import {
  iamDatabaseEnv,
  type ApiEnvSchema,
  type AuthorizerEnvSchema,
  type EnvOf,
} from '../../lib/config/runtime-env.js';
import type { QueueName } from '../../lib/config/queues.js';
import { PlatformFunction } from './platform-function.js';
import { secretsUnder, secretsUnderFinding } from './webhook-delivery.js';
import type { TenantRole } from './tenant-role.js';

/** How the functions reach the database: host, login user and the IAM grant to connect. */
export interface ApiDatabase {
  readonly host: string;
  readonly port: number;
  readonly name: string;
  /** The IAM-authenticated login user (member of the app role, no BYPASSRLS). */
  readonly user: string;
  /** The proxy's or cluster's security group side. */
  readonly peer: ec2.IConnectable;
  /** Grants `rds-db:connect` as `user`. */
  readonly grantConnect: (grantee: iam.IGrantable) => void;
}

export interface ApiFunctionsProps {
  readonly envName: string;
  readonly api: ApiConfig;
  readonly vpc: ec2.IVpc;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** IAM path of the route functions' roles: the tenant role trusts this path only. */
  readonly rolePath: string;
  readonly rolePrefix: string;
  readonly database: ApiDatabase;
  readonly table: dynamodb.ITableV2;
  readonly cache: { readonly host: string; readonly port: number; readonly peer: ec2.IConnectable };
  readonly queues: Readonly<Record<QueueName, { queue: sqs.IQueue; deadLetterQueue: sqs.IQueue }>>;
  /** The queues' SSE-KMS key. */
  readonly queueKey: kms.IKey;
  readonly bus: events.IEventBus;
  readonly tenantRole: TenantRole;
  /** Where the webhook routes keep signing secrets: a Secrets Manager name prefix and the CMK the
   * secrets are encrypted with. Absent = the webhook routes answer 503. */
  readonly webhookSecrets?: { readonly prefix: string; readonly key: kms.IKey };
  /** The Object Lock audit bucket (by name: it lives in the backup stack) and its CMK, where
   * offboarding writes tenant exports. Absent (secondary regions) = offboarding answers 503. */
  readonly tenantExports?: { readonly bucketName: string; readonly key: kms.IKey };
}

interface GroupSizing {
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly queues: boolean;
  readonly bus: boolean;
  /** Serves the webhook routes: creates, reads and deletes signing secrets. */
  readonly webhooks?: boolean;
  /** Serves offboarding: writes the tenant's export to the audit bucket. */
  readonly exports?: boolean;
}

/** Below API Gateway's 29 s integration timeout, so a slow run ends in the function, not as a bare 504. */
const ROUTE_TIMEOUT = Duration.seconds(28);
const SIZING: Readonly<Record<RouteGroup, GroupSizing>> = {
  system: { memorySize: 256, timeout: Duration.seconds(10), queues: false, bus: false },
  control: {
    memorySize: 512,
    timeout: ROUTE_TIMEOUT,
    queues: false,
    bus: true,
    webhooks: true,
    exports: true,
  },
  catalog: { memorySize: 512, timeout: ROUTE_TIMEOUT, queues: false, bus: true },
  executions: { memorySize: 1024, timeout: ROUTE_TIMEOUT, queues: true, bus: true },
};

export class ApiFunctions extends Construct {
  readonly authorizer: PlatformFunction;
  readonly routes: Readonly<Record<RouteGroup, PlatformFunction>>;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionsProps) {
    super(scope, id);
    const db = props.database;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'API functions: the database, the cache and AWS endpoints only',
      allowAllOutbound: false,
    });
    // allowTo keeps both rule halves in this stack (no reference from the data stack back here).
    this.securityGroup.connections.allowTo(db.peer, ec2.Port.tcp(db.port), 'PostgreSQL (TLS, IAM auth)');
    this.securityGroup.connections.allowTo(props.cache.peer, ec2.Port.tcp(props.cache.port), 'Valkey (TLS)');
    // AWS APIs (interface endpoints, the IdP's JWKS through NAT); DynamoDB via its gateway endpoint.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs and the IdP');

    const common = {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      logKey: props.logKey,
      logRetention: props.logRetention,
    };
    // The names are the runtimes' schemas (lib/config/runtime-env.ts): a typo fails the typecheck.
    const shared = {
      // No password anywhere: each connection logs in with an RDS IAM auth token (as the jobs do).
      ...iamDatabaseEnv({ ...db, rolePrefix: props.rolePrefix }),
      // Node 20+ Lambda runtimes trust the RDS CA only when told to (verify-full TLS).
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
    };

    this.authorizer = new PlatformFunction(this, 'Authorizer', {
      ...common,
      entry: 'lambdas/authorizer/handler.ts',
      serviceName: 'api-authorizer',
      memorySize: 256,
      timeout: Duration.seconds(10),
      rolePath: `/glaf/${props.envName}/authorizer/`,
      environment: {
        ...shared,
        AUTH_ISSUER: props.api.auth.issuer,
        AUTH_AUDIENCE: props.api.auth.audience.join(','),
        AUTH_JWKS_URI: props.api.auth.jwksUri,
      } satisfies EnvOf<typeof AuthorizerEnvSchema>,
    });
    db.grantConnect(this.authorizer.role);

    const entries = ROUTE_GROUPS.map((group): [RouteGroup, PlatformFunction] => {
      const size = SIZING[group];
      const fn = new PlatformFunction(this, `Routes-${group}`, {
        ...common,
        entry: 'lambdas/api/handler.ts',
        serviceName: `api-${group}`,
        memorySize: size.memorySize,
        timeout: size.timeout,
        rolePath: props.rolePath,
        environment: {
          ...shared,
          ROUTE_GROUP: group,
          REDIS_URL: `rediss://${props.cache.host}:${props.cache.port}`,
        } satisfies EnvOf<typeof ApiEnvSchema>,
      });
      db.grantConnect(fn.role);
      this.grantTableMetadata(fn, props.table);
      props.tenantRole.grantAssumeWithTag(fn.role);
      fn.bindEnvironment('TENANT_ROLE_ARN', props.tenantRole.role.roleArn);
      if (size.bus) fn.bindEventBus('EVENT_BUS_NAME', props.bus);
      if (size.queues) {
        this.grantSend(fn, props.queues, props.queueKey);
      }
      if (size.webhooks && props.webhookSecrets) this.grantWebhookSecrets(fn, props.webhookSecrets);
      if (size.exports && props.tenantExports) this.grantTenantExports(fn, props.tenantExports);
      return [group, fn];
    });
    this.routes = Object.fromEntries(entries) as Record<RouteGroup, PlatformFunction>;
  }

  /**
   * Offboarding exports: PutObject under `offboarding/` of the audit bucket and the CMK to
   * encrypt through S3. No read, delete or retention rights: the bucket's default Object Lock
   * retention applies to every export as written.
   */
  private grantTenantExports(fn: PlatformFunction, exports: { bucketName: string; key: kms.IKey }): void {
    const stack = Stack.of(this);
    const bucket = s3.Bucket.fromBucketName(this, 'TenantExportBucket', exports.bucketName);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOffboardingExports',
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${OFFBOARDING_PREFIX}*`)],
      }),
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AuditKeyViaS3',
        actions: ['kms:GenerateDataKey'],
        resources: [exports.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${exports.bucketName}/${OFFBOARDING_PREFIX}*]`,
      reason:
        'One export object per offboarding, named at run time by tenant and time under offboarding/ only',
    });
    fn.bindEnvironment('TENANT_EXPORT_BUCKET', exports.bucketName);
  }

  /**
   * The webhook routes' secrets (lib/adapters/aws/secrets-manager-store.ts): one secret per
   * webhook under the prefix, created tagged with its tenant (rotation = create + delete), read
   * for a test ping, deleted without recovery; nothing outside the prefix. The CMK only through
   * Secrets Manager. Deliveries read the secrets from the webhook consumer (workers stack).
   */
  private grantWebhookSecrets(fn: PlatformFunction, secrets: { prefix: string; key: kms.IKey }): void {
    const stack = Stack.of(this);
    const under = secretsUnder(this, secrets.prefix);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CreateTenantTaggedWebhookSecrets',
        actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
        resources: [under],
        conditions: {
          Null: { 'aws:RequestTag/tenant_id': 'false' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant_id'] },
        },
      }),
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAndDeleteWebhookSecrets',
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DeleteSecret'],
        resources: [under],
      }),
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SecretKeyViaSecretsManager',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [secrets.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: secretsUnderFinding(this, secrets.prefix),
      reason:
        'One secret per webhook, named at run time under the webhook prefix with a random id; no other secrets',
    });
    fn.bindEnvironment('WEBHOOK_SECRET_PREFIX', secrets.prefix);
    fn.bindEnvironment('WEBHOOK_SECRET_KMS_KEY_ID', secrets.key.keyArn);
  }

  /**
   * Send to the execution queues and read their depth (backpressure); the messaging key for
   * SSE-KMS through SQS only. Not the DLQs: only workers and operators touch those.
   */
  private grantSend(fn: PlatformFunction, queues: ApiFunctionsProps['queues'], key: kms.IKey): void {
    const stack = Stack.of(this);
    const urls: Record<string, { url: string; deadLetterUrl: string }> = {};
    for (const [name, q] of Object.entries(queues))
      urls[name] = { url: q.queue.queueUrl, deadLetterUrl: q.deadLetterQueue.queueUrl };
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EnqueueExecutions',
        actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
        resources: Object.values(queues).map((q) => q.queue.queueArn),
      }),
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'QueueKeyViaSqs',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
      }),
    );
    fn.bindEnvironment('QUEUE_URLS', stack.toJsonString(urls));
  }

  /**
   * No item access with the function's own credentials: every read and write of a tenant's
   * items is signed with that tenant's session of the tenant role (lambdas/api/services.ts,
   * TENANT_ROLE_ARN), so IAM (`dynamodb:LeadingKeys` = the session's tenant_id tag), not code,
   * keeps a request in its tenant's partition; that role also holds the table key's use via
   * DynamoDB. Left here: DescribeTable for the readiness probe (`GET /ready`), metadata only.
   */
  private grantTableMetadata(fn: PlatformFunction, table: dynamodb.ITableV2): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadinessProbe',
        actions: ['dynamodb:DescribeTable'],
        resources: [table.tableArn],
      }),
    );
    fn.bindEnvironment('EXECUTION_TABLE_NAME', table.tableName);
  }
}
