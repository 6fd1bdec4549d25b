/**
 * MSK topics by event family, as plain data (the stacks create the topics from this).
 * The first four are the streams ARCHITECTURE.md names; tenant and webhook events get
 * their own so a consumer of executions never reads control-plane traffic.
 */
import { familyOf, type EventType } from './catalogue.js';

export const MSK_TOPICS = {
  agent: 'agent_lifecycle',
  execution: 'agent_execution',
  quota: 'agent_metrics',
  slo: 'agent_metrics',
  tenant: 'tenant_lifecycle',
  webhook: 'webhook_events',
} as const satisfies Record<string, string>;

export type MskTopic = (typeof MSK_TOPICS)[keyof typeof MSK_TOPICS];

export class UnroutableEventError extends Error {
  constructor(readonly eventType: string) {
    super(
      `No MSK topic for event family of '${eventType}': add the family to MSK_TOPICS in lib/domain/events/topics.ts`,
    );
    this.name = 'UnroutableEventError';
  }
}

export function topicOf(type: EventType): MskTopic {
  const family = familyOf(type);
  if (!Object.hasOwn(MSK_TOPICS, family)) throw new UnroutableEventError(type);
  return MSK_TOPICS[family as keyof typeof MSK_TOPICS];
}
