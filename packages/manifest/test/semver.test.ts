// SemVer helpers: the grammar module versions use, and semver.org §11 precedence.
import { describe, expect, it } from 'vitest';
import { compareSemVer, formatSemVer, parseSemVer, SEMVER_PATTERN } from '../src/index.js';

describe('parseSemVer', () => {
  it('reads MAJOR.MINOR.PATCH and the prerelease identifiers', () => {
    expect(parseSemVer('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(parseSemVer('0.0.0')).toEqual({ major: 0, minor: 0, patch: 0, prerelease: [] });
    expect(parseSemVer('1.0.0-alpha.1.x-y')).toEqual({
      major: 1,
      minor: 0,
      patch: 0,
      prerelease: ['alpha', '1', 'x-y'],
    });
  });

  it.each([
    '1',
    '1.0',
    '1.0.0.0',
    'v1.0.0',
    ' 1.0.0',
    '1.0.0 ',
    '01.0.0',
    '1.01.0',
    '1.0.01',
    '1.0.0-01',
    '1.0.0-',
    '1.0.0-a..b',
    '1.0.0-a_b',
    '1.0.0+build',
    '1.0.0-rc.1+build.5',
    '-1.0.0',
    '9007199254740992.0.0',
  ])('refuses %j', (text) => {
    expect(parseSemVer(text)).toBeUndefined();
  });

  it('accepts the largest exact integer and leading zeros inside alphanumeric identifiers', () => {
    expect(parseSemVer('9007199254740991.0.0')?.major).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseSemVer('1.0.0-0a.00b')?.prerelease).toEqual(['0a', '00b']);
  });

  it('uses the same grammar as the manifest schema', () => {
    expect(SEMVER_PATTERN.test('1.0.0-rc.1')).toBe(true);
    expect(SEMVER_PATTERN.test('1.0.0+build')).toBe(false);
  });
});

describe('formatSemVer', () => {
  it.each(['0.0.0', '1.2.3', '1.0.0-alpha', '1.0.0-0.3.7', '1.0.0-x.7.z.92'])(
    'round-trips %s',
    (text) => {
      const parsed = parseSemVer(text);
      expect(parsed).toBeDefined();
      if (parsed) expect(formatSemVer(parsed)).toBe(text);
    },
  );
});

describe('compareSemVer', () => {
  // semver.org §11.2 and §11.4, in ascending order.
  const ascending = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '2.0.0',
    '2.1.0',
    '2.1.1',
    '10.0.0',
  ];

  it('orders every pair of the semver.org precedence examples', () => {
    ascending.forEach((left, i) => {
      ascending.forEach((right, j) => {
        expect(compareSemVer(left, right), `${left} vs ${right}`).toBe(Math.sign(i - j));
      });
    });
  });

  it('sorts a shuffled list into precedence order', () => {
    const shuffled = [...ascending].reverse().sort((a, b) => a.length - b.length);
    expect(shuffled.sort(compareSemVer)).toEqual(ascending);
  });

  it('compares numeric identifiers numerically, at any size, below alphanumeric ones', () => {
    expect(compareSemVer('1.0.0-2', '1.0.0-10')).toBe(-1);
    expect(compareSemVer('1.0.0-99999999999999999999', '1.0.0-100000000000000000000')).toBe(-1);
    expect(compareSemVer('1.0.0-999', '1.0.0-a')).toBe(-1);
    expect(compareSemVer('1.0.0-a', '1.0.0-999')).toBe(1);
  });

  it('compares alphanumeric identifiers in ASCII order', () => {
    expect(compareSemVer('1.0.0-Beta', '1.0.0-alpha')).toBe(-1);
    expect(compareSemVer('1.0.0-a-b', '1.0.0-a.b')).toBe(1);
  });

  it('accepts parsed versions as well as strings', () => {
    const parsed = parseSemVer('1.2.3-rc.1');
    expect(parsed).toBeDefined();
    if (parsed) {
      expect(compareSemVer(parsed, '1.2.3-rc.1')).toBe(0);
      expect(compareSemVer(parsed, '1.2.3')).toBe(-1);
    }
  });

  it('throws a RangeError naming an invalid version', () => {
    expect(() => compareSemVer('1.0', '1.0.0')).toThrow(RangeError);
    expect(() => compareSemVer('1.0.0', '1.0.0+b')).toThrow(/"1\.0\.0\+b" is not a version/);
  });
});
