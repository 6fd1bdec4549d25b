/**
 * MSK publisher. No Kafka broker is reachable here, so:
 * - record building (topic by family, key = tenant id, headers, value) is tested as a pure function;
 * - the IAM token is made by the real signer from static credentials (SigV4 presigning is offline);
 * - the real @platformatic/kafka Producer from createMskProducer connects to a fake listener
 *   that records the SASL OAUTHBEARER exchange and refuses it, so the token provider wiring
 *   and the bus's failure path run for real.
 * NOT exercised: TLS to the broker, metadata, produce requests and acknowledgements,
 * partitioning by key on a real cluster, the idempotent-producer handshake.
 */
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMskProducer, kafkaRecordOf, mskIamSasl, MskBus } from '../../lib/adapters/aws/msk-bus.js';
import { EVENT_TYPES } from '../../lib/domain/events/catalogue.js';
import { createEvent } from '../../lib/domain/events/envelope.js';
import { MSK_TOPICS, topicOf } from '../../lib/domain/events/topics.js';
import { InvalidEventError } from '../../lib/domain/events/validate.js';
import { startFakeSaslBroker, type FakeSaslBroker } from './fake-kafka-sasl.js';
import { OTHER_TENANT, SAMPLE_DETAILS, TENANT } from './samples.js';

describe('kafkaRecordOf', () => {
  it('routes by family, keys by tenant and carries the tenant id in the headers', () => {
    // Prepare
    const event = createEvent('execution.completed', TENANT, SAMPLE_DETAILS['execution.completed']);
    // Act
    const record = kafkaRecordOf(event);
    // Assess
    expect(record).toEqual({
      topic: 'agent_execution',
      key: TENANT,
      value: JSON.stringify(event),
      headers: {
        'tenant-id': TENANT,
        'event-id': event.id,
        'event-type': 'execution.completed',
        'event-version': '1',
        'content-type': 'application/json',
      },
    });
    expect(JSON.parse(record.value)).toEqual(event);
  });

  it('every event type has a topic among the declared ones', () => {
    const topics = new Set(Object.values(MSK_TOPICS));
    for (const type of EVENT_TYPES) expect(topics.has(topicOf(type))).toBe(true);
    expect(topicOf('agent.certified')).toBe('agent_lifecycle');
    expect(topicOf('quota.exceeded')).toBe('agent_metrics');
    expect(topicOf('tenant.offboarded')).toBe('tenant_lifecycle');
  });

  it("two tenants' events get different keys; one tenant's events share one", () => {
    const a1 = kafkaRecordOf(createEvent('tenant.suspended', TENANT, { tenantId: TENANT }));
    const a2 = kafkaRecordOf(createEvent('tenant.resumed', TENANT, { tenantId: TENANT }));
    const b = kafkaRecordOf(createEvent('tenant.resumed', OTHER_TENANT, { tenantId: OTHER_TENANT }));
    expect(a1.key).toBe(a2.key);
    expect(b.key).not.toBe(a1.key);
  });
});

describe('MSK IAM token', () => {
  it('the signer makes a presigned kafka-cluster:Connect URL for the region', async () => {
    const { token, expiryTime } = await generateAuthTokenFromCredentialsProvider({
      region: 'eu-west-1',
      awsCredentialsProvider: () =>
        Promise.resolve({ accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' }),
    });
    const url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
    expect(url.host).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIDTEST\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/,
    );
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(expiryTime).toBeGreaterThan(Date.now());
  });

  it("mskIamSasl's default generator is the signer over the default credential chain", async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret-env');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_PROFILE', '');
    try {
      const token = await (mskIamSasl('eu-central-1').token as () => Promise<string>)();
      const url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
      expect(url.host).toBe('kafka.eu-central-1.amazonaws.com');
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDFROMENV\/\d{8}\/eu-central-1\//);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('mskIamSasl asks the generator for a fresh token for its region on every call', async () => {
    const regions: string[] = [];
    let n = 0;
    const sasl = mskIamSasl('us-east-2', ({ region }) => {
      regions.push(region);
      return Promise.resolve({ token: `token-${++n}`, expiryTime: 0 });
    });
    expect(sasl.mechanism).toBe('OAUTHBEARER');
    const provider = sasl.token as () => Promise<string>;
    expect([await provider(), await provider()]).toEqual(['token-1', 'token-2']);
    expect(regions).toEqual(['us-east-2', 'us-east-2']);
  });
});

describe('MskBus with the real producer against a fake SASL listener', () => {
  let fake: FakeSaslBroker;
  beforeEach(async () => {
    fake = await startFakeSaslBroker();
  });
  afterEach(() => fake.close());

  it('sends the IAM token over SASL OAUTHBEARER; events not acknowledged come back failed', async () => {
    // Prepare
    const producer = createMskProducer({
      bootstrapBrokers: [fake.broker],
      region: 'eu-west-1',
      tls: false,
      generateToken: () => Promise.resolve({ token: 'iam-token-123', expiryTime: 0 }),
    });
    const bus = new MskBus(producer);
    const events = [
      createEvent('execution.started', TENANT, SAMPLE_DETAILS['execution.started']),
      createEvent('tenant.suspended', OTHER_TENANT, { tenantId: OTHER_TENANT }),
    ];
    try {
      // Act: the fake never lets the produce through; closing the producer ends the attempt.
      const publishing = bus.publish(events);
      const auth = await fake.firstAuth;
      await producer.close(true);
      const result = await publishing;
      // Assess
      expect(auth).toBe('n,,\u0001auth=Bearer iam-token-123\u0001\u0001');
      expect(fake.apiKeysSeen.slice(0, 3)).toEqual([18, 17, 36]);
      expect(result.published).toEqual([]);
      expect(result.failed.map((f) => f.event.id)).toEqual(events.map((e) => e.id));
    } finally {
      await producer.close(true);
    }
  });

  it('publishes nothing and sends nothing when an event is invalid', async () => {
    const producer = createMskProducer({ bootstrapBrokers: [fake.broker], region: 'eu-west-1', tls: false });
    try {
      await expect(new MskBus(producer).publish([createEvent('tenant.created', TENANT, {})])).rejects.toThrow(
        InvalidEventError,
      );
      expect(fake.apiKeysSeen).toEqual([]);
    } finally {
      await producer.close(true);
    }
  });
});
