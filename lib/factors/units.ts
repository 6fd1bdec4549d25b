/**
 * Unit registry for factor denominators and activity quantities.
 *
 * Conversion factors are derived from js-quantities (a maintained unit library) and cached,
 * never typed in by hand, with three documented exceptions where its definitions do not fit:
 * - Btu: js-quantities rounds the BTU to 1055.056 J. We use the International Table Btu,
 *   which is *defined* from the IT calorie (4.1868 J/(g·K)) over one pound (js-quantities' exact
 *   0.45359237 kg) and one degree Fahrenheit (5/9 K): 1055.05585262 J exactly.
 * - therm / MMBtu / kBtu: EPA uses therm = 100,000 Btu (1 therm = 0.1 MMBtu); js-quantities'
 *   "therm" is the US therm (105.4804 MJ), so these are built from the Btu above.
 * - US gallon: js-quantities truncates it to 3.7854118 L; the statutory definition is 231 in^3,
 *   which js-quantities computes exactly from its inch (0.0254 m).
 * Everything else (kWh, MWh, GJ, L, m3, ft3, kg, t, short ton, lb, m2, ft2, km, mi) is the
 * library's own definition.
 */
import Qty from 'js-quantities';
import { UnitConversionError, UnknownUnitError } from '../domain/errors.js';

export type Dimension =
  'energy' | 'volume' | 'mass' | 'area' | 'distance' | 'passenger_distance' | 'freight_distance';

interface UnitDef {
  readonly dimension: Dimension;
  /** Size of one unit in the dimension's base (J, m3, kg, m2, m, passenger·m, kg·m). */
  readonly toBase: () => number;
}

/** Size of `n` js-quantities units `unit`, expressed in `base`. */
const qty = (n: number, unit: string, base: string): number => Qty(n, unit).to(base).scalar;

/** International Table Btu in joules (see module comment). */
const btuJoules = (): number => 4.1868 * qty(1, 'lb', 'g') * (5 / 9);

const DEFS: Readonly<Record<string, UnitDef>> = {
  kWh: { dimension: 'energy', toBase: () => qty(1, 'kWh', 'J') },
  MWh: { dimension: 'energy', toBase: () => qty(1, 'MWh', 'J') },
  GJ: { dimension: 'energy', toBase: () => qty(1, 'GJ', 'J') },
  therm: { dimension: 'energy', toBase: () => 1e5 * btuJoules() },
  MMBtu: { dimension: 'energy', toBase: () => 1e6 * btuJoules() },
  kBtu: { dimension: 'energy', toBase: () => 1e3 * btuJoules() },
  L: { dimension: 'volume', toBase: () => qty(1, 'L', 'm^3') },
  m3: { dimension: 'volume', toBase: () => qty(1, 'm^3', 'm^3') },
  gal: { dimension: 'volume', toBase: () => qty(231, 'in^3', 'm^3') },
  // Standard cubic foot: a cubic foot of gas at the publisher's reference conditions.
  scf: { dimension: 'volume', toBase: () => qty(1, 'ft^3', 'm^3') },
  kg: { dimension: 'mass', toBase: () => qty(1, 'kg', 'kg') },
  t: { dimension: 'mass', toBase: () => qty(1, 'tonne', 'kg') },
  short_ton: { dimension: 'mass', toBase: () => qty(1, 'short-ton', 'kg') },
  lb: { dimension: 'mass', toBase: () => qty(1, 'lb', 'kg') },
  m2: { dimension: 'area', toBase: () => qty(1, 'm^2', 'm^2') },
  ft2: { dimension: 'area', toBase: () => qty(1, 'ft^2', 'm^2') },
  km: { dimension: 'distance', toBase: () => qty(1, 'km', 'm') },
  mi: { dimension: 'distance', toBase: () => qty(1, 'mi', 'm') },
  pkm: { dimension: 'passenger_distance', toBase: () => qty(1, 'km', 'm') },
  pmi: { dimension: 'passenger_distance', toBase: () => qty(1, 'mi', 'm') },
  tkm: { dimension: 'freight_distance', toBase: () => qty(1, 'tonne*km', 'kg*m') },
  // Ton-mile as EPA uses it: one short ton carried one mile.
  tmi: { dimension: 'freight_distance', toBase: () => qty(1, 'short-ton*mi', 'kg*m') },
};

export const UNIT_CODES: readonly string[] = Object.freeze(Object.keys(DEFS));

/** Publisher labels and common aliases, matched case-insensitively (keys lower case). */
const ALIASES: Readonly<Record<string, string>> = {
  kwh: 'kWh',
  'kwh (gross cv)': 'kWh',
  'kwh (net cv)': 'kWh',
  'kilowatt hour': 'kWh',
  'kilowatt hours': 'kWh',
  'kilowatt-hour': 'kWh',
  mwh: 'MWh',
  'megawatt hour': 'MWh',
  'megawatt hours': 'MWh',
  gj: 'GJ',
  gigajoule: 'GJ',
  gigajoules: 'GJ',
  therm: 'therm',
  therms: 'therm',
  mmbtu: 'MMBtu',
  'million btu': 'MMBtu',
  kbtu: 'kBtu',
  l: 'L',
  litre: 'L',
  litres: 'L',
  liter: 'L',
  liters: 'L',
  m3: 'm3',
  'm^3': 'm3',
  'm³': 'm3',
  'cubic metre': 'm3',
  'cubic metres': 'm3',
  'cubic meter': 'm3',
  'cubic meters': 'm3',
  gal: 'gal',
  gallon: 'gal',
  gallons: 'gal',
  'us gallon': 'gal',
  'us gallons': 'gal',
  'us gal': 'gal',
  scf: 'scf',
  'standard cubic foot': 'scf',
  'standard cubic feet': 'scf',
  ft3: 'scf',
  'cubic feet': 'scf',
  kg: 'kg',
  kilogram: 'kg',
  kilograms: 'kg',
  kgs: 'kg',
  t: 't',
  tonne: 't',
  tonnes: 't',
  'metric ton': 't',
  'metric tons': 't',
  'metric tonne': 't',
  short_ton: 'short_ton',
  'short ton': 'short_ton',
  'short tons': 'short_ton',
  lb: 'lb',
  lbs: 'lb',
  pound: 'lb',
  pounds: 'lb',
  m2: 'm2',
  'm^2': 'm2',
  'm²': 'm2',
  'square metre': 'm2',
  'square metres': 'm2',
  'square meter': 'm2',
  'square meters': 'm2',
  'sq m': 'm2',
  ft2: 'ft2',
  'ft^2': 'ft2',
  'ft²': 'ft2',
  'sq ft': 'ft2',
  'square foot': 'ft2',
  'square feet': 'ft2',
  km: 'km',
  kilometre: 'km',
  kilometres: 'km',
  kilometer: 'km',
  kilometers: 'km',
  mi: 'mi',
  mile: 'mi',
  miles: 'mi',
  pkm: 'pkm',
  'passenger.km': 'pkm',
  'passenger km': 'pkm',
  'passenger-km': 'pkm',
  pmi: 'pmi',
  'passenger mile': 'pmi',
  'passenger miles': 'pmi',
  'passenger-mile': 'pmi',
  tkm: 'tkm',
  'tonne.km': 'tkm',
  'tonne km': 'tkm',
  'tonne-km': 'tkm',
  tmi: 'tmi',
  'ton-mile': 'tmi',
  'ton mile': 'tmi',
  'ton-miles': 'tmi',
  'short ton-mile': 'tmi',
};

const normalized = new Map<string, string>(UNIT_CODES.map((c) => [c, c]));

/** Maps a unit code, publisher label or alias to its unit code; throws UnknownUnitError. */
export function normalizeUnit(alias: string): string {
  const hit = normalized.get(alias);
  if (hit !== undefined) return hit;
  const code = ALIASES[alias.trim().toLowerCase().replace(/\s+/g, ' ')];
  if (code === undefined) throw new UnknownUnitError(alias, UNIT_CODES);
  normalized.set(alias, code); // hot-path cache: later calls skip the string work
  return code;
}

function defOf(unit: string): UnitDef {
  const def = DEFS[normalizeUnit(unit)];
  /* c8 ignore next */
  if (def === undefined) throw new UnknownUnitError(unit, UNIT_CODES);
  return def;
}

export function dimensionOf(unit: string): Dimension {
  return defOf(unit).dimension;
}

/** Whether `unit` is a known code or alias (no throw). */
export function isKnownUnit(unit: string): boolean {
  try {
    normalizeUnit(unit);
    return true;
  } catch {
    return false;
  }
}

const baseCache = new Map<string, number>();
const factorCache = new Map<string, Map<string, number>>();

function baseOf(code: string, def: UnitDef): number {
  let v = baseCache.get(code);
  if (v === undefined) {
    v = def.toBase();
    baseCache.set(code, v);
  }
  return v;
}

/** Multiplier taking a quantity in `from` to `to` (cached). */
export function conversionFactor(from: string, to: string): number {
  const byTo = factorCache.get(from);
  const cached = byTo?.get(to);
  if (cached !== undefined) return cached;
  const f = normalizeUnit(from);
  const t = normalizeUnit(to);
  const fd = defOf(f);
  const td = defOf(t);
  if (fd.dimension !== td.dimension) {
    throw new UnitConversionError(from, to, `${f} is ${fd.dimension} but ${t} is ${td.dimension}`);
  }
  const factor = f === t ? 1 : baseOf(f, fd) / baseOf(t, td);
  if (byTo === undefined) factorCache.set(from, new Map([[to, factor]]));
  else byTo.set(to, factor);
  return factor;
}

/** Converts `value` from one unit to another of the same dimension. */
export function convert(value: number, from: string, to: string): number {
  return value * conversionFactor(from, to);
}
