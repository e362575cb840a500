// Semantic versions as module versions use them: MAJOR.MINOR.PATCH with an optional
// -prerelease and no +build metadata, ordered by the precedence rules of semver.org §11.
import { compareValues } from './order.js';

/** semver.org's grammar without build metadata: no leading zeros, no empty identifiers. */
export const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?$/;

export type SemVer = {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Dot-separated prerelease identifiers, in order; empty for a release. */
  readonly prerelease: readonly string[];
};

const NUMERIC_IDENTIFIER = /^\d+$/;

/**
 * Parses `text` as a module version; `undefined` when it is not one. MAJOR, MINOR and PATCH
 * above `Number.MAX_SAFE_INTEGER` are refused (as node-semver does) because they cannot be
 * held exactly in a number.
 */
export function parseSemVer(text: string): SemVer | undefined {
  const match = SEMVER_PATTERN.exec(text);
  if (match === null) return undefined;
  const [, major = '', minor = '', patch = '', prerelease] = match;
  const core = [Number(major), Number(minor), Number(patch)] as const;
  if (!core.every(Number.isSafeInteger)) return undefined;
  return {
    major: core[0],
    minor: core[1],
    patch: core[2],
    prerelease: prerelease === undefined ? [] : prerelease.split('.'),
  };
}

export function formatSemVer(version: SemVer): string {
  const core = `${version.major}.${version.minor}.${version.patch}`;
  return version.prerelease.length === 0 ? core : `${core}-${version.prerelease.join('.')}`;
}

/**
 * Orders two versions by semver precedence: negative when `a` comes first, 0 when equal,
 * positive when `b` comes first. Strings are parsed first; an invalid one throws a RangeError.
 */
export function compareSemVer(a: SemVer | string, b: SemVer | string): -1 | 0 | 1 {
  const left = toSemVer(a);
  const right = toSemVer(b);
  return (
    compareValues(left.major, right.major) ||
    compareValues(left.minor, right.minor) ||
    compareValues(left.patch, right.patch) ||
    comparePrereleases(left.prerelease, right.prerelease)
  );
}

function toSemVer(version: SemVer | string): SemVer {
  if (typeof version !== 'string') return version;
  const parsed = parseSemVer(version);
  if (parsed === undefined) {
    throw new RangeError(`"${version}" is not a version: expected MAJOR.MINOR.PATCH[-prerelease]`);
  }
  return parsed;
}

// §11.3–11.4: a release outranks its prereleases; identifiers compare left to right, and a
// longer list wins when all shared identifiers are equal.
function comparePrereleases(a: readonly string[], b: readonly string[]): -1 | 0 | 1 {
  if (a.length === 0 || b.length === 0) return compareValues(b.length, a.length);
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) {
    const order = compareIdentifiers(a[index] ?? '', b[index] ?? '');
    if (order !== 0) return order;
  }
  return compareValues(a.length, b.length);
}

// Numeric identifiers compare as numbers and rank below alphanumeric ones. They have no
// leading zeros, so comparing length then digits orders them exactly at any size. Alphanumeric
// identifiers compare in ASCII order (§11.4.2).
function compareIdentifiers(a: string, b: string): -1 | 0 | 1 {
  const aNumeric = NUMERIC_IDENTIFIER.test(a);
  const bNumeric = NUMERIC_IDENTIFIER.test(b);
  if (aNumeric && bNumeric) return compareValues(a.length, b.length) || compareValues(a, b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return compareValues(a, b);
}
