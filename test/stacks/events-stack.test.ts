import { Capture, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../lib/domain/events/catalogue.js';
import { MAX_RECEIVE_COUNT, QUEUE_NAMES } from '../../lib/config/queues.js';
import { MSK_TOPICS } from '../../lib/domain/events/topics.js';
import { busName } from '../../stacks/constructs/event-bus.js';
import { MSK_TOPICS_RESOURCE_TYPE } from '../../stacks/constructs/msk-serverless.js';
import { MSK_TOPIC_SPECS } from '../../stacks/constructs/msk-topics.js';
import {
  assertAllResources,
  assertHasResource,
  assertResourceCount,
  buildEnvironment,
  template,
  withSilos,
} from './helpers.js';

const staging = buildEnvironment('staging');
const t = template(staging.primary.events);

describe('EventsStack', () => {
  describe('queues', () => {
    it('has P0..P3 and batch, each with its own DLQ after 3 receives', () => {
      expect(MAX_RECEIVE_COUNT).toBe(3);
      const queues = t.findResources('AWS::SQS::Queue');
      const withRedrive = Object.values(queues).filter(
        (q) => (q.Properties as { RedrivePolicy?: unknown }).RedrivePolicy,
      );
      expect(withRedrive).toHaveLength(QUEUE_NAMES.length);
      expect(Object.keys(queues)).toHaveLength(QUEUE_NAMES.length * 2);
      const targets = new Set<string>();
      for (const q of withRedrive) {
        const redrive = (
          q.Properties as { RedrivePolicy: { maxReceiveCount: number; deadLetterTargetArn: unknown } }
        ).RedrivePolicy;
        expect(redrive.maxReceiveCount).toBe(3);
        targets.add(JSON.stringify(redrive.deadLetterTargetArn));
      }
      // Five distinct DLQs: no priority shares another's.
      expect(targets.size).toBe(QUEUE_NAMES.length);
      for (const name of QUEUE_NAMES) {
        expect(Object.keys(queues).some((id) => id.startsWith(`Queues${name}dlq`))).toBe(true);
      }
    });

    it('encrypts every queue with the messaging CMK and keeps DLQ messages 14 days', () => {
      assertAllResources(t, 'AWS::SQS::Queue', {
        KmsMasterKeyId: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('KeysMessaging') }),
      });
      assertHasResource(t, 'AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600 });
      assertHasResource(t, 'AWS::SQS::Queue', { VisibilityTimeout: 360 });
    });

    it('denies non-TLS access to every queue', () => {
      const policies = Object.values(t.findResources('AWS::SQS::QueuePolicy'));
      expect(policies).toHaveLength(QUEUE_NAMES.length * 2);
      for (const p of policies) {
        const [statement] = (p.Properties as { PolicyDocument: { Statement: unknown[] } }).PolicyDocument
          .Statement;
        expect(statement).toMatchObject({
          Effect: 'Deny',
          Action: 'sqs:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        });
      }
    });

    it('alarms on any DLQ message and on the oldest message age', () => {
      const dlq = t.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0 },
      });
      expect(Object.keys(dlq)).toHaveLength(QUEUE_NAMES.length);
      assertHasResource(t, 'AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
      const age = t.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 300 },
      });
      expect(Object.keys(age)).toHaveLength(QUEUE_NAMES.length);
    });
  });

  describe('EventBridge', () => {
    it('has an encrypted bus with an archive', () => {
      assertHasResource(t, 'AWS::Events::EventBus', {
        Name: busName('staging'),
        KmsKeyIdentifier: Match.anyValue(),
      });
      assertHasResource(t, 'AWS::Events::Archive', { RetentionDays: 30 });
    });

    it('has a global endpoint failing over to the secondary on the API health check', () => {
      const check = new Capture();
      assertHasResource(t, 'AWS::Route53::HealthCheck', {
        HealthCheckConfig: Match.objectLike({
          Type: 'HTTPS',
          FullyQualifiedDomainName: 'api.eu-west-1.staging.agent-factory.example.com',
          ResourcePath: '/health',
        }),
      });
      assertHasResource(t, 'AWS::Events::Endpoint', {
        RoutingConfig: {
          FailoverConfig: { Primary: { HealthCheck: check }, Secondary: { Route: 'eu-central-1' } },
        },
        ReplicationConfig: { State: 'ENABLED' },
        EventBuses: [Match.anyValue(), { EventBusArn: Match.anyValue() }],
      });
      expect(JSON.stringify(check.asObject())).toMatch(/healthcheck\/.*EventsHealthCheck/);
      // The secondary bus carries the same name (a global endpoint requirement).
      assertHasResource(template(staging.secondary.events), 'AWS::Events::EventBus', {
        Name: busName('staging'),
      });
      assertResourceCount(template(staging.secondary.events), 'AWS::Events::Endpoint', 0);
    });

    it('has no global endpoint where configuration turns it off (dev)', () => {
      assertResourceCount(template(buildEnvironment('dev').primary.events), 'AWS::Events::Endpoint', 0);
    });
  });

  describe('MSK Serverless', () => {
    it('authenticates clients with IAM only', () => {
      assertHasResource(t, 'AWS::MSK::ServerlessCluster', {
        ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
      });
    });

    it('creates the topics with the design partition counts, audit_log compacted', () => {
      const topics = new Capture();
      assertHasResource(t, MSK_TOPICS_RESOURCE_TYPE, {
        Topics: topics,
        BootstrapBrokers: Match.anyValue(),
      });
      const byName = Object.fromEntries(
        (topics.asArray() as { name: string; partitions: number; configs: Record<string, string> }[]).map(
          (x) => [x.name, x],
        ),
      );
      expect(byName.agent_lifecycle?.partitions).toBe(32);
      expect(byName.agent_execution?.partitions).toBe(100);
      expect(byName.agent_metrics?.partitions).toBe(50);
      expect(byName.audit_log?.configs).toEqual({ 'cleanup.policy': 'compact' });
    });

    it('covers every topic the event publisher routes to', () => {
      const declared = new Set(MSK_TOPIC_SPECS.map((s) => s.name));
      for (const topic of Object.values(MSK_TOPICS)) expect(declared.has(topic)).toBe(true);
    });
  });

  describe('silo tenants', () => {
    const prod = buildEnvironment('prod', withSilos('prod'));

    it('lets each silo account put events on the control-plane bus', () => {
      const policies = template(prod.primary.events).findResources('AWS::Events::EventBusPolicy');
      const text = JSON.stringify(policies);
      for (const account of ['555555555555', '666666666666', '777777777777']) expect(text).toContain(account);
    });

    it("forwards the tenant's events from its account to the control-plane bus", () => {
      expect(EVENT_SOURCE).toBe('glaf');
      const silo = prod.silos[1]!;
      expect(silo.events.account).toBe('666666666666');
      assertHasResource(template(silo.events), 'AWS::Events::Rule', {
        // The source every publisher writes (EventBridgeBus sends Source: EVENT_SOURCE, 'glaf');
        // a `glaf.` prefix matched nothing, so no silo event ever reached the control plane.
        EventPattern: { source: [EVENT_SOURCE] },
        Targets: [
          Match.objectLike({
            Arn: Match.objectLike({
              'Fn::Join': ['', Match.arrayWith([':events:eu-west-1:333333333333:event-bus/glaf-prod'])],
            }),
          }),
        ],
      });
    });
  });
});
