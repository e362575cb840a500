// RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form of a JSON value that gets
// signed, so that signer and verifier agree whatever key order or whitespace they received.

import { CanonicalizationError } from './errors.js';
import {
  formatCodeUnit,
  isHighSurrogate,
  isLowSurrogate,
  type JsonValue,
  MAX_JSON_DEPTH,
} from './json-value.js';

/**
 * Serializes `value` per RFC 8785: object members sorted by the UTF-16 code units of their
 * names, numbers as ECMAScript prints them, only the mandatory string escapes, no whitespace.
 * Throws {@link CanonicalizationError} for anything outside I-JSON: non-finite numbers, lone
 * surrogates, `undefined`, functions, class instances, sparse arrays, cycles.
 */
export function canonicalize(value: JsonValue): string {
  return serialize(value, '', []);
}

/** {@link canonicalize} as UTF-8 bytes: what is signed and verified. */
export function canonicalizeToBytes(value: JsonValue): Uint8Array {
  return new TextEncoder().encode(canonicalize(value));
}

// `value` is `unknown` on purpose: the static type is a promise callers can break (casts,
// parsed bodies), and a signature over a silently dropped member would be worse than an error.
function serialize(value: unknown, path: string, ancestors: object[]): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return serializeNumber(value, path);
    case 'string':
      return serializeString(value, path);
    case 'object':
      return serializeContainer(value, path, ancestors);
    default:
      throw new CanonicalizationError(path, `${typeof value} is not a JSON value`);
  }
}

function serializeContainer(value: object, path: string, ancestors: object[]): string {
  if (ancestors.includes(value)) throw new CanonicalizationError(path, 'circular reference');
  if (ancestors.length >= MAX_JSON_DEPTH) {
    throw new CanonicalizationError(path, `nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      const items: string[] = [];
      for (let i = 0; i < value.length; i++) {
        const itemPath = `${path}/${i}`;
        if (!Object.hasOwn(value, i)) throw new CanonicalizationError(itemPath, 'array hole');
        items.push(serialize(value[i], itemPath, ancestors));
      }
      return `[${items.join(',')}]`;
    }
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      const name = (value.constructor as { name?: unknown } | undefined)?.name;
      throw new CanonicalizationError(
        path,
        `${typeof name === 'string' && name !== '' ? name : 'object'} is not a plain JSON object`,
      );
    }
    const record = value as Record<string, unknown>;
    // The default sort compares UTF-16 code units, which is exactly RFC 8785 §3.2.3's order
    // (not code points: U+1F602, stored as D83D DE02, sorts before U+FB33).
    const members = Object.keys(record)
      .sort()
      .map((key) => {
        const memberPath = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        return `${serializeString(key, memberPath)}:${serialize(record[key], memberPath, ancestors)}`;
      });
    return `{${members.join(',')}}`;
  } finally {
    ancestors.pop();
  }
}

function serializeNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) {
    throw new CanonicalizationError(path, `${value} is not a finite number`);
  }
  // RFC 8785 §3.2.2.3 adopts ECMAScript's Number::toString, which String() runs (and -0 → "0").
  return String(value);
}

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
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
