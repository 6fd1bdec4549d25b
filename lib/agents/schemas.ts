/** zod building blocks shared by the built-in agents' input schemas. */
import * as z from 'zod';
import { NON_NEGATIVE_HINT } from './numbers.js';

/** zod 4 numbers already refuse NaN and +-Infinity; the message says so. */
export const nonNegative = z
  .number({ error: `expected a number; ${NON_NEGATIVE_HINT}` })
  .nonnegative({ error: `value ${NON_NEGATIVE_HINT}` });

export const positive = z
  .number({ error: 'expected a finite number > 0' })
  .positive({ error: 'must be greater than 0' });

export const isoDate = z.iso.date({ error: 'expected a date as YYYY-MM-DD' });

export const period = z
  .strictObject({ start: isoDate, end: isoDate })
  .refine((p) => p.start <= p.end, { error: 'period.start must not be after period.end', path: ['end'] });

export const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, { error: 'expected an ISO 3166-1 alpha-2 country code in upper case, e.g. GB or US' });
