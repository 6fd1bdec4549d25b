/**
 * The environment of the event publishers in AWS, as zod schemas (the same contract as
 * runtime-env.ts: the runtimes parse with these, the stacks type what they set with
 * `EnvOf<schema>`):
 * - the DynamoDB stream processor (execution events),
 * - the outbox relay function (tenant.* and agent.* events from Aurora's outbox).
 * Both publish to the region's EventBridge bus and, when MSK_BOOTSTRAP_BROKERS is set, to MSK.
 */
import * as z from 'zod';
import { ApiEnvSchema, DatabaseEnvSchema } from './runtime-env.js';

/** `host:port` pairs, comma-separated, as MSK's GetBootstrapBrokers returns them. */
const brokers = z
  .string()
  .regex(/^[^\s,:]+:\d{2,5}(,[^\s,:]+:\d{2,5})*$/, 'host:port[,host:port...] of the MSK IAM listener');

export const EventPublishingEnvSchema = z.object({
  /** The region's EventBridge bus (name or ARN). */
  EVENT_BUS_NAME: ApiEnvSchema.shape.EVENT_BUS_NAME.unwrap(),
  /** SQS queue for events EventBridge still refuses after the retries; absent = the caller retries them. */
  EVENT_DLQ_URL: z.url().optional(),
  /** MSK Serverless IAM bootstrap brokers (port 9098); absent = EventBridge only. */
  MSK_BOOTSTRAP_BROKERS: brokers.optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
});
export type EventPublishingEnv = z.output<typeof EventPublishingEnvSchema>;

export const StreamProcessorEnvSchema = z.object({
  ...EventPublishingEnvSchema.shape,
  /** `<prefix><table>` Firehose streams of the lake; absent = no lake rows. */
  LAKE_STREAM_PREFIX: z.string().min(1).max(64).optional(),
});
export type StreamProcessorEnv = z.output<typeof StreamProcessorEnvSchema>;

export const OutboxRelayEnvSchema = z.object({
  ...DatabaseEnvSchema.shape,
  ...EventPublishingEnvSchema.shape,
  /**
   * How long one invocation keeps relaying. The schedule starts one a minute (EventBridge
   * Scheduler's finest rate), so ~50 s of a 60 s function timeout leaves a short gap only.
   */
  RELAY_DRAIN_SECONDS: z.coerce.number().int().min(1).max(840).default(50),
  /** Pause between rounds that found nothing: the idle latency of an outbox row. */
  RELAY_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
});
export type OutboxRelayEnv = z.output<typeof OutboxRelayEnvSchema>;
