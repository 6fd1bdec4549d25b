/** Annex I parsing from the reference data and exact-prefix matching. */
import { describe, expect, it } from 'vitest';
import { ANNEX_I, annexLabels, expandAnnexCode, matchHsCode } from '../../../lib/agents/eudr/annex-i.js';

describe('expandAnnexCode', () => {
  it.each([
    ['0102 21', ['010221'], false],
    ['ex 0201', ['0201'], true],
    ['1801', ['1801'], false],
    ['ex 2905 45', ['290545'], true],
    ['Ch. 47', ['47'], true],
    ['9403 30/40/50/60/91', ['940330', '940340', '940350', '940360', '940391'], false],
  ])('%s -> %j (partial %s)', (cell, prefixes, partial) => {
    expect(expandAnnexCode(cell)).toEqual({ prefixes, partial });
  });

  it('expands the wood heading range 4401-4421 into 21 headings', () => {
    const { prefixes } = expandAnnexCode('4401-4421');
    expect(prefixes).toHaveLength(21);
    expect(prefixes[0]).toBe('4401');
    expect(prefixes[20]).toBe('4421');
  });

  it('throws on a form it does not know, naming it', () => {
    expect(() => expandAnnexCode('ex Chapter 99 (part)')).toThrow(
      "Unrecognised Annex I code form 'ex Chapter 99 (part)'",
    );
  });
});

describe('ANNEX_I', () => {
  it('has every commodity of the reference data with its row count', () => {
    // rows in eudr_regulation_reference.json: cattle 11, cocoa 6, coffee 1, oil_palm 12, rubber 12, soya 4;
    // wood 6 rows expand to 21 + 1 + 1 + 1 + 5 + 1 = 30 prefixes
    const count = (c: string) => ANNEX_I.filter((e) => e.commodity === c).length;
    expect([
      count('cattle'),
      count('cocoa'),
      count('coffee'),
      count('oil_palm'),
      count('rubber'),
      count('soya'),
      count('wood'),
    ]).toEqual([11, 6, 1, 12, 12, 4, 30]);
  });

  it('never holds a 2-digit prefix except the two whole wood chapters of the Annex', () => {
    expect(ANNEX_I.filter((e) => e.prefix.length === 2).map((e) => e.prefix)).toEqual(['47', '48']);
  });

  it('lists labels for hints', () => {
    expect(annexLabels('soya')).toEqual(['1201', '1208 10', '1507', '2304']);
  });
});

describe('matchHsCode', () => {
  it.each([
    ['cocoa', '18063210', '1806'],
    ['coffee', '090121', '0901'],
    ['oil_palm', '38231100', '3823 11'],
    ['wood', '4703', 'Ch. 47'],
    ['wood', '940360', '9403 30/40/50/60/91'],
    ['cattle', '41071100', 'ex 4107'],
  ])('%s %s matches %s', (commodity, code, label) => {
    expect(matchHsCode(commodity as never, code)).toMatchObject({ kind: 'match', entry: { label } });
  });

  it('does not match wooden furniture outside the listed subheadings (9403 20 is metal furniture)', () => {
    expect(matchHsCode('wood', '940320').kind).toBe('invalid');
  });

  it('reports an Annex I code of another commodity as such', () => {
    expect(matchHsCode('soya', '1511')).toMatchObject({
      kind: 'other_commodity',
      entry: { commodity: 'oil_palm' },
    });
  });
});
