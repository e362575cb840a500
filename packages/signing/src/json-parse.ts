// A strict JSON parser for the documents that get signed: RFC 8259 grammar plus the I-JSON
// rules (RFC 7493) that RFC 8785 relies on and JSON.parse does not enforce.

import { JsonParseError } from './errors.js';
import {
  formatCodeUnit,
  isHighSurrogate,
  isLowSurrogate,
  JsonNumber,
  type JsonValue,
  type LosslessJsonValue,
  MAX_JSON_DEPTH,
} from './json-value.js';

/**
 * Parses JSON text, refusing what JSON.parse lets through and a signature must not: duplicate
 * member names at any depth (which one would a verifier see?), lone surrogates (escaped or raw:
 * they have no UTF-8 form), numbers outside IEEE 754 binary64, and a leading byte order mark.
 * Throws {@link JsonParseError} with the position of the first problem.
 */
export function parseJson(text: string): JsonValue {
  return new Parser(text, (_, value) => value).parseDocument();
}

/**
 * {@link parseJson} with every number kept as written ({@link JsonNumber}), for serializers that
 * must tell `1` from `1.0` or keep an integer beyond 2^53 exact. Refuses exactly what
 * `parseJson` refuses, numbers outside binary64 included, so both read the same documents.
 */
export function parseJsonLossless(text: string): LosslessJsonValue {
  return new Parser(text, (lexeme) => new JsonNumber(lexeme)).parseDocument();
}

/** A JSON value whose numbers are of type N. */
type Tree<N> = null | boolean | string | N | Tree<N>[] | { [key: string]: Tree<N> };

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class Parser<N> {
  private readonly text: string;
  /** What a number becomes, given its lexeme and its (finite) value. */
  private readonly number: (lexeme: string, value: number) => N;
  private pos = 0;
  /** Offset of a high surrogate still waiting for its low half inside the current string. */
  private pendingHighSurrogate = -1;

  constructor(text: string, number: (lexeme: string, value: number) => N) {
    this.text = text;
    this.number = number;
  }

  parseDocument(): Tree<N> {
    if (this.text.charCodeAt(0) === 0xfeff) {
      throw this.fail('byte order mark (U+FEFF) before the JSON text', 0);
    }
    this.skipWhitespace();
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) throw this.fail(`${this.describeNext()} after the JSON value`);
    return value;
  }

  private parseValue(depth: number): Tree<N> {
    switch (this.text[this.pos]) {
      case '{':
        return this.parseObject(depth + 1);
      case '[':
        return this.parseArray(depth + 1);
      case '"':
        return this.parseString();
      case 't':
        return this.parseLiteral('true', true);
      case 'f':
        return this.parseLiteral('false', false);
      case 'n':
        return this.parseLiteral('null', null);
      default:
        return this.parseNumber();
    }
  }

  private parseObject(depth: number): { [key: string]: Tree<N> } {
    this.checkDepth(depth);
    this.pos++;
    const object: { [key: string]: Tree<N> } = {};
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return object;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') {
        throw this.fail(`expected a member name in double quotes but found ${this.describeNext()}`);
      }
      const namePos = this.pos;
      const name = this.parseString();
      if (Object.hasOwn(object, name)) {
        throw this.fail(`duplicate member name ${JSON.stringify(name)}`, namePos);
      }
      this.skipWhitespace();
      this.expect(':', "':' after a member name");
      this.skipWhitespace();
      // defineProperty, not assignment: a member named "__proto__" must stay a plain member.
      Object.defineProperty(object, name, {
        value: this.parseValue(depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipWhitespace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return object;
      }
      this.expect(',', "',' or '}' after an object member");
      this.skipWhitespace();
    }
  }

  private parseArray(depth: number): Tree<N>[] {
    this.checkDepth(depth);
    this.pos++;
    const array: Tree<N>[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return array;
    }
    for (;;) {
      array.push(this.parseValue(depth));
      this.skipWhitespace();
      if (this.text[this.pos] === ']') {
        this.pos++;
        return array;
      }
      this.expect(',', "',' or ']' after an array element");
      this.skipWhitespace();
    }
  }

  private parseString(): string {
    const start = this.pos;
    this.pos++;
    this.pendingHighSurrogate = -1;
    let value = '';
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) throw this.fail('unterminated string', start);
      const unit = this.text.charCodeAt(this.pos);
      if (unit === 0x22) {
        if (this.pendingHighSurrogate >= 0) throw this.loneHighSurrogate();
        value += this.text.slice(runStart, this.pos);
        this.pos++;
        return value;
      }
      if (unit === 0x5c) {
        value += this.text.slice(runStart, this.pos);
        value += this.parseEscape();
        runStart = this.pos;
      } else if (unit < 0x20) {
        throw this.fail(`unescaped control character ${formatCodeUnit(unit)} in a string`);
      } else {
        this.trackSurrogate(unit, this.pos);
        this.pos++;
      }
    }
  }

  private parseEscape(): string {
    const escapePos = this.pos;
    const letter = this.text[this.pos + 1];
    if (letter === 'u') {
      const hex = this.text.slice(this.pos + 2, this.pos + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw this.fail('\\u must be followed by four hexadecimal digits', escapePos);
      }
      const unit = Number.parseInt(hex, 16);
      this.trackSurrogate(unit, escapePos);
      this.pos += 6;
      return String.fromCharCode(unit);
    }
    const decoded = letter === undefined ? undefined : SIMPLE_ESCAPES[letter];
    if (decoded === undefined) {
      throw this.fail(`invalid escape sequence \\${letter ?? ''}`, escapePos);
    }
    this.trackSurrogate(decoded.charCodeAt(0), escapePos);
    this.pos += 2;
    return decoded;
  }

  // Surrogates may come raw or escaped (`\uD83D\uDE02`); either way a high one must be followed
  // at once by a low one, and a low one must follow a high one.
  private trackSurrogate(unit: number, at: number): void {
    if (this.pendingHighSurrogate >= 0) {
      if (isLowSurrogate(unit)) {
        this.pendingHighSurrogate = -1;
        return;
      }
      throw this.loneHighSurrogate();
    }
    if (isHighSurrogate(unit)) this.pendingHighSurrogate = at;
    else if (isLowSurrogate(unit)) {
      throw this.fail(
        `lone surrogate ${formatCodeUnit(unit)}: a low surrogate without a high surrogate before it`,
        at,
      );
    }
  }

  private loneHighSurrogate(): JsonParseError {
    const at = this.pendingHighSurrogate;
    const unit =
      this.text[at] === '\\'
        ? Number.parseInt(this.text.slice(at + 2, at + 6), 16)
        : this.text.charCodeAt(at);
    return this.fail(
      `lone surrogate ${formatCodeUnit(unit)}: a high surrogate not followed by a low surrogate`,
      at,
    );
  }

  private parseNumber(): N {
    const start = this.pos;
    NUMBER.lastIndex = start;
    const match = NUMBER.exec(this.text);
    if (match === null) throw this.fail(`expected a JSON value but found ${this.describeNext()}`);
    const token = match[0];
    const next = this.text[start + token.length];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) {
      throw this.fail(`invalid number ${JSON.stringify(token + next)}`, start);
    }
    const value = Number(token);
    if (!Number.isFinite(value)) {
      throw this.fail(`number ${token} is outside the range of IEEE 754 double precision`, start);
    }
    this.pos += token.length;
    return this.number(token, value);
  }

  private parseLiteral<T extends boolean | null>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) {
      throw this.fail(`expected a JSON value but found ${this.describeNext()}`);
    }
    this.pos += word.length;
    return value;
  }

  private checkDepth(depth: number): void {
    if (depth > MAX_JSON_DEPTH) throw this.fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
  }

  private expect(char: string, what: string): void {
    if (this.text[this.pos] !== char)
      throw this.fail(`expected ${what} but found ${this.describeNext()}`);
    this.pos++;
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return;
      this.pos++;
    }
  }

  private describeNext(): string {
    if (this.pos >= this.text.length) return 'the end of the input';
    const unit = this.text.charCodeAt(this.pos);
    // Outside printable ASCII a code is clearer than the character (U+00A0 looks like a space).
    if (unit < 0x20 || unit > 0x7e) return formatCodeUnit(unit);
    return `'${this.text[this.pos]}'`;
  }

  private fail(reason: string, at = this.pos): JsonParseError {
    return new JsonParseError(reason, this.text, at);
  }
}
