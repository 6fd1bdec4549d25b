/**
 * The one Lambda construct of the platform: arm64, Node 22, ESM bundle minified with source
 * maps and the AWS SDK bundled (FIELD-NOTES: it cut a measured cold start from 675 to 241 ms),
 * an explicit encrypted log group with retention, X-Ray tracing and Powertools settings.
 * Bundling honours the `aws:cdk:bundling-stacks` context: tests set it to `[]` so no esbuild
 * run (and no Docker) happens during unit tests.
 */
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Import rewrites for the bundle. @platformatic/wasm-utils (used by @platformatic/kafka) reads
 * `../dist/native.wasm` next to its module at import time, a file a single-file bundle does not
 * have; its `bundled` entry carries the same WebAssembly inline.
 * node:http and node:https (imported as ESM by the SDK's credential providers, among others)
 * become the builtins' own exports (bundle-shims/): Node's ESM namespace for node:http reads
 * every export, which loads undici for its lazy getters, ~35 ms of CPU per cold import.
 * Shim paths are relative to the working directory esbuild runs in, the repository root.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled',
  'node:http': './stacks/constructs/bundle-shims/node-http.cjs',
  http: './stacks/constructs/bundle-shims/node-http.cjs',
  'node:https': './stacks/constructs/bundle-shims/node-https.cjs',
  https: './stacks/constructs/bundle-shims/node-https.cjs',
};

/**
 * Local-mode engines never bundled into a function: the code reaches them only through a
 * dynamic import on a local-only path (e.g. PGlite in lib/adapters/sql/pglite-client.ts), so
 * a Lambda never loads them. Without this the worker and API bundles carried PGlite (~510 KB).
 */
export const LOCAL_ONLY_PACKAGES: readonly string[] = ['@electric-sql/pglite'];

/**
 * The esbuild settings of every function, in one place: PlatformFunction hands them to
 * NodejsFunction, and the bundle check (`npm run check:bundles`) and `bench:synth` build each
 * entry with the same values, so what they measure is what deploys.
 */
export const BUNDLE_SETTINGS = {
  format: 'esm',
  target: 'node22',
  platform: 'node',
  minify: true,
  sourceMap: true,
  // Mappings only: with --enable-source-maps Node reads and parses the whole map as the bundle
  // loads, and the sources' text (two thirds of it) serves debuggers, not stack traces
  // (API bundle map 7.4 -> 2.5 MB, cold import CPU -28 ms measured; worker -18 ms).
  sourcesContent: false,
  mainFields: ['module', 'main'],
  alias: BUNDLE_ALIASES,
  external: LOCAL_ONLY_PACKAGES,
  // CommonJS dependencies (pg, ...) call require(): give the ESM bundle one.
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
} as const;

export interface PlatformFunctionProps {
  /** Handler file relative to the repository root, e.g. `lambdas/migrate/handler.ts`. */
  readonly entry: string;
  /** Powertools service name (logs, metrics, traces). */
  readonly serviceName: string;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  readonly environment?: Readonly<Record<string, string>>;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** Log group retention. @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** Encrypts the log group. */
  readonly logKey?: kms.IKey;
  /** IAM path of the execution role; the tenant role trusts roles on the API's path only. */
  readonly rolePath?: string;
  /** Files to copy next to the bundle, relative to the repository root (e.g. SQL migrations). */
  readonly copyIntoBundle?: readonly { readonly from: string; readonly to: string }[];
}

export class PlatformFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Own role (instead of the managed-policy default): exact log group, optional path.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      path: props.rolePath,
      description: `Execution role of ${props.serviceName}`,
    });
    this.logGroup.grantWrite(this.role);
    if (props.vpc) {
      this.role.addManagedPolicy(
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
      );
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason: 'ENI management for a VPC function; AWS maintains the exact EC2 actions Lambda needs',
      });
    }
    const copies = props.copyIntoBundle ?? [];
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: `${REPO_ROOT}${props.entry}`,
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: 'GlAgentFactory',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: BUNDLE_SETTINGS.format as nodejs.OutputFormat,
        target: BUNDLE_SETTINGS.target,
        minify: BUNDLE_SETTINGS.minify,
        sourceMap: BUNDLE_SETTINGS.sourceMap,
        sourcesContent: BUNDLE_SETTINGS.sourcesContent,
        // The SDK is bundled too (see above); only the local-only engines stay out.
        bundleAwsSDK: true,
        externalModules: [...BUNDLE_SETTINGS.external],
        esbuildArgs: Object.fromEntries(
          Object.entries(BUNDLE_SETTINGS.alias).map(([from, to]) => [`--alias:${from}`, to]),
        ),
        mainFields: [...BUNDLE_SETTINGS.mainFields],
        banner: BUNDLE_SETTINGS.banner,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) =>
            copies.map((c) => `cp -R "${inputDir}/${c.from}" "${outputDir}/${c.to}"`),
        },
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the platform runtime (design card); moving to 24 is a separate, tested upgrade',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions',
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.logGroup.node.defaultChild as logs.CfnLogGroup)}.Arn>:*]`,
      reason: 'Log streams of the function own log group are created at run time with generated names',
    });
  }

  /** Sets one environment variable (for values that need no grant). */
  bindEnvironment(name: string, value: string): this {
    this.function.addEnvironment(name, value);
    return this;
  }

  /*
   * bind*(): the grant and the environment variable together, so a function never gets the
   * name of a resource without the right to use it, or a right it has no name for.
   */

  /** Table name in `name`; read or read-write item access (data key use included). */
  bindTable(name: string, table: dynamodb.ITableV2, access: 'read' | 'readWrite'): this {
    if (access === 'read') table.grantReadData(this.role);
    else table.grantReadWriteData(this.role);
    return this.bindEnvironment(name, table.tableName);
  }

  /** Queue URL in `name`; send, or receive-and-delete. */
  bindQueue(name: string, queue: sqs.IQueue, access: 'send' | 'consume'): this {
    if (access === 'send') queue.grantSendMessages(this.role);
    else queue.grantConsumeMessages(this.role);
    return this.bindEnvironment(name, queue.queueUrl);
  }

  /** Secret ARN in `name`; read access (and decrypt through Secrets Manager). */
  bindSecret(name: string, secret: secretsmanager.ISecret): this {
    secret.grantRead(this.role);
    return this.bindEnvironment(name, secret.secretArn);
  }

  /** Event bus name in `name`; PutEvents. */
  bindEventBus(name: string, bus: events.IEventBus): this {
    bus.grantPutEventsTo(this.role);
    return this.bindEnvironment(name, bus.eventBusName);
  }
}
