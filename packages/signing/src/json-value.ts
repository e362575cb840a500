// The JSON data model shared by the strict parser and the canonicalizer (I-JSON, RFC 7493),
// with the UTF-16 surrogate rules both of them enforce.

export type JsonPrimitive = null | boolean | number | string;
export type JsonArray = JsonValue[];
export interface JsonObject {
  [key: string]: JsonValue;
}
export type JsonValue = JsonPrimitive | JsonArray | JsonObject;

/**
 * Deeper documents are refused by both the parser and the canonicalizer: a clear error instead of
 * a stack overflow, far above anything a manifest needs.
 */
export const MAX_JSON_DEPTH = 512;

export function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

export function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

export function formatCodeUnit(unit: number): string {
  return `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;
}
