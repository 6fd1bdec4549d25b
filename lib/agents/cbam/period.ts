/** Quarterly CBAM report periods (`2026-Q1`): dates and regulatory phase. */
import { DEFINITIVE_START_YEAR } from './regulation.js';

export const QUARTER_PATTERN = /^(\d{4})-Q([1-4])$/;

export interface ReportPeriod {
  readonly quarter: string;
  readonly year: number;
  /** First and last day of the quarter (ISO dates, inclusive). */
  readonly start: string;
  readonly end: string;
  readonly phase: 'transitional' | 'definitive';
}

const QUARTER_DATES = [
  ['01-01', '03-31'],
  ['04-01', '06-30'],
  ['07-01', '09-30'],
  ['10-01', '12-31'],
] as const;

/** First reportable quarter: the transitional period began on 1 October 2023. */
export const FIRST_QUARTER = '2023-Q4';
export const LAST_YEAR = 2099;

/** Parses a quarter; returns a message instead when it is malformed or outside CBAM. */
export function parseQuarter(text: string): ReportPeriod | string {
  const m = QUARTER_PATTERN.exec(text);
  if (!m) return `Expected a quarter like "2026-Q1", got "${text}"`;
  const year = Number(m[1]);
  const q = Number(m[2]);
  if (year < 2023 || (year === 2023 && q < 4) || year > LAST_YEAR) {
    return `CBAM report periods run from ${FIRST_QUARTER} (start of the transitional period) to ${LAST_YEAR}-Q4; got "${text}"`;
  }
  const [from, to] = QUARTER_DATES[q - 1]!;
  return {
    quarter: text,
    year,
    start: `${year}-${from}`,
    end: `${year}-${to}`,
    phase: year >= DEFINITIVE_START_YEAR ? 'definitive' : 'transitional',
  };
}
