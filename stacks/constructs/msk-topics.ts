/**
 * The MSK topics as plain data, passed to the topic custom resource as its properties.
 * Partition counts from the design; audit_log is compacted (one latest record per key).
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly configs: Readonly<Record<string, string>>;
}

export const MSK_TOPIC_SPECS: readonly TopicSpec[] = [
  { name: 'agent_lifecycle', partitions: 32, configs: {} },
  { name: 'agent_execution', partitions: 100, configs: {} },
  { name: 'agent_metrics', partitions: 50, configs: {} },
  { name: 'audit_log', partitions: 32, configs: { 'cleanup.policy': 'compact' } },
  // Control-plane and webhook families get their own topics (lib/domain/events/topics.ts).
  { name: 'tenant_lifecycle', partitions: 8, configs: {} },
  { name: 'webhook_events', partitions: 16, configs: {} },
];
