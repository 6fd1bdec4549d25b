/**
 * EventBridge publisher. PutEvents takes at most 10 entries and 256 KiB, so events go in
 * chunks within both limits (eventbridge-entries.ts), in order. PutEvents is not all-or-nothing: each entry may fail on its own (throttling,
 * internal errors), so failed entries are retried with exponential backoff and jitter up
 * to `maxAttempts`, then handed to the dead-letter queue. `Detail` is the whole envelope,
 * `DetailType` the event type and `Source` 'glaf', so rules can match on either.
 */
import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from '../../domain/events/catalogue.js';
import type { DomainEvent } from '../../domain/events/envelope.js';
import { validateEvents } from '../../domain/events/validate.js';
import type { EventBus, EventDeadLetterQueue, PublishFailure, PublishResult } from '../../ports/event-bus.js';
import { chunkEntries, entrySize, PUT_EVENTS_MAX_BYTES } from './eventbridge-entries.js';

export interface EventBridgeBusOptions {
  readonly client: EventBridgeClient;
  /** Name or ARN of the bus. */
  readonly eventBusName: string;
  /** Tries per entry, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt. @default 100 */
  readonly baseDelayMs?: number;
  /** @default 5000 */
  readonly maxDelayMs?: number;
  /** Without one, entries that exhaust their retries come back as `failed`. */
  readonly deadLetter?: EventDeadLetterQueue;
  /** Injectable for tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class EventBridgeBus implements EventBus {
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: EventBridgeBusOptions) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.sleep = options.sleep ?? defaultSleep;
  }

  async publish(events: readonly DomainEvent[]): Promise<PublishResult> {
    const valid = validateEvents(events);
    const entries = valid.map((e) => this.entryOf(e));
    const { chunks, oversized } = chunkEntries(entries);
    const published: string[] = [];
    const exhausted: PublishFailure[] = oversized.map((i) => ({
      event: valid[i]!,
      code: 'EntryTooLarge',
      reason: `the entry is ${entrySize(entries[i]!)} bytes; PutEvents accepts at most ${PUT_EVENTS_MAX_BYTES}`,
    }));
    for (const chunk of chunks) {
      const outcome = await this.putChunk(chunk.map((i) => valid[i]!));
      published.push(...outcome.published);
      exhausted.push(...outcome.failed);
    }
    if (exhausted.length === 0) return { published, deadLettered: [], failed: [] };
    if (!this.options.deadLetter) return { published, deadLettered: [], failed: exhausted };
    try {
      await this.options.deadLetter.send(exhausted);
      return { published, deadLettered: exhausted, failed: [] };
    } catch (error) {
      const reason = `dead-letter queue refused them too: ${error instanceof Error ? error.message : String(error)}`;
      return {
        published,
        deadLettered: [],
        failed: exhausted.map((f) => ({ ...f, reason: `${f.reason}; ${reason}` })),
      };
    }
  }

  /** One chunk of at most 10 through all its attempts. */
  private async putChunk(
    chunk: readonly DomainEvent[],
  ): Promise<{ published: string[]; failed: PublishFailure[] }> {
    const accepted = new Set<string>();
    let pending = [...chunk];
    let failures: PublishFailure[] = [];
    for (let attempt = 1; pending.length > 0 && attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(this.delay(attempt - 1));
      failures = await this.put(pending);
      for (const e of pending) if (!failures.some((f) => f.event.id === e.id)) accepted.add(e.id);
      pending = failures.map((f) => f.event);
    }
    return { published: chunk.filter((e) => accepted.has(e.id)).map((e) => e.id), failed: failures };
  }

  /** One PutEvents call; returns the entries that failed (all of them when the call throws). */
  private async put(events: readonly DomainEvent[]): Promise<PublishFailure[]> {
    try {
      const entries = events.map((e) => this.entryOf(e));
      const out = await this.options.client.send(new PutEventsCommand({ Entries: entries }));
      const results = out.Entries ?? [];
      return events.flatMap((event, i) => {
        const r = results[i];
        // A missing result entry means the service did not confirm it: treat as failed.
        if (r?.EventId && !r.ErrorCode) return [];
        return [
          { event, code: r?.ErrorCode ?? 'MissingResult', reason: r?.ErrorMessage ?? 'no result entry' },
        ];
      });
    } catch (error) {
      const code = (error as { name?: string }).name ?? 'Error';
      const reason = error instanceof Error ? error.message : String(error);
      return events.map((event) => ({ event, code, reason }));
    }
  }

  private entryOf(e: DomainEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.options.eventBusName,
      Source: EVENT_SOURCE,
      DetailType: e.type,
      Detail: JSON.stringify(e),
      Time: new Date(e.time),
    };
  }

  /** Exponential backoff with "equal jitter": half fixed, half random, capped. */
  private delay(retry: number): number {
    const base = this.options.baseDelayMs ?? 100;
    const cap = Math.min(this.options.maxDelayMs ?? 5000, base * 2 ** (retry - 1));
    return cap / 2 + (this.options.random ?? Math.random)() * (cap / 2);
  }
}
