// The JSON data model shared by the strict parser and the serializers (I-JSON, RFC 7493), its
// lossless variant whose numbers keep their text, and the UTF-16 surrogate rules they enforce.

export type JsonPrimitive = null | boolean | number | string;
export type JsonArray = JsonValue[];
export interface JsonObject {
  [key: string]: JsonValue;
}
export type JsonValue = JsonPrimitive | JsonArray | JsonObject;

/** RFC 8259 §6: the number grammar, whole. */
const NUMBER_LEXEME = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/**
 * A number as the JSON text wrote it. JSON.parse turns `1`, `1.0` and `1e0` into the same double
 * and rounds 2^64 + 1; a serializer that must reproduce another language's output (Python reads
 * `1` as an int and `1.0` as a float) needs the lexeme.
 */
export class JsonNumber {
  readonly lexeme: string;

  constructor(lexeme: string) {
    if (!NUMBER_LEXEME.test(lexeme)) {
      throw new TypeError(`${JSON.stringify(lexeme.slice(0, 40))} is not a JSON number`);
    }
    this.lexeme = lexeme;
  }

  /** True when the lexeme has neither a fraction nor an exponent (Python's int). */
  get isInteger(): boolean {
    return !/[.eE]/.test(this.lexeme);
  }
}

export type LosslessJsonArray = LosslessJsonValue[];
export interface LosslessJsonObject {
  [key: string]: LosslessJsonValue;
}
/** A JSON value whose numbers are {@link JsonNumber}s: what `parseJsonLossless` returns. */
export type LosslessJsonValue =
  | null
  | boolean
  | string
  | JsonNumber
  | LosslessJsonArray
  | LosslessJsonObject;

/**
 * Deeper documents are refused by both the parser and the serializers: a clear error instead of
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
