/**
 * The bus an AWS event publisher (stream processor, outbox relay) sends to, from its
 * environment (EventPublishingEnvSchema): the region's EventBridge bus (with the SQS dead-letter
 * queue when EVENT_DLQ_URL is set) and, when MSK_BOOTSTRAP_BROKERS is set, MSK too through a
 * TeeBus, so an event either bus failed comes back `failed` and the caller retries it (the
 * stream processor's record, the relay's outbox row).
 *
 * The MSK side has a deadline: a broker that accepts the connection and never answers must not
 * hold the caller until its Lambda timeout; its events come back failed and are retried.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { EventPublishingEnv } from '../../config/events-env.js';
import type { DomainEvent } from '../../domain/events/envelope.js';
import type { EventBus, PublishResult } from '../../ports/event-bus.js';
import { TeeBus } from '../tee-bus.js';
import { EventBridgeBus } from './eventbridge-bus.js';
import { createMskProducer, MskBus, type MskProducerOptions } from './msk-bus.js';
import { SqsEventDeadLetterQueue } from './sqs-event-dead-letter.js';

/** How long one MSK publish may take before its events count as failed. */
export const MSK_PUBLISH_DEADLINE_MS = 10_000;

export interface PlatformBusOptions {
  /** @default a client from the environment (AWS_ENDPOINT_URL_EVENTBRIDGE is honoured by the SDK) */
  readonly eventBridge?: EventBridgeClient;
  /** @default a client from the environment */
  readonly sqs?: SQSClient;
  /** Producer settings for tests (a plaintext fake listener, a fixed token, no retries). */
  readonly msk?: Partial<Pick<MskProducerOptions, 'tls' | 'generateToken' | 'retries' | 'clientId'>>;
  /** @default MSK_PUBLISH_DEADLINE_MS */
  readonly mskDeadlineMs?: number;
}

export interface PlatformBus {
  readonly bus: EventBus;
  /** Where events go, for logs and tests. */
  readonly targets: readonly ('eventbridge' | 'msk')[];
  /** Closes the MSK producer (EventBridge and SQS clients hold nothing open). */
  close(): Promise<void>;
}

export function createPlatformBus(env: EventPublishingEnv, options: PlatformBusOptions = {}): PlatformBus {
  const deadLetter = env.EVENT_DLQ_URL
    ? new SqsEventDeadLetterQueue(options.sqs ?? new SQSClient({}), env.EVENT_DLQ_URL)
    : undefined;
  const eventBridge = new EventBridgeBus({
    client: options.eventBridge ?? new EventBridgeClient({}),
    eventBusName: env.EVENT_BUS_NAME,
    ...(deadLetter ? { deadLetter } : {}),
  });
  if (!env.MSK_BOOTSTRAP_BROKERS) {
    return { bus: eventBridge, targets: ['eventbridge'], close: () => Promise.resolve() };
  }
  const producer = createMskProducer({
    bootstrapBrokers: env.MSK_BOOTSTRAP_BROKERS.split(','),
    region: env.AWS_REGION,
    ...options.msk,
  });
  const msk = withDeadline(new MskBus(producer), options.mskDeadlineMs ?? MSK_PUBLISH_DEADLINE_MS);
  return {
    bus: new TeeBus(eventBridge, msk),
    targets: ['eventbridge', 'msk'],
    close: async () => {
      await producer.close(true);
    },
  };
}

/**
 * A bus whose publish answers within `ms`: past it, every event of the call is `failed`
 * (DeadlineExceeded). The late publish may still land; delivery is at least once anyway.
 */
export function withDeadline(bus: EventBus, ms: number): EventBus {
  return {
    publish: async (events: readonly DomainEvent[]): Promise<PublishResult> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<PublishResult>((resolve) => {
        timer = setTimeout(
          () =>
            resolve({
              published: [],
              deadLettered: [],
              failed: events.map((event) => ({
                event,
                code: 'DeadlineExceeded',
                reason: `no answer within ${ms} ms`,
              })),
            }),
          ms,
        );
      });
      try {
        return await Promise.race([bus.publish(events), late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
