import { describe, expect, it } from 'vitest';
import {
  dayOf,
  hourOf,
  monthOf,
  previousDay,
  previousHour,
  previousMonth,
} from '../../../lib/services/jobs/windows.js';

const iso = (w: { start: Date; end: Date }) => [w.start.toISOString(), w.end.toISOString()];

describe('job windows', () => {
  it('covers the hour that closed before the scheduled time', () => {
    expect(iso(previousHour(new Date('2026-02-27T10:05:00Z')))).toEqual([
      '2026-02-27T09:00:00.000Z',
      '2026-02-27T10:00:00.000Z',
    ]);
    // Exactly on the hour: the hour just closed, not the one starting.
    expect(iso(previousHour(new Date('2026-02-27T10:00:00Z')))[0]).toBe('2026-02-27T09:00:00.000Z');
    expect(iso(previousHour(new Date('2026-01-01T00:05:00Z')))[0]).toBe('2025-12-31T23:00:00.000Z');
  });

  it('covers the UTC day before, across a month end', () => {
    expect(iso(previousDay(new Date('2026-03-01T01:30:00Z')))).toEqual([
      '2026-02-28T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ]);
  });

  it('covers the calendar month before, across a year end and a leap February', () => {
    expect(iso(previousMonth(new Date('2026-01-01T04:00:00Z')))).toEqual([
      '2025-12-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
    ]);
    const feb = previousMonth(new Date('2028-03-01T04:00:00Z'));
    expect(feb.end.getTime() - feb.start.getTime()).toBe(29 * 24 * 3_600_000);
  });

  it('names partitions the way the keys use them', () => {
    const d = new Date('2026-02-07T09:59:59.999Z');
    expect([dayOf(d), hourOf(d), monthOf(d)]).toEqual(['2026-02-07', '09', '2026-02']);
  });
});
