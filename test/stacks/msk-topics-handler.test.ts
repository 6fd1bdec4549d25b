/**
 * ensureTopics over a recording admin (no Kafka broker runs on this machine): creates only the
 * missing topics, one CreateTopics call per topic so a topic's configs stay its own.
 */
import { describe, expect, it } from 'vitest';
import { ensureTopics, TopicsEventSchema } from '../../lambdas/msk-topics/ensure-topics.js';
import type { TopicAdmin } from '../../lambdas/msk-topics/ensure-topics.js';
import { handler } from '../../lambdas/msk-topics/handler.js';
import { MSK_TOPIC_SPECS } from '../../stacks/constructs/msk-topics.js';

class RecordingAdmin implements TopicAdmin {
  readonly calls: Parameters<TopicAdmin['createTopics']>[0][] = [];
  constructor(private readonly existing: string[]) {}
  listTopics(): Promise<string[]> {
    return Promise.resolve([...this.existing]);
  }
  createTopics(options: Parameters<TopicAdmin['createTopics']>[0]): Promise<unknown> {
    this.calls.push(options);
    this.existing.push(...options.topics.map((t) => t.topic));
    return Promise.resolve([]);
  }
}

describe('ensureTopics', () => {
  // The custom resource sends the specs through CloudFormation: numbers arrive as strings.
  const props = TopicsEventSchema.parse({
    RequestType: 'Create',
    ResourceProperties: {
      BootstrapBrokers: 'b-1:9098,b-2:9098',
      Topics: JSON.parse(
        JSON.stringify(MSK_TOPIC_SPECS, (_k, v: unknown) => (typeof v === 'number' ? String(v) : v)),
      ) as unknown,
    },
  }).ResourceProperties;

  it('creates every missing topic with its partitions, compaction only on audit_log', async () => {
    const admin = new RecordingAdmin(['agent_metrics']);
    const res = await ensureTopics(admin, props.Topics);
    expect(res.existing).toEqual(['agent_metrics']);
    expect(res.created).not.toContain('agent_metrics');
    const byTopic = Object.fromEntries(admin.calls.map((c) => [c.topics[0]!.topic, c]));
    expect(admin.calls.every((c) => c.topics.length === 1)).toBe(true);
    expect(byTopic.agent_execution?.topics[0]?.partitions).toBe(100);
    expect(byTopic.agent_lifecycle?.topics[0]?.partitions).toBe(32);
    expect(byTopic.audit_log?.configs).toEqual([{ name: 'cleanup.policy', value: 'compact' }]);
    expect(byTopic.agent_execution?.configs).toEqual([]);
  });

  it('is idempotent: a second run creates nothing', async () => {
    const admin = new RecordingAdmin([]);
    await ensureTopics(admin, props.Topics);
    const n = admin.calls.length;
    const second = await ensureTopics(admin, props.Topics);
    expect(second.created).toEqual([]);
    expect(admin.calls).toHaveLength(n);
  });
});

describe('the msk-topics handler', () => {
  it('answers Delete without reaching a broker (topics hold data and stay)', async () => {
    // An unroutable broker (TEST-NET-1): a connection attempt would hang past the test's limit.
    const res = await handler({
      RequestType: 'Delete',
      PhysicalResourceId: 'msk-topics',
      ResourceProperties: { BootstrapBrokers: '192.0.2.1:9098', Topics: [] },
    });
    expect(res).toEqual({ PhysicalResourceId: 'msk-topics', Data: { Created: '' } });
  }, 10_000);
});
