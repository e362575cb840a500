// The walk every serializer of signed JSON shares: containers in a fixed member order, and the
// run-time checks that keep a value that is not JSON from being signed as something else.

import { CanonicalizationError } from './errors.js';
import { JsonNumber, MAX_JSON_DEPTH } from './json-value.js';

/** How one serializer writes the leaves and orders members; the walk is the same for all. */
/** The two-character escapes both dialects write (JSON's short forms, by UTF-16 unit). */
export const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
};

export interface JsonDialect {
  /** A `number` or a {@link JsonNumber}; throws {@link CanonicalizationError} for one it refuses. */
  number(value: number | JsonNumber, path: string): string;
  string(value: string, path: string): string;
  /** The member names of one object in the order they are written. */
  order(keys: string[]): string[];
}

/**
 * Serializes `value` with `dialect`, no whitespace. Throws {@link CanonicalizationError} for what
 * is not JSON: `undefined`, functions, bigints, class instances (a {@link JsonNumber} excepted),
 * array holes, cycles, nesting deeper than {@link MAX_JSON_DEPTH}. `value` is `unknown` on purpose:
 * a static type is a promise callers can break (casts, parsed bodies), and a signature over a
 * silently dropped member would be worse than an error.
 */
export function writeJson(value: unknown, dialect: JsonDialect): string {
  return write(value, dialect, '', []);
}

function write(value: unknown, dialect: JsonDialect, path: string, ancestors: object[]): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return dialect.number(value, path);
    case 'string':
      return dialect.string(value, path);
    case 'object':
      if (value instanceof JsonNumber) return dialect.number(value, path);
      return writeContainer(value, dialect, path, ancestors);
    default:
      throw new CanonicalizationError(path, `${typeof value} is not a JSON value`);
  }
}

function writeContainer(
  value: object,
  dialect: JsonDialect,
  path: string,
  ancestors: object[],
): string {
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
        items.push(write(value[i], dialect, itemPath, ancestors));
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
    const members = dialect.order(Object.keys(record)).map((key) => {
      const memberPath = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      return `${dialect.string(key, memberPath)}:${write(record[key], dialect, memberPath, ancestors)}`;
    });
    return `{${members.join(',')}}`;
  } finally {
    ancestors.pop();
  }
}
