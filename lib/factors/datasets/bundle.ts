/** What every dataset module exports: its dataset descriptions and their factors. */
import type { DatasetInfo, EmissionFactor } from '../types.js';

export interface DatasetBundle {
  readonly datasets: DatasetInfo[];
  readonly factors: EmissionFactor[];
}

/** Lower-case slug for activity keys: `Diesel (average biofuel blend)` -> `diesel-average-biofuel-blend`. */
export function slugify(label: string): string {
  return label
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/%/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Stable factor id: `<source>/<version>/<activity>/<region>/<unit>[-<basis>]`, lower case.
 * The basis suffix keeps gross- and net-CV factors per kWh apart.
 */
export function factorId(
  source: string,
  version: string,
  activity: string,
  region: string,
  unit: string,
  basis?: 'gross' | 'net',
): string {
  return [source, version, activity, region, basis ? `${unit}-${basis}` : unit].join('/').toLowerCase();
}

/**
 * Drops binary floating-point noise from a derived value (e.g. 10.242680000000002 -> 10.24268)
 * so ids, diffs and provenance show the number a person would compute by hand.
 */
export function clean(x: number): number {
  return Number(x.toPrecision(12));
}
