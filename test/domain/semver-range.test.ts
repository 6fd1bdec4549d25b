import { describe, expect, it } from 'vitest';
import {
  InvalidRangeError,
  InvalidSemverError,
  NoMatchingVersionError,
  exactPin,
  parseAgentRef,
  parseRange,
  parseVersion,
  resolveVersion,
  type Candidate,
} from '../../lib/domain/semver-range.js';

const candidates: Candidate[] = [
  { version: '1.2.0', status: 'certified' },
  { version: '1.4.0', status: 'certified' },
  { version: '1.4.7', status: 'experimental' },
  { version: '1.5.0', status: 'deprecated' },
  { version: '1.6.0', status: 'draft' },
  { version: '2.0.0-rc.1', status: 'certified' },
  { version: '2.0.0', status: 'certified' },
];

describe('semver ranges', () => {
  it.each([
    ['^1.2', '1.4.7'],
    ['^1.2.0', '1.4.7'],
    ['~1.4.0', '1.4.7'],
    ['~1.2', '1.2.0'],
    ['1.4.0', '1.4.0'],
    ['=1.4.0', '1.4.0'],
    ['1.5.0', '1.5.0'],
    ['>=1.0.0 <2.0.0', '1.4.7'],
    ['*', '2.0.0'],
    ['2.0.0-rc.1', '2.0.0-rc.1'],
  ])('%s resolves to %s', (range, expected) => {
    expect(resolveVersion('x', range, candidates).version).toBe(expected);
  });

  it('excludes deprecated and draft versions from ranges, listing what exists', () => {
    expect(() => resolveVersion('x', '^1.5', candidates)).toThrow(NoMatchingVersionError);
    expect(() => resolveVersion('x', '^3', [])).toThrow(/available: none/);
    expect(() => resolveVersion('x', '^1.5', candidates)).toThrow(
      /available: 1\.2\.0 \(certified\), .*2\.0\.0-rc\.1 \(certified\), 2\.0\.0 \(certified\)/,
    );
  });

  it.each(['1.2', 'v1.2.0', '01.2.0', '', ' 1.2.0', 42])('refuses version %j', (v) => {
    expect(() => parseVersion(v)).toThrow(InvalidSemverError);
  });

  it.each(['^^1', 'banana', '', '1.2.x.y', 7])('refuses range %j', (r) => {
    expect(() => parseRange(r)).toThrow(InvalidRangeError);
  });

  it('parses references', () => {
    expect(parseAgentRef('fuel-emissions@^1.2')).toEqual({ agent: 'fuel-emissions', range: '^1.2' });
    expect(parseAgentRef('cbam')).toEqual({ agent: 'cbam', range: '*' });
    expect(exactPin('1.0.0')).toBe('1.0.0');
    expect(exactPin('^1.0.0')).toBeUndefined();
    expect(() => parseAgentRef('cbam@nope')).toThrow(InvalidRangeError);
  });
});
