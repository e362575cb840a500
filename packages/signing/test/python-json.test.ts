import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  CanonicalizationError,
  JsonNumber,
  type LosslessJsonValue,
  legacyUnsignedManifest,
  parseJsonLossless,
  pythonJsonDumps,
  RESERVED_SIGNATURE_FIELDS,
} from '../src/index.js';

const dumps = (text: string) => pythonJsonDumps(parseJsonLossless(text));

describe('pythonJsonDumps: numbers', () => {
  it.each([
    ['0', '0'],
    ['-0', '0'],
    ['7', '7'],
    ['-42', '-42'],
    ['123456789012345678901234567890', '123456789012345678901234567890'],
    ['-9007199254740993', '-9007199254740993'],
  ])('writes the integer %s as Python int() does: %s', (lexeme, expected) => {
    expect(dumps(lexeme)).toBe(expected);
  });

  it.each([
    ['1.0', '1.0'],
    ['1e0', '1.0'],
    ['1E0', '1.0'],
    ['0.0', '0.0'],
    ['-0.0', '-0.0'],
    ['0e0', '0.0'],
    ['-1e-400', '-0.0'],
    ['0.25', '0.25'],
    ['0.250', '0.25'],
    ['2.5e-1', '0.25'],
    ['100.0', '100.0'],
    ['1e5', '100000.0'],
    ['0.0001', '0.0001'],
    ['0.00001', '1e-05'],
    ['1.5e-7', '1.5e-07'],
    ['1e15', '1000000000000000.0'],
    ['9999999999999998.0', '9999999999999998.0'],
    ['1e16', '1e+16'],
    ['12345678901234567.0', '1.2345678901234568e+16'],
    ['9999999999999999.0', '1e+16'],
    ['1e22', '1e+22'],
    ['1e300', '1e+300'],
    ['-1.5e300', '-1.5e+300'],
    ['1.7976931348623157e308', '1.7976931348623157e+308'],
    ['5e-324', '5e-324'],
    ['2.2250738585072014e-308', '2.2250738585072014e-308'],
    ['0.1', '0.1'],
    ['0.30000000000000004', '0.30000000000000004'],
    ['0.1000000000000000055511151231257827', '0.1'],
    ['123.456', '123.456'],
    ['-0.000123', '-0.000123'],
  ])('writes the float %s as Python repr() does: %s', (lexeme, expected) => {
    expect(dumps(lexeme)).toBe(expected);
  });

  it('refuses a plain JavaScript number, which has lost whether it was an int or a float', () => {
    expect(() => pythonJsonDumps({ a: [1] } as unknown as LosslessJsonValue)).toThrow(
      /at \/a\/0: the number 1 has lost whether it was an int or a float/,
    );
  });

  it('refuses a JsonNumber outside the range of a double, which Python would write as Infinity', () => {
    expect(() => pythonJsonDumps([new JsonNumber('1e400')])).toThrow(CanonicalizationError);
  });
});

describe('pythonJsonDumps: strings', () => {
  it.each([
    ['quote and backslash', '"a\\"b\\\\c"', '"a\\"b\\\\c"'],
    ['the short escapes', '"\\n\\r\\t\\b\\f"', '"\\n\\r\\t\\b\\f"'],
    ['other controls, lowercase hex', '"\\u0000\\u001f\\u001B"', '"\\u0000\\u001f\\u001b"'],
    ['DEL', '"\\u007f"', '"\\u007f"'],
    ['a slash, not escaped', '"a/b"', '"a/b"'],
    ['printable ASCII as is', '" ~!@#$%^&*()_+{}|:<>?"', '" ~!@#$%^&*()_+{}|:<>?"'],
    ['Latin-1', '"é\\u00a0"', '"\\u00e9\\u00a0"'],
    ['BMP characters', '"€\\u2028\\uFFFF"', '"\\u20ac\\u2028\\uffff"'],
    ['an astral character, as its surrogate pair', '"😂"', '"\\ud83d\\ude02"'],
    ['an escaped astral character', '"\\uD83D\\uDE02"', '"\\ud83d\\ude02"'],
  ])('escapes %s', (_, text, expected) => {
    expect(dumps(text)).toBe(expected);
  });

  it('refuses a lone surrogate', () => {
    expect(() => pythonJsonDumps(['\uD800'])).toThrow(/at \/0: lone surrogate U\+D800/);
  });
});

describe('pythonJsonDumps: structure', () => {
  it('sorts members at every depth, keeps array order, writes no whitespace', () => {
    expect(
      dumps('{ "b" : [3, {"z": 1, "a": []}, 1], "a": {"y": null, "x": true, "w": false} }'),
    ).toBe('{"a":{"w":false,"x":true,"y":null},"b":[3,{"a":[],"z":1},1]}');
  });

  it('sorts member names by code point, not by UTF-16 unit (astral after U+FFFF)', () => {
    // UTF-16 order (RFC 8785's) would put 😂 (D83D DE02) before דּ (FB33) and \uFFFF.
    expect(dumps('{"😂":1,"דּ":2,"\\uFFFF":3,"a":4,"\\u0000":5}')).toBe(
      '{"\\u0000":5,"a":4,"\\ufb33":2,"\\uffff":3,"\\ud83d\\ude02":1}',
    );
  });

  it('sorts integer-like names as strings', () => {
    expect(dumps('{"10":"a","2":"b","1":"c"}')).toBe('{"1":"c","10":"a","2":"b"}');
  });

  it('keeps a member named __proto__', () => {
    expect(dumps('{"__proto__":{"x":1},"a":2}')).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it('refuses what is not JSON, as canonicalize does', () => {
    expect(() => pythonJsonDumps({ a: undefined } as unknown as LosslessJsonValue)).toThrow(
      /\/a: undefined is not a JSON value/,
    );
    const cyclic: { self?: unknown } = {};
    cyclic.self = [cyclic];
    expect(() => pythonJsonDumps(cyclic as LosslessJsonValue)).toThrow(/circular reference/);
  });
});

describe('legacyUnsignedManifest', () => {
  it('removes the nine reserved names at every depth, in objects and in objects inside arrays', () => {
    const reserved = Object.fromEntries(RESERVED_SIGNATURE_FIELDS.map((name) => [name, 'x']));
    const manifest = parseJsonLossless(
      JSON.stringify({
        name: 'm',
        ...reserved,
        inputs: { properties: { signature: { type: 'string' }, keep: 1, ...reserved } },
        list: [{ publicKey: 1, kept: [{ key_fingerprint: 2, n: 3 }] }, 'signature'],
      }),
    ) as Record<string, LosslessJsonValue>;
    expect(pythonJsonDumps(legacyUnsignedManifest(manifest))).toBe(
      '{"inputs":{"properties":{"keep":1}},"list":[{"kept":[{"n":3}]},"signature"],"name":"m"}',
    );
    expect(manifest.signature).toBe('x');
  });
});

// The cross-check: the real python3 reads the same texts and prints json.dumps of each, and of
// each with the SDK's signature-field stripping; every byte must agree.
describe('against python3 json.dumps', () => {
  it('agrees byte for byte on 1500 generated documents: nested, unicode, ints and floats of every shape', () => {
    const random = mulberry32(0x5eed);
    const texts = Array.from({ length: 1500 }, () => documentText(random));
    const python = runPython(texts);
    expect(python).toHaveLength(texts.length);
    texts.forEach((text, i) => {
      const value = parseJsonLossless(text) as Record<string, LosslessJsonValue>;
      const [dumped, stripped] = python[i] ?? [];
      expect(pythonJsonDumps(value), text).toBe(dumped);
      expect(pythonJsonDumps(legacyUnsignedManifest(value)), text).toBe(stripped);
    });
  });
});

const PYTHON_SCRIPT = `
import json, sys
NAMES = set(json.loads(sys.argv[1]))
def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in NAMES}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value
def dumps(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
texts = json.loads(sys.stdin.buffer.read())
out = []
for text in texts:
    value = json.loads(text)
    out.append([dumps(value), dumps(strip(value))])
sys.stdout.write(json.dumps(out))
`;

function runPython(texts: string[]): [string, string][] {
  const output = execFileSync(
    'python3',
    ['-c', PYTHON_SCRIPT, JSON.stringify(RESERVED_SIGNATURE_FIELDS)],
    { input: JSON.stringify(texts), maxBuffer: 256 * 1024 * 1024 },
  );
  return JSON.parse(output.toString('utf8')) as [string, string][];
}

type Random = () => number;

function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;
const between = (random: Random, low: number, high: number) =>
  low + Math.floor(random() * (high - low + 1));

/** A manifest-like object as JSON text, with every kind of leaf and the reserved names. */
function documentText(random: Random): string {
  return objectText(random, 0);
}

function valueText(random: Random, depth: number): string {
  const roll = random();
  if (depth < 4 && roll < 0.15) return objectText(random, depth + 1);
  if (depth < 4 && roll < 0.25) {
    return `[${Array.from({ length: between(random, 0, 4) }, () => valueText(random, depth + 1)).join(',')}]`;
  }
  if (roll < 0.3) return pick(random, ['null', 'true', 'false']);
  if (roll < 0.45) return integerLexeme(random);
  if (roll < 0.75) return floatLexeme(random);
  return stringText(random, randomString(random));
}

function objectText(random: Random, depth: number): string {
  const names = new Set<string>();
  const count = between(random, 0, 6);
  for (let i = 0; i < count; i++) {
    names.add(random() < 0.2 ? pick(random, RESERVED_SIGNATURE_FIELDS) : randomString(random));
  }
  const members = [...names].map(
    (name) => `${stringText(random, name)}${pick(random, [':', ' : '])}${valueText(random, depth)}`,
  );
  return `{${members.join(pick(random, [',', ', ']))}}`;
}

function integerLexeme(random: Random): string {
  const sign = random() < 0.3 ? '-' : '';
  if (random() < 0.1) return `${sign}0`;
  const length = between(random, 1, random() < 0.8 ? 17 : 60);
  let digits = String(between(random, 1, 9));
  for (let i = 1; i < length; i++) digits += String(between(random, 0, 9));
  return sign + digits;
}

const SPECIAL_FLOATS = [
  '0.0',
  '-0.0',
  '1.0',
  '0.0001',
  '0.00001',
  '1e16',
  '1e15',
  '9999999999999998.0',
  '9999999999999999.0',
  '5e-324',
  '2.2250738585072014e-308',
  '2.225073858507201e-308',
  '1.7976931348623157e308',
  '0.1',
  '0.30000000000000004',
  '4.35',
  '2.675',
  '1e23',
  '8.41e21',
  '5e-310',
];

function floatLexeme(random: Random): string {
  const roll = random();
  if (roll < 0.15) return pick(random, SPECIAL_FLOATS);
  if (roll < 0.55) {
    // A random double, all bits chosen: subnormals, huge and tiny exponents.
    const view = new DataView(new ArrayBuffer(8));
    view.setUint32(0, Math.floor(random() * 2 ** 32));
    view.setUint32(4, Math.floor(random() * 2 ** 32));
    const value = view.getFloat64(0);
    if (!Number.isFinite(value)) return '1.5';
    const text = String(value);
    return /[.e]/.test(text) ? text : `${text}.0`;
  }
  // A lexeme of a random shape: digits before and after a point, an exponent of any spelling.
  const sign = random() < 0.3 ? '-' : '';
  const whole = random() < 0.3 ? '0' : integerLexeme(random).replace('-', '');
  const fraction =
    random() < 0.7
      ? `.${Array.from({ length: between(random, 1, 25) }, () => between(random, 0, 9)).join('')}`
      : '';
  const exponent =
    fraction === '' || random() < 0.5
      ? `${pick(random, ['e', 'E'])}${pick(random, ['', '+', '-'])}${between(random, 0, 320)}`
      : '';
  const lexeme = `${sign}${whole}${fraction}${exponent}`;
  return Number.isFinite(Number(lexeme)) ? lexeme : `${sign}${whole}${fraction || '.5'}`;
}

function randomString(random: Random): string {
  const length = between(random, 0, 8);
  let out = '';
  for (let i = 0; i < length; i++) {
    const roll = random();
    if (roll < 0.4) out += String.fromCharCode(between(random, 0x20, 0x7e));
    else if (roll < 0.5) out += String.fromCharCode(between(random, 0, 0x1f));
    else if (roll < 0.55) out += '\u007f';
    else if (roll < 0.65) out += String.fromCharCode(between(random, 0x80, 0xff));
    else if (roll < 0.75) out += String.fromCharCode(between(random, 0x100, 0xd7ff));
    else if (roll < 0.85) out += String.fromCharCode(between(random, 0xe000, 0xffff));
    else out += String.fromCodePoint(between(random, 0x10000, 0x10ffff));
  }
  return out;
}

/** The string as JSON text: sometimes raw, sometimes with every non-ASCII unit escaped. */
function stringText(random: Random, value: string): string {
  const text = JSON.stringify(value);
  if (random() < 0.5) return text;
  return text.replace(/[^\x20-\x7e]/g, (unit) => {
    const hex = unit.charCodeAt(0).toString(16).padStart(4, '0');
    return `\\u${random() < 0.5 ? hex : hex.toUpperCase()}`;
  });
}
