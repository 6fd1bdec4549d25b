/**
 * The time window a scheduled run covers, from the time it was scheduled for (not the time
 * it ran): the hour, day or month that closed before `scheduledTime`, in UTC. Pure.
 */
export interface JobWindow {
  /** Inclusive. */
  readonly start: Date;
  /** Exclusive. */
  readonly end: Date;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function previousHour(scheduledTime: Date): JobWindow {
  const end = new Date(Math.floor(scheduledTime.getTime() / HOUR) * HOUR);
  return { start: new Date(end.getTime() - HOUR), end };
}

export function previousDay(scheduledTime: Date): JobWindow {
  const end = new Date(Math.floor(scheduledTime.getTime() / DAY) * DAY);
  return { start: new Date(end.getTime() - DAY), end };
}

export function previousMonth(scheduledTime: Date): JobWindow {
  const y = scheduledTime.getUTCFullYear();
  const m = scheduledTime.getUTCMonth();
  return { start: new Date(Date.UTC(y, m - 1, 1)), end: new Date(Date.UTC(y, m, 1)) };
}

/** `2026-11-26` */
export function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}
/** `2026-11` (the usage-counter month key). */
export { monthOf } from '../../domain/execution-ids.js';
/** `09` */
export function hourOf(d: Date): string {
  return d.toISOString().slice(11, 13);
}

export function inWindow(iso: string, w: JobWindow): boolean {
  const t = Date.parse(iso);
  return t >= w.start.getTime() && t < w.end.getTime();
}
