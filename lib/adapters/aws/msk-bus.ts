/**
 * MSK (Kafka) publisher over @platformatic/kafka, authenticated with MSK IAM: SASL
 * OAUTHBEARER whose token is a SigV4-presigned `kafka-cluster:Connect` URL made by
 * aws-msk-iam-sasl-signer-js from the default credential chain (the Lambda or task role).
 * Topic by event family, key = tenant id (one tenant's events land on one partition, in
 * order), tenant id also in the headers so consumers can filter without parsing values.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Producer, SASLOptions } from '@platformatic/kafka';
// The package's constants module alone (the package exports only its root, hence the path).
import { ProduceAcks } from '../../../node_modules/@platformatic/kafka/dist/apis/enumerations.js';
import type { DomainEvent } from '../../domain/events/envelope.js';
import { topicOf } from '../../domain/events/topics.js';
import { validateEvents } from '../../domain/events/validate.js';
import type { EventBus, PublishResult } from '../../ports/event-bus.js';

export interface KafkaRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** Pure: the record one event becomes. */
export function kafkaRecordOf(event: DomainEvent): KafkaRecord {
  return {
    topic: topicOf(event.type),
    key: event.tenantId,
    value: JSON.stringify(event),
    headers: {
      'tenant-id': event.tenantId,
      'event-id': event.id,
      'event-type': event.type,
      'event-version': String(event.version),
      'content-type': 'application/json',
    },
  };
}

/** What the bus needs from a producer (the @platformatic/kafka Producer has it). */
export interface KafkaSender {
  send(options: { messages: KafkaRecord[]; acks: number }): Promise<unknown>;
}

export class MskBus implements EventBus {
  constructor(private readonly producer: KafkaSender) {}

  async publish(events: readonly DomainEvent[]): Promise<PublishResult> {
    const valid = validateEvents(events);
    if (valid.length === 0) return { published: [], deadLettered: [], failed: [] };
    try {
      // acks = all in-sync replicas: an acknowledged event survives a broker loss.
      await this.producer.send({ messages: valid.map(kafkaRecordOf), acks: ProduceAcks.ALL });
      return { published: valid.map((e) => e.id), deadLettered: [], failed: [] };
    } catch (error) {
      // One produce request: the client does not say which partitions made it, so the
      // caller retries all of them (consumers deduplicate by event id).
      const code = (error as { code?: string }).code ?? (error as Error).name;
      const reason = error instanceof Error ? error.message : String(error);
      return { published: [], deadLettered: [], failed: valid.map((event) => ({ event, code, reason })) };
    }
  }
}

export type TokenGenerator = (options: { region: string }) => Promise<{ token: string; expiryTime: number }>;

/** The signer's token; the signer (its own STS client and credential chain) loads with the first connection. */
const signerToken: TokenGenerator = async (options) =>
  (await import('aws-msk-iam-sasl-signer-js')).generateAuthToken(options);

/** SASL options for MSK IAM; the token is fetched per connection (it expires in 15 min). */
export function mskIamSasl(region: string, generate: TokenGenerator = signerToken): SASLOptions {
  return {
    mechanism: 'OAUTHBEARER',
    token: async () => (await generate({ region })).token,
  };
}

export interface MskProducerOptions {
  /** `host:port` of the IAM listener (port 9098). */
  readonly bootstrapBrokers: readonly string[];
  readonly region: string;
  /** @default 'glaf-events' */
  readonly clientId?: string;
  readonly generateToken?: TokenGenerator;
  /** MSK IAM listeners are TLS only; `false` is for the plaintext fake broker in tests. @default {} */
  readonly tls?: false | ConnectionOptions;
  /** Client-level retries of a failed request. @default the client's (3) */
  readonly retries?: number;
}

/** The producer MskBus sends through; `close(true)` also ends a send in flight. */
export interface MskProducer extends KafkaSender {
  close(force?: boolean): Promise<void>;
}

/**
 * The Kafka client loads on the first send, not at import: its producer module compiles its
 * option validators (Ajv) as it loads, ~150 ms of CPU in every cold start of the stream
 * processor and the outbox relay, and only a send needs it. Its own modules, not the package
 * root, which also loads the consumer and the schema registries (avsc) the publisher never uses.
 */
async function newProducer(options: MskProducerOptions): Promise<Producer<string, string, string, string>> {
  const [{ Producer }, { stringSerializers }] = await Promise.all([
    import('../../../node_modules/@platformatic/kafka/dist/clients/producer/index.js'),
    import('../../../node_modules/@platformatic/kafka/dist/clients/serde.js'),
  ]);
  return new Producer({
    clientId: options.clientId ?? 'glaf-events',
    bootstrapBrokers: [...options.bootstrapBrokers],
    ...(options.tls === false ? {} : { tls: options.tls ?? {} }),
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    sasl: mskIamSasl(options.region, options.generateToken),
    serializers: stringSerializers,
    // Idempotent producer: the broker drops the duplicates of its own retries.
    idempotent: true,
    acks: ProduceAcks.ALL,
  });
}

/** A @platformatic/kafka Producer, created on the first send (see newProducer). */
export function createMskProducer(options: MskProducerOptions): MskProducer {
  let producer: Promise<Producer<string, string, string, string>> | undefined;
  return {
    send: async (sendOptions) => (await (producer ??= newProducer(options))).send(sendOptions),
    close: async (force) => {
      if (producer) await (await producer).close(force);
    },
  };
}
