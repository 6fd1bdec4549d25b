import { describe, expect, it } from 'vitest';
import { newVersionSchema, parseWithIssues, partialMismatches } from '../../lib/domain/agent-manifest.js';
import { ValidationError } from '../../lib/domain/errors.js';

describe('partial output matching for golden tests', () => {
  const output = { totals: { co2e_kg: 184.3, unit: 'kg' }, lines: [{ kg: 100 }, { kg: 84.3 }], extra: true };

  it('passes when every expected field matches, ignoring fields left out', () => {
    expect(partialMismatches({ totals: { co2e_kg: 184.3 } }, output)).toEqual([]);
    // 0.1 + 0.2 = 0.30000000000000004: within the relative 1e-9 tolerance
    expect(partialMismatches({ x: 0.3 }, { x: 0.1 + 0.2 })).toEqual([]);
  });

  it('reports each mismatch with its path', () => {
    expect(partialMismatches({ totals: { co2e_kg: 184 }, lines: [{ kg: 100 }, { kg: 84 }] }, output)).toEqual(
      [
        { path: 'totals.co2e_kg', message: 'expected 184, got 184.3' },
        { path: 'lines.1.kg', message: 'expected 84, got 84.3' },
      ],
    );
    expect(partialMismatches({ lines: [{ kg: 100 }] }, output)[0]?.path).toBe('lines');
    expect(partialMismatches({ missing: 1 }, output)).toEqual([
      { path: 'missing', message: 'expected 1, got undefined' },
    ]);
    expect(partialMismatches({ totals: { unit: 't' } }, output)[0]?.message).toBe('expected "t", got "kg"');
  });
});

describe('version submissions', () => {
  it('fills defaults and refuses bad fields with paths', () => {
    expect(parseWithIssues(newVersionSchema, { version: '1.0.0' })).toEqual({
      version: '1.0.0',
      manifest: {},
      goldenTests: [],
      dependencies: {},
    });
    let err: unknown;
    try {
      parseWithIssues(newVersionSchema, {
        version: '1.0',
        dependencies: { 'Bad Name': '^1', ok: 'nope' },
        goldenTests: [{ name: '', input: {}, expected: 3 }],
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const paths = (err as ValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['version', 'dependencies.ok', 'goldenTests.0.name', 'goldenTests.0.expected']),
    );
    expect(paths.some((p) => p.startsWith('dependencies'))).toBe(true);
  });
});
