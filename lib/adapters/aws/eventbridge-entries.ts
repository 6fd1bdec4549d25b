/**
 * PutEvents limits: at most 10 entries and 256 KiB per request, where an entry's size is
 * counted as the EventBridge docs ("Calculating PutEvents event entry size") say: 14 bytes
 * for Time plus the UTF-8 bytes of Source, DetailType, Detail and each Resource. A request
 * over the size limit is refused whole, so chunks respect both limits; an event too large
 * on its own can never be accepted and is failed at once instead of retried.
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined): number => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((n, r) => n + bytes(r), 0)
  );
}

/** Splits in order into chunks within both limits; `oversized` holds the indexes too big alone. */
export function chunkEntries(entries: readonly PutEventsRequestEntry[]): {
  chunks: number[][];
  oversized: number[];
} {
  const chunks: number[][] = [];
  const oversized: number[] = [];
  let current: number[] = [];
  let size = 0;
  entries.forEach((entry, i) => {
    const n = entrySize(entry);
    if (n > PUT_EVENTS_MAX_BYTES) {
      oversized.push(i);
      return;
    }
    if (current.length === PUT_EVENTS_MAX_ENTRIES || size + n > PUT_EVENTS_MAX_BYTES) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(i);
    size += n;
  });
  if (current.length > 0) chunks.push(current);
  return { chunks, oversized };
}
