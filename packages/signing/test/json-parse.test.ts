import { describe, expect, it } from 'vitest';
import {
  JsonNumber,
  JsonParseError,
  MAX_JSON_DEPTH,
  parseJson,
  parseJsonLossless,
} from '../src/index.js';

function parseError(text: string): JsonParseError {
  try {
    parseJson(text);
  } catch (error) {
    if (error instanceof JsonParseError) return error;
    throw error;
  }
  throw new Error(`parseJson accepted ${JSON.stringify(text)}`);
}

describe('parseJson accepts JSON', () => {
  it.each([
    '{}',
    '[]',
    '  {"a" : [1, -2.5e3, 0, -0.0, 1E+2, true, false, null, "x"]}\r\n\t',
    '"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE02 \\u0000"',
    '[[[[]]], {"": {"": ""}}]',
    '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}',
    '12345678901234567890',
    '"raw \u00e9 \u{1F602} \uFFFF"',
  ])('%s, as JSON.parse reads it', (text) => {
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });

  it('keeps __proto__ as a plain member and leaves the prototype alone', () => {
    const value = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect((value as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it(`accepts nesting down to ${MAX_JSON_DEPTH} levels`, () => {
    const text = `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`;
    expect(() => parseJson(text)).not.toThrow();
  });
});

describe('parseJson rejects duplicate member names', () => {
  it.each([
    ['at the top level', '{"a":1,"a":2}', 7],
    ['in a nested object', '{"x":{"b":1,"c":2,"b":3}}', 18],
    ['in an object inside an array', '[{"k":true},{"k":1,"k":1}]', 19],
    ['spelled differently with escapes', '{"a":1,"\\u0061":2}', 7],
    ['with the same value', '{"name":"m","name":"m"}', 12],
  ])('%s', (_, text, position) => {
    const error = parseError(text);
    expect(error.message).toMatch(/duplicate member name/);
    expect(error.position).toBe(position);
  });

  it('names the duplicate and where it is', () => {
    const error = parseError('{\n  "version": "1.0.0",\n  "version": "2.0.0"\n}');
    expect(error.message).toBe('Invalid JSON: duplicate member name "version" at line 3, column 3');
    expect(error.code).toBe('JSON_PARSE_ERROR');
    expect(error.reason).toBe('duplicate member name "version"');
    expect([error.line, error.column]).toEqual([3, 3]);
  });
});

describe('parseJson rejects lone surrogates', () => {
  it.each([
    ['an escaped high surrogate alone', '"\\uD800"', 1, 'U+D800'],
    ['an escaped low surrogate alone', '"\\uDC00"', 1, 'U+DC00'],
    ['a high surrogate before a letter', '"\\uD83Dx"', 1, 'U+D83D'],
    ['a high surrogate before another escape', '"\\uD83D\\n"', 1, 'U+D83D'],
    ['two high surrogates', '"\\uD83D\\uD83D"', 1, 'U+D83D'],
    ['a reversed pair', '"\\uDE02\\uD83D"', 1, 'U+DE02'],
    ['a lone surrogate in a member name', '{"\\uDBFF":1}', 2, 'U+DBFF'],
    ['a raw lone high surrogate', '["ok", "a\uD800"]', 9, 'U+D800'],
    ['a raw lone low surrogate', '"\uDC00"', 1, 'U+DC00'],
  ])('%s', (_, text, position, unit) => {
    const error = parseError(text);
    expect(error.message).toContain(`lone surrogate ${unit}`);
    expect(error.position).toBe(position);
  });

  it('accepts a pair split between an escape and a raw code unit', () => {
    expect(parseJson('"\\uD83D\uDE02"')).toBe('\u{1F602}');
  });
});

const PARSERS = [
  ['parseJson', parseJson],
  ['parseJsonLossless', parseJsonLossless],
] as const;

describe.each(PARSERS)('%s rejects what is not strict JSON', (_name, parse) => {
  it.each([
    ['empty input', '', /expected a JSON value but found the end of the input/],
    ['a trailing comma in an array', '[1,]', /expected a JSON value but found ']'/],
    ['a trailing comma in an object', '{"a":1,}', /expected a member name/],
    ['single quotes', "{'a':1}", /expected a member name/],
    ['an unquoted name', '{a:1}', /expected a member name/],
    ['leading zeros', '[01]', /invalid number "01"/],
    ['a bare fraction', '.5', /expected a JSON value but found '\.'/],
    ['a dangling decimal point', '1.', /invalid number "1\."/],
    ['a plus sign', '+1', /expected a JSON value but found '\+'/],
    ['NaN', 'NaN', /expected a JSON value/],
    ['Infinity', '[Infinity]', /expected a JSON value/],
    ['a number beyond binary64', '[1e400]', /outside the range of IEEE 754/],
    ['a comment', '{} // note', /'\/' after the JSON value/],
    ['two values', '{} {}', /'\{' after the JSON value/],
    ['an unescaped newline in a string', '"a\nb"', /unescaped control character U\+000A/],
    ['an unescaped tab in a string', '"a\tb"', /unescaped control character U\+0009/],
    ['an invalid escape', '"\\x41"', /invalid escape sequence \\x/],
    ['a short \\u escape', '"\\u12G4"', /four hexadecimal digits/],
    ['an unterminated string', '{"a":"b', /unterminated string/],
    ['a byte order mark', '\uFEFF{}', /byte order mark/],
    ['a truncated literal', '[tru]', /expected a JSON value but found 't'/],
    ['a missing colon', '{"a" 1}', /expected ':' after a member name/],
    ['a missing comma', '[1 2]', /expected ',' or '\]'/],
    ['non-JSON whitespace', '[1,\u00a02]', /expected a JSON value but found U\+00A0/],
    ['a duplicate member name', '{"a":1,"b":{"a":2,"a":3}}', /duplicate member name "a"/],
    ['a lone surrogate', '["\\uD800"]', /lone surrogate U\+D800/],
  ])('%s', (_, text, message) => {
    expect(() => parse(text)).toThrow(message);
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels with an error, not a stack overflow`, () => {
    const depth = MAX_JSON_DEPTH + 1;
    expect(() => parse(`${'['.repeat(depth)}${']'.repeat(depth)}`)).toThrow(/nesting deeper than/);
    expect(() => parse('{"a":'.repeat(100_000))).toThrow(JsonParseError);
  });
});

describe('parseJsonLossless', () => {
  it('keeps every number as written, so 1, 1.0 and 1e0 stay apart and big integers exact', () => {
    const value = parseJsonLossless(
      '{"a":[1, 1.0, 1e0, -0, -0.0, 12345678901234567890123, 0.1000000000000000055511151231257827]}',
    );
    expect(value).toEqual({
      a: [
        new JsonNumber('1'),
        new JsonNumber('1.0'),
        new JsonNumber('1e0'),
        new JsonNumber('-0'),
        new JsonNumber('-0.0'),
        new JsonNumber('12345678901234567890123'),
        new JsonNumber('0.1000000000000000055511151231257827'),
      ],
    });
    const numbers = (value as { a: JsonNumber[] }).a;
    expect(numbers.map((number) => number.isInteger)).toEqual([
      true,
      false,
      false,
      true,
      false,
      true,
      false,
    ]);
  });

  it('reads everything but numbers as parseJson does', () => {
    const text =
      '{"s":"\\u00e9\\uD83D\\uDE02\\n","t":true,"f":false,"n":null,"o":{"__proto__":[]}}';
    expect(parseJsonLossless(text)).toEqual(parseJson(text));
    const value = parseJsonLossless(text) as { o: object };
    expect(Object.keys(value.o)).toEqual(['__proto__']);
  });

  it('makes JsonNumbers only of JSON number lexemes', () => {
    for (const lexeme of ['01', '1.', '.5', '+1', '1e', 'NaN', ' 1', '0x10', '']) {
      expect(() => new JsonNumber(lexeme), lexeme).toThrow(TypeError);
    }
  });
});
