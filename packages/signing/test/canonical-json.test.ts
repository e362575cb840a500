import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CanonicalizationError,
  canonicalize,
  canonicalizeToBytes,
  type JsonValue,
  parseJson,
} from '../src/index.js';

const vector = (relativePath: string): string =>
  readFileSync(new URL(`./vectors/${relativePath}`, import.meta.url), 'utf8');

const hexToText = (hex: string): string =>
  Buffer.from(hex.replace(/\s+/g, ''), 'hex').toString('utf8');

function fromIeee754(bits: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${bits}`));
  return view.getFloat64(0);
}

describe('cyberphone/json-canonicalization testdata', () => {
  const names = ['arrays', 'french', 'simpleString', 'structures', 'unicode', 'values', 'weird'];

  it.each(names)('%s: input canonicalizes to the published output', (name) => {
    const input = vector(`cyberphone/input/${name}.json`);
    const output = vector(`cyberphone/output/${name}.json`);
    expect(canonicalize(parseJson(input))).toBe(output);
    // The same result from values JSON.parse built, so the canonicalizer is checked on its own.
    expect(canonicalize(JSON.parse(input) as JsonValue)).toBe(output);
  });

  it('simpleString: the bytes match outhex/simpleString.txt', () => {
    const bytes = canonicalizeToBytes(parseJson(vector('cyberphone/input/simpleString.json')));
    expect(Buffer.from(bytes).toString('hex')).toBe(
      vector('cyberphone/outhex/simpleString.txt').replace(/\s+/g, '').toLowerCase(),
    );
  });

  it('weird: the emoji (D83D DE02) sorts before U+FB33, so names compare as UTF-16 code units', () => {
    const output = canonicalize(parseJson(vector('cyberphone/input/weird.json')));
    const emoji = output.indexOf('\u{1F602}');
    const dalet = output.indexOf('\uFB33');
    expect(emoji).toBeGreaterThan(0);
    expect(emoji).toBeLessThan(dalet);
    // Code-point (or UTF-8 byte) order would put U+FB33 first: the vector discriminates.
    expect(0x1f602).toBeGreaterThan(0xfb33);
  });
});

describe('RFC 8785 examples', () => {
  it('§3.2.2 sample canonicalizes to the §3.2.4 bytes', () => {
    const expected = hexToText(vector('rfc8785/output-3.2.4.hex'));
    const bytes = canonicalizeToBytes(parseJson(vector('rfc8785/sample-3.2.2.json')));
    expect(Buffer.from(bytes).toString('utf8')).toBe(expected);
    expect(expected).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('§3.2.3 sorts property names in the published order', () => {
    const output = canonicalize(parseJson(vector('rfc8785/sorting-3.2.3.json')));
    const order = [
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ].map((value) => output.indexOf(`"${value}"`));
    expect(order.every((position) => position > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(output).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control",' +
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",' +
        '"\u{1F600}":"Emoji: Grinning Face","\uFB33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  const appendixB: ReadonlyArray<readonly [string, string]> = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];

  it.each(appendixB)('Appendix B: IEEE 754 %s serializes as %s', (bits, expected) => {
    expect(canonicalize(fromIeee754(bits))).toBe(expected);
  });

  it.each(['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000'])(
    'Appendix B: IEEE 754 %s (NaN or Infinity) is an error',
    (bits) => {
      expect(() => canonicalize(fromIeee754(bits))).toThrow(CanonicalizationError);
    },
  );
});

describe('ECMAScript number serialization', () => {
  it.each([
    ['1E30', '1e+30'],
    ['4.50', '4.5'],
    ['2e-3', '0.002'],
    ['0.000000000000000000000000001', '1e-27'],
    ['333333333.33333329', '333333333.3333333'],
    ['-0', '0'],
    ['-0.0e5', '0'],
    ['1e21', '1e+21'],
    ['999999999999999999999', '1e+21'],
    ['100000000000000000000', '100000000000000000000'],
    ['9007199254740993', '9007199254740992'],
    ['9007199254740994', '9007199254740994'],
    ['56.0', '56'],
    ['0.000001', '0.000001'],
    ['0.0000001', '1e-7'],
    ['1E-7', '1e-7'],
    ['-1.5E+2', '-150'],
  ])('the JSON number %s is written %s', (text, expected) => {
    expect(canonicalize(parseJson(text))).toBe(expected);
  });

  it('writes exactly what JSON.stringify writes for finite numbers', () => {
    const samples = [0, -0, 1, -1, 0.1, 1 / 3, 2 ** 53, 2 ** 53 + 2, 1e21, 1e-7, 5e-324, 123e45];
    for (const value of samples) expect(canonicalize(value)).toBe(JSON.stringify(value));
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'refuses %s',
    (value) => {
      expect(() => canonicalize({ n: [value] })).toThrow(/at \/n\/0: .*not a finite number/);
    },
  );
});

describe('string escaping', () => {
  it('escapes the controls with short forms where JSON has them, else lowercase \\u00xx', () => {
    const controls = Array.from({ length: 0x20 }, (_, unit) => String.fromCharCode(unit)).join('');
    expect(canonicalize(controls)).toBe(
      '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r' +
        '\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017' +
        '\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"',
    );
  });

  it('escapes " and \\ and nothing else: not /, U+007F, U+2028, non-ASCII or emoji', () => {
    expect(canonicalize('a"b\\c')).toBe('"a\\"b\\\\c"');
    const asIs = '/ \u007f \u2028 \u2029 é € \u{1F602} \uFFFF';
    expect(canonicalize(asIs)).toBe(`"${asIs}"`);
  });

  it('keeps Unicode as given (no normalization)', () => {
    expect(canonicalize('\u00e9')).not.toBe(canonicalize('e\u0301'));
  });

  it.each([
    ['a lone high surrogate', '\uD800'],
    ['a lone low surrogate', '\uDC00'],
    ['a high surrogate followed by a letter', '\uD83Dx'],
    ['a reversed pair', '\uDE02\uD83D'],
  ])('refuses %s in a value or a member name', (_, text) => {
    expect(() => canonicalize([text])).toThrow(/at \/0: lone surrogate/);
    expect(() => canonicalize({ [text]: 1 })).toThrow(/lone surrogate/);
  });
});

describe('structure', () => {
  it('sorts members at every depth, keeps array order, writes no whitespace', () => {
    expect(canonicalize({ b: [3, { z: 1, a: [] }, 1], a: { y: null, x: true } })).toBe(
      '{"a":{"x":true,"y":null},"b":[3,{"a":[],"z":1},1]}',
    );
  });

  it('sorts integer-like names as strings, not in JavaScript property order', () => {
    expect(canonicalize({ 10: 'a', 2: 'b', 1: 'c', b: 'd' })).toBe(
      '{"1":"c","10":"a","2":"b","b":"d"}',
    );
  });

  it('keeps a member named __proto__', () => {
    expect(canonicalize(parseJson('{"__proto__":{"x":1},"a":2}'))).toBe(
      '{"__proto__":{"x":1},"a":2}',
    );
  });

  it('gives the UTF-8 bytes of the canonical text', () => {
    const value = { '€': '\u{1F602}' };
    expect(Buffer.from(canonicalizeToBytes(value))).toEqual(Buffer.from('{"€":"😂"}', 'utf8'));
  });

  it.each([
    ['undefined', { a: undefined }, /\/a: undefined is not a JSON value/],
    ['a function', { f: () => 1 }, /\/f: function is not a JSON value/],
    ['a bigint', [1n], /\/0: bigint is not a JSON value/],
    ['a Date', { d: new Date(0) }, /\/d: Date is not a plain JSON object/],
    ['a Map', new Map(), /Map is not a plain JSON object/],
    ['an array hole', Object.assign(new Array<number>(3), { 0: 1, 2: 3 }), /\/1: array hole/],
    ['a name with / and ~ in its path', { 'a/b~c': [undefined] }, /at \/a~1b~0c\/0:/],
  ])('refuses %s, naming where it is', (_, value, message) => {
    expect(() => canonicalize(value as unknown as JsonValue)).toThrow(message);
  });

  it('refuses a cycle', () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = [cyclic];
    expect(() => canonicalize(cyclic as JsonValue)).toThrow(/\/self\/0: circular reference/);
  });

  it('accepts a repeated (non-cyclic) reference', () => {
    const shared = { x: 1 };
    expect(canonicalize({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});
