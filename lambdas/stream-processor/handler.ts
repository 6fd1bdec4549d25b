/**
 * DynamoDB stream of the execution table -> execution events on EventBridge (and MSK when
 * configured: topic agent_execution, key and header = tenant id). Thin: decode
 * the records of execution items, hand the changes to the service, report the records to
 * retry (`ReportBatchItemFailures`: the Lambda service restarts the shard from the lowest
 * failed sequence number, so later records are retried too and event ids stay stable).
 *
 * Records of other items (idempotency keys, usage counters, deliveries) and deletions (TTL
 * expiry) are ignored. An execution item that cannot be decoded is logged and skipped:
 * retrying it would block the shard for 24 h and never succeed.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { FirehoseLakeSink } from '../../lib/adapters/aws/firehose-lake-sink.js';
import { createPlatformBus } from '../../lib/adapters/aws/platform-bus.js';
import { executionOf } from '../../lib/adapters/aws/dynamodb-execution-codec.js';
import { StreamProcessorEnvSchema } from '../../lib/config/events-env.js';
import { describeEnvIssues } from '../../lib/config/runtime-env.js';
import type { EventBus } from '../../lib/ports/event-bus.js';
import { lakeStreamNames } from '../../lib/lake/layout.js';
import { publishExecutionChanges, type KeyedChange } from '../../lib/services/execution-events.js';
import { LakeWriter } from '../../lib/services/lake-writer.js';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'glaf-stream-processor' });

type Image = Record<string, AttributeValue>;

/** The stream's images have the DynamoDB JSON shape the SDK codec reads. */
const imageOf = (image: unknown): Image | undefined => (image ? (image as Image) : undefined);

function changeOf(record: DynamoDBRecord): KeyedChange | 'skip' {
  const key = record.dynamodb?.SequenceNumber ?? record.eventID ?? '';
  const after = imageOf(record.dynamodb?.NewImage);
  if (record.eventName === 'REMOVE' || !after) return 'skip';
  if (!after['SK']?.S?.startsWith('EXEC#')) return 'skip';
  try {
    const before = imageOf(record.dynamodb?.OldImage);
    return { key, change: { ...(before ? { before: executionOf(before) } : {}), after: executionOf(after) } };
  } catch (error) {
    logger.error('undecodable execution item skipped', {
      sequenceNumber: key,
      error: (error as Error).message,
    });
    return 'skip';
  }
}

export function createStreamHandler(bus: EventBus, lake?: LakeWriter) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const changes = event.Records.map(changeOf).filter((c): c is KeyedChange => c !== 'skip');
    try {
      const { failedKeys } = await publishExecutionChanges(bus, changes);
      if (failedKeys.length)
        logger.warn('events not published; records will be retried', { count: failedKeys.length });
      const lakeResult = lake ? await lake.writeChanges(changes) : { failedKeys: [] };
      const lakeFailed = lakeResult.failedKeys;
      if (lakeFailed.length)
        logger.warn('lake rows not delivered; records will be retried', { error: lakeResult.error });
      const retry = [...new Set([...failedKeys, ...lakeFailed])];
      return { batchItemFailures: retry.map((itemIdentifier) => ({ itemIdentifier })) };
    } catch (error) {
      // Unexpected (e.g. a bug building an event): retry the whole batch from its first record.
      logger.error('stream batch failed', { error: (error as Error).message });
      const first = changes[0]?.key;
      return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
    }
  };
}

let handle: ReturnType<typeof createStreamHandler> | undefined;

/**
 * The deployed entry, from StreamProcessorEnvSchema: EventBridge bus EVENT_BUS_NAME; events it
 * refuses after its retries go to the SQS queue EVENT_DLQ_URL when set, else the records are
 * retried (and end in the function's on-failure destination). With MSK_BOOTSTRAP_BROKERS the
 * events go to MSK as well, and a record is retried when either bus failed its event. With
 * LAKE_STREAM_PREFIX, terminal executions also go to the lake's Firehose streams
 * `<prefix><table>`. Clients and the MSK producer are created once per container.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  if (!handle) {
    const parsed = StreamProcessorEnvSchema.safeParse(process.env);
    if (!parsed.success) {
      throw new Error(`The stream processor's environment is incomplete: ${describeEnvIssues(parsed.error)}`);
    }
    const env = parsed.data;
    const { bus, targets } = createPlatformBus(env);
    logger.info('stream processor publishing', { targets });
    handle = createStreamHandler(
      bus,
      env.LAKE_STREAM_PREFIX
        ? new LakeWriter(
            new FirehoseLakeSink({
              client: new FirehoseClient({}),
              streams: lakeStreamNames(env.LAKE_STREAM_PREFIX),
            }),
          )
        : undefined,
    );
  }
  return handle(event);
};
