// Narrowing for values that come straight from the JSON parser, before the schema has vouched for them.

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The strings of `value` with their indices, or none when it is not an array. */
export function stringEntries(value: unknown): [index: number, text: string][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index): [number, string][] =>
    typeof item === 'string' ? [[index, item]] : [],
  );
}
