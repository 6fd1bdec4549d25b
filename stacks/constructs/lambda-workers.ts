/**
 * The Lambda worker fleet: one function (lambdas/worker/handler.ts) with one SQS event source
 * per priority queue, each with ReportBatchItemFailures (the handler returns the records to
 * keep), its own batch size and window, and its own MaximumConcurrency (P0 highest), so a
 * flood of P3 work can never take the concurrency P0 needs; and one on the batch queue (batch
 * items: up to 100 records or a 60 s window per invocation). The queues' visibility timeout
 * must be at least 6 x the function timeout (FIELD-NOTES): checked here, at synth.
 * Lambda's per-tenant isolation mode (TenancyConfig) is not used: it needs a tenant id on each
 * invoke and supports API Gateway as its only event source, not SQS; the worker re-checks each
 * message's tenant and the store's writes are keyed by it.
 */
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  BATCH_QUEUE,
  LAMBDA_QUEUE_VISIBILITY_SECONDS,
  PRIORITIES,
  WORKER_LAMBDA_TIMEOUT_SECONDS,
} from '../../lib/config/queues.js';
import type { Priority, QueueName } from '../../lib/config/queues.js';
import { LAMBDA_EVENT_SOURCES } from '../../lib/config/workers.js';
import type { WorkersConfig } from '../../lib/config/workers.js';
import { PlatformFunction } from './platform-function.js';

/** The shipped declarative agent specs, relative to the repository root. */
export const DECLARATIVE_SPECS_PATH = 'lib/agents/declarative/specs';

export interface LambdaWorkersProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly queues: Readonly<Record<QueueName, { readonly queue: sqs.IQueue }>>;
  readonly sizing: WorkersConfig['lambda'];
  readonly environment: Readonly<Record<string, string>>;
  readonly logKey: kms.IKey;
  readonly logRetentionDays: logs.RetentionDays;
  /** IAM path of the role: not the API's path, so the tenant role never trusts a worker. */
  readonly rolePath: string;
}

export class LambdaWorkers extends Construct {
  readonly handler: PlatformFunction;
  readonly eventSources: Readonly<Record<QueueName, sources.SqsEventSource>>;

  constructor(scope: Construct, id: string, props: LambdaWorkersProps) {
    super(scope, id);
    const timeout = Duration.seconds(WORKER_LAMBDA_TIMEOUT_SECONDS);
    if (LAMBDA_QUEUE_VISIBILITY_SECONDS < 6 * timeout.toSeconds()) {
      throw new Error('Queue visibility must be >= 6 x the worker function timeout');
    }
    this.handler = new PlatformFunction(this, 'Worker', {
      entry: 'lambdas/worker/handler.ts',
      serviceName: 'glaf-worker',
      timeout,
      memorySize: props.sizing.memoryMiB,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.securityGroup],
      logKey: props.logKey,
      logRetention: props.logRetentionDays,
      rolePath: props.rolePath,
      environment: props.environment,
      // The shipped declarative agents are read from `specs/` next to the module at composition
      // (lib/agents/declarative SPECS_DIR); without them the worker fails with ENOENT.
      copyIntoBundle: [{ from: DECLARATIVE_SPECS_PATH, to: 'specs' }],
    });
    const fn: lambda.IFunction = this.handler.function;
    const entries = PRIORITIES.map((p): [Priority, sources.SqsEventSource] => {
      const s = LAMBDA_EVENT_SOURCES[p];
      const source = new sources.SqsEventSource(props.queues[p].queue, {
        batchSize: s.batchSize,
        maxBatchingWindow:
          s.maxBatchingWindowSeconds > 0 ? Duration.seconds(s.maxBatchingWindowSeconds) : undefined,
        reportBatchItemFailures: true,
        maxConcurrency: props.sizing.maxConcurrency[p],
      });
      fn.addEventSource(source);
      return [p, source];
    });
    // The batch queue aggregates as the issue asks: up to 100 messages, or whatever arrived within
    // a minute of the first (local mode's BatchConsumer does the same). Its concurrency is capped
    // like P3's, so bulk work never takes what interactive priorities need.
    const batch = new sources.SqsEventSource(props.queues.batch.queue, {
      batchSize: BATCH_QUEUE.batchSize,
      maxBatchingWindow: Duration.seconds(BATCH_QUEUE.maxBatchingWindowSeconds),
      reportBatchItemFailures: true,
      maxConcurrency: props.sizing.maxConcurrency.P3,
    });
    fn.addEventSource(batch);
    this.eventSources = {
      ...(Object.fromEntries(entries) as Record<Priority, sources.SqsEventSource>),
      batch,
    };
  }
}
