/**
 * Creates the MSK topics the stack declares, leaving existing ones alone (partition counts
 * only ever grow, and topics hold data, so Update never deletes and Delete keeps them).
 */
import * as z from 'zod';

export const TopicSpecSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/),
  partitions: z.coerce.number().int().min(1).max(1000),
  configs: z.record(z.string(), z.string()).default({}),
});

export const TopicsEventSchema = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  PhysicalResourceId: z.string().optional(),
  ResourceProperties: z
    .object({ BootstrapBrokers: z.string().min(1), Topics: z.array(TopicSpecSchema) })
    .loose(),
});

/** The part of a Kafka admin client this needs (the @platformatic/kafka Admin has it). */
export interface TopicAdmin {
  listTopics(): Promise<string[]>;
  createTopics(options: {
    topics: { topic: string; partitions: number }[];
    configs: { name: string; value: string }[];
  }): Promise<unknown>;
}

export async function ensureTopics(
  admin: TopicAdmin,
  topics: readonly z.infer<typeof TopicSpecSchema>[],
): Promise<{ created: string[]; existing: string[] }> {
  const present = new Set(await admin.listTopics());
  const created: string[] = [];
  for (const t of topics) {
    if (present.has(t.name)) continue;
    // One call per topic: configs apply to every topic of a CreateTopics call.
    await admin.createTopics({
      topics: [{ topic: t.name, partitions: t.partitions }],
      configs: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
    });
    created.push(t.name);
  }
  return { created, existing: topics.filter((t) => present.has(t.name)).map((t) => t.name) };
}
