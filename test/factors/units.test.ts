/**
 * Every unit conversion checked against a constant written here from its definition,
 * independent of js-quantities and of the registry's own derivation.
 */
import { describe, expect, it } from 'vitest';
import { UnitConversionError, UnknownUnitError } from '../../lib/domain/errors.js';
import {
  UNIT_CODES,
  conversionFactor,
  convert,
  dimensionOf,
  normalizeUnit,
} from '../../lib/factors/units.js';

// Definitions (exact): international foot 0.3048 m, inch 0.0254 m, mile 1609.344 m,
// avoirdupois pound 0.45359237 kg, US gallon 231 in^3 = 3.785411784 L,
// International Table Btu 1055.05585262 J, kWh 3.6 MJ; therm = 100,000 Btu (EPA).
const BTU_J = 1055.05585262;
const KWH_J = 3.6e6;

/** Relative closeness to 1e-12: tight enough that a rounded constant fails. */
function expectClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(1e-12);
}

describe('units', () => {
  describe('convert: energy', () => {
    it.each([
      ['MWh', 'kWh', 1000],
      ['GJ', 'kWh', 1e9 / KWH_J], // 277.777...
      ['kBtu', 'kWh', (1e3 * BTU_J) / KWH_J], // 0.293071070172222
      ['MMBtu', 'kWh', (1e6 * BTU_J) / KWH_J], // 293.071070172222
      ['therm', 'kWh', (1e5 * BTU_J) / KWH_J], // 29.3071070172222
      ['therm', 'MMBtu', 0.1], // EPA: 1 therm = 0.1 MMBtu
      ['therm', 'kBtu', 100],
      ['MMBtu', 'GJ', (1e6 * BTU_J) / 1e9], // 1.05505585262
    ])('1 %s = %d %s', (from, to, expected) => {
      expectClose(convert(1, from, to), expected);
    });

    it('does not use the US therm (105.4804 MJ)', () => {
      expect(convert(1, 'therm', 'GJ')).not.toBeCloseTo(0.1054804, 6);
    });
  });

  describe('convert: volume, mass, area, distance', () => {
    it.each([
      ['gal', 'L', 3.785411784],
      ['m3', 'L', 1000],
      ['scf', 'm3', 0.3048 ** 3], // 0.028316846592
      ['scf', 'L', 28.316846592],
      ['lb', 'kg', 0.45359237],
      ['t', 'kg', 1000],
      ['short_ton', 'kg', 2000 * 0.45359237], // 907.18474
      ['short_ton', 't', 0.90718474],
      ['ft2', 'm2', 0.3048 ** 2], // 0.09290304
      ['mi', 'km', 1.609344],
      ['pmi', 'pkm', 1.609344],
      ['tkm', 'tkm', 1],
      ['tmi', 'tkm', 0.90718474 * 1.609344], // short ton-mile = 1.45997231821056 tonne-km
    ])('1 %s = %d %s', (from, to, expected) => {
      expectClose(convert(1, from, to), expected);
    });

    it('converts back and forth to the same quantity', () => {
      expectClose(convert(convert(123.45, 'gal', 'L'), 'L', 'gal'), 123.45);
      expectClose(convert(2.5, 'kg', 'lb'), 2.5 / 0.45359237);
    });

    it('scales linearly', () => {
      expectClose(convert(250, 'MMBtu', 'therm'), 2500);
    });
  });

  describe('errors', () => {
    it('refuses to convert across dimensions with a typed error', () => {
      expect(() => convert(1, 'kg', 'kWh')).toThrow(UnitConversionError);
      expect(() => convert(1, 'km', 'pkm')).toThrow(/distance but pkm is passenger_distance/);
      expect(() => conversionFactor('tkm', 't')).toThrow(UnitConversionError);
    });

    it('names the allowed codes for an unknown unit', () => {
      const err = (() => {
        try {
          convert(1, 'furlong', 'km');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(UnknownUnitError);
      expect((err as UnknownUnitError).allowed).toEqual(UNIT_CODES);
      expect((err as UnknownUnitError).message).toContain('kWh, MWh, GJ, therm, MMBtu, kBtu');
    });
  });

  describe('normalizeUnit', () => {
    it.each([
      ['litres', 'L'],
      ['Liter', 'L'],
      ['l', 'L'],
      ['tonnes', 't'],
      ['tonne', 't'],
      ['cubic metres', 'm3'],
      ['m³', 'm3'],
      ['kWh (Gross CV)', 'kWh'],
      ['kWh (Net CV)', 'kWh'],
      ['US gallon', 'gal'],
      ['gallon', 'gal'],
      ['MMBtu', 'MMBtu'],
      ['mmbtu', 'MMBtu'],
      ['mwh', 'MWh'],
      ['scf', 'scf'],
      ['short ton', 'short_ton'],
      ['  Square  Feet ', 'ft2'],
      ['passenger.km', 'pkm'],
      ['tonne.km', 'tkm'],
      ['ton-mile', 'tmi'],
    ])('%s -> %s', (alias, code) => {
      expect(normalizeUnit(alias)).toBe(code);
    });

    it('maps every code to itself', () => {
      for (const code of UNIT_CODES) expect(normalizeUnit(code)).toBe(code);
    });

    it('throws UnknownUnitError for unknown labels', () => {
      expect(() => normalizeUnit('barrels')).toThrow(UnknownUnitError);
    });
  });

  describe('dimensionOf', () => {
    it.each([
      ['therm', 'energy'],
      ['scf', 'volume'],
      ['short_ton', 'mass'],
      ['ft2', 'area'],
      ['mi', 'distance'],
      ['pmi', 'passenger_distance'],
      ['tmi', 'freight_distance'],
    ])('%s is %s', (unit, dim) => {
      expect(dimensionOf(unit)).toBe(dim);
    });
  });
});
