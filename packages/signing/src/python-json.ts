// Python's `json.dumps(value, sort_keys=True, separators=(",", ":"))` (ensure_ascii=True),
// reproduced byte for byte: the form the Python SDK 2.0.13 signs (python-sdk.md §3).

import { CanonicalizationError } from './errors.js';
import {
  formatCodeUnit,
  isHighSurrogate,
  isLowSurrogate,
  JsonNumber,
  type LosslessJsonValue,
} from './json-value.js';
import { type JsonDialect, SHORT_ESCAPES, writeJson } from './json-writer.js';

/**
 * What Python prints for the value Python's `json.load` would read from the same text: members
 * sorted by code point, everything outside printable ASCII escaped, integers exact, floats in
 * `repr` form (`1.0`, `1e-05`, `1e+16`). Numbers must be {@link JsonNumber}s (from
 * `parseJsonLossless`): a JavaScript number has lost whether Python saw an int or a float.
 * Throws {@link CanonicalizationError} as `canonicalize` does, and for a plain number.
 */
export function pythonJsonDumps(value: LosslessJsonValue): string {
  return writeJson(value, PYTHON);
}

const PYTHON: JsonDialect = {
  number(value, path) {
    if (!(value instanceof JsonNumber)) {
      throw new CanonicalizationError(
        path,
        `the number ${value} has lost whether it was an int or a float; read the text with parseJsonLossless`,
      );
    }
    return value.isInteger ? pythonInt(value.lexeme) : pythonFloatRepr(value.lexeme, path);
  },
  string: pythonString,
  order: (keys) => keys.sort(compareCodePoints),
};

// A JSON integer has no leading zeros, so Python's int() changes nothing but the sign of zero.
function pythonInt(lexeme: string): string {
  return lexeme === '-0' ? '0' : lexeme;
}

/**
 * `repr(float(lexeme))`. Both languages round the lexeme to the nearest double and print its
 * shortest round-trip digits (ties to the closest), so ECMAScript's Number::toString gives the
 * digits; Python lays them out differently: scientific when the exponent is below -4 or at least
 * 16, with a signed exponent of two digits or more, else positional with at least `.0`.
 */
function pythonFloatRepr(lexeme: string, path: string): string {
  const value = Number(lexeme);
  if (!Number.isFinite(value)) {
    // Python would print the non-JSON `Infinity`; the strict parser never lets such a text in.
    throw new CanonicalizationError(path, `${lexeme} is outside the range of a double`);
  }
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  if (value === 0) return `${sign}0.0`;
  const { digits, exponent } = shortestDigits(Math.abs(value));
  if (exponent < -4 || exponent >= 16) {
    const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const power = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${power}`;
  }
  const point = exponent + 1;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** The significant digits of `value` (> 0) and the power of ten of the first: d.ddd × 10^exponent. */
function shortestDigits(value: number): { digits: string; exponent: number } {
  const [mantissa = '', power = '0'] = String(value).split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const all = whole + fraction;
  const leadingZeros = /^0*/.exec(all)?.[0].length ?? 0;
  return {
    // Number::toString pads integers up to 1e21 with zeros; they are not significant.
    digits: all.slice(leadingZeros).replace(/0+$/, ''),
    exponent: Number(power) + whole.length - 1 - leadingZeros,
  };
}

// ensure_ascii: only U+0020..U+007E are written as they are (`"` and `\` escaped); every other
// UTF-16 unit becomes lowercase \uXXXX, so an astral character is its surrogate pair, escaped.
function pythonString(value: string, path: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0x20 && unit <= 0x7e && unit !== 0x22 && unit !== 0x5c) continue;
    if (isHighSurrogate(unit) && isLowSurrogate(value.charCodeAt(i + 1))) {
      out += `${value.slice(runStart, i)}${escapeUnit(unit)}${escapeUnit(value.charCodeAt(i + 1))}`;
      i++;
      runStart = i + 1;
      continue;
    }
    if (isHighSurrogate(unit) || isLowSurrogate(unit)) {
      throw new CanonicalizationError(
        path,
        `lone surrogate ${formatCodeUnit(unit)} at index ${i} of a string`,
      );
    }
    out += `${value.slice(runStart, i)}${SHORT_ESCAPES[unit] ?? escapeUnit(unit)}`;
    runStart = i + 1;
  }
  return `${out}${value.slice(runStart)}"`;
}

function escapeUnit(unit: number): string {
  return `\\u${unit.toString(16).padStart(4, '0')}`;
}

// UTF-16 order and code point order differ only between a surrogate (U+D800..U+DFFF, the halves
// of U+10000 and above) and U+E000..U+FFFF; moving the surrogates above that range fixes it.
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
