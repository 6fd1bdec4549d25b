import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import {
  chunkEntries,
  entrySize,
  PUT_EVENTS_MAX_BYTES,
  PUT_EVENTS_MAX_ENTRIES,
} from '../../lib/adapters/aws/eventbridge-entries.js';

const entry = (detailBytes: number): PutEventsRequestEntry => ({
  Source: 'glaf',
  DetailType: 'execution.completed',
  Detail: 'x'.repeat(detailBytes),
  Time: new Date(0),
});
const overhead = 14 + 'glaf'.length + 'execution.completed'.length;

describe('entrySize', () => {
  it('counts Time as 14 bytes plus the UTF-8 bytes of Source, DetailType, Detail and Resources', () => {
    expect(entrySize(entry(100))).toBe(overhead + 100);
    expect(entrySize({ ...entry(0), Detail: 'é€', Resources: ['arn:a'] })).toBe(overhead + 5 + 5);
  });
});

describe('chunkEntries', () => {
  it('splits by count: 25 small entries -> 10, 10, 5', () => {
    const { chunks, oversized } = chunkEntries(Array.from({ length: 25 }, () => entry(10)));
    expect(chunks.map((c) => c.length)).toEqual([10, 10, 5]);
    expect(chunks.flat()).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(oversized).toEqual([]);
    expect(PUT_EVENTS_MAX_ENTRIES).toBe(10);
  });

  it('splits by size so no request exceeds 256 KiB, keeping the order', () => {
    const big = 100 * 1024;
    const { chunks } = chunkEntries([entry(big), entry(big), entry(big), entry(10)]);
    expect(chunks).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('sets apart an entry too large on its own', () => {
    const { chunks, oversized } = chunkEntries([entry(10), entry(PUT_EVENTS_MAX_BYTES), entry(10)]);
    expect(oversized).toEqual([1]);
    expect(chunks).toEqual([[0, 2]]);
  });
});
