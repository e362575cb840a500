// RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form of a JSON value that gets
// signed, so that signer and verifier agree whatever key order or whitespace they received.

import { CanonicalizationError } from './errors.js';
import { formatCodeUnit, isHighSurrogate, isLowSurrogate, type JsonValue } from './json-value.js';
import { type JsonDialect, SHORT_ESCAPES, writeJson } from './json-writer.js';

/**
 * Serializes `value` per RFC 8785: object members sorted by the UTF-16 code units of their
 * names, numbers as ECMAScript prints them, only the mandatory string escapes, no whitespace.
 * Throws {@link CanonicalizationError} for anything outside I-JSON: non-finite numbers, lone
 * surrogates, `undefined`, functions, class instances, sparse arrays, cycles.
 */
export function canonicalize(value: JsonValue): string {
  return writeJson(value, JCS);
}

/** {@link canonicalize} as UTF-8 bytes: what is signed and verified. */
export function canonicalizeToBytes(value: JsonValue): Uint8Array {
  return new TextEncoder().encode(canonicalize(value));
}

const JCS: JsonDialect = {
  number(value, path) {
    if (typeof value !== 'number') {
      throw new CanonicalizationError(path, 'JsonNumber is not a plain JSON number');
    }
    if (!Number.isFinite(value)) {
      throw new CanonicalizationError(path, `${value} is not a finite number`);
    }
    // RFC 8785 §3.2.2.3 adopts ECMAScript's Number::toString, which String() runs (and -0 → "0").
    return String(value);
  },
  string: serializeString,
  // The default sort compares UTF-16 code units, which is exactly RFC 8785 §3.2.3's order
  // (not code points: U+1F602, stored as D83D DE02, sorts before U+FB33).
  order: (keys) => keys.sort(),
};

// RFC 8785 §3.2.2.2: escape only `"`, `\` and U+0000..U+001F (short forms where JSON has them,
// else lowercase \u00xx); everything else, including U+007F, U+2028 and `/`, is written as is.
function serializeString(value: string, path: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (isHighSurrogate(unit) && isLowSurrogate(value.charCodeAt(i + 1))) {
      i++;
      continue;
    }
    if (isHighSurrogate(unit) || isLowSurrogate(unit)) {
      throw new CanonicalizationError(
        path,
        `lone surrogate ${formatCodeUnit(unit)} at index ${i} of a string`,
      );
    }
    if (unit >= 0x20 && unit !== 0x22 && unit !== 0x5c) continue;
    out += value.slice(runStart, i);
    out += SHORT_ESCAPES[unit] ?? `\\u${unit.toString(16).padStart(4, '0')}`;
    runStart = i + 1;
  }
  return `${out}${value.slice(runStart)}"`;
}
