// The one comparison every deterministic ordering here is built from.

/** Numbers by value, strings by UTF-16 code unit (never by locale). */
export function compareValues<T extends number | string>(a: T, b: T): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}
