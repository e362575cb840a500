// parseManifestText: the strict JSON document (the one `build` digests and `publish` signs), or
// one manifest.invalid issue with the line and column of the fault.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../src/index.js';
import { SDK_NO_UI_TEMPLATE } from './manifests.js';

/** The message of the issue `text` is refused with; fails the test when it is accepted. */
function refusal(text: string): string {
  const parsed = parseManifestText(text);
  if (parsed.ok) throw new Error(`parseManifestText accepted ${JSON.stringify(text)}`);
  expect(parsed.issue).toMatchObject({ code: 'manifest.invalid', severity: 'error', path: '' });
  return parsed.issue.message;
}

describe('parseManifestText', () => {
  it('parses JSON, ignoring one leading byte order mark', () => {
    expect(parseManifestText('{"name": "x"}')).toEqual({ ok: true, value: { name: 'x' } });
    expect(parseManifestText('\uFEFF[1]')).toEqual({ ok: true, value: [1] });
  });

  it('reports invalid JSON as one manifest.invalid error at the root', () => {
    expect(parseManifestText('{"name": }')).toEqual({
      ok: false,
      issue: {
        code: 'manifest.invalid',
        severity: 'error',
        path: '',
        message:
          "invalid JSON in manifest at line 1, column 10: expected a JSON value but found '}'",
      },
    });
  });

  it.each([
    ['{\n  "a": 1,\n}', 3, 1, "expected a member name in double quotes but found '}'"],
    ['[1, 2,]', 1, 7, "expected a JSON value but found ']'"],
    ['{"a": 1 "b": 2}', 1, 9, `expected ',' or '}' after an object member but found '"'`],
    ['{"a" 1}', 1, 6, "expected ':' after a member name but found '1'"],
    ["{'a': 1}", 1, 2, "expected a member name in double quotes but found '''"],
    ['{"a": 01}', 1, 7, 'invalid number "01"'],
    ['{"a": "x\ty"}', 1, 9, 'unescaped control character U+0009 in a string'],
    ['{"a": "\\u12G4"}', 1, 8, '\\u must be followed by four hexadecimal digits'],
    ['{"a": "open', 1, 7, 'unterminated string'],
    ['', 1, 1, 'expected a JSON value but found the end of the input'],
    ['{}\n{}', 2, 1, "'{' after the JSON value"],
    ['{"a": [1,\r\n  {"b": nul}]}', 2, 9, "expected a JSON value but found 'n'"],
  ])('refuses %j at line %i, column %i: %s', (text, line, column, reason) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(refusal(text)).toBe(
      `invalid JSON in manifest at line ${line}, column ${column}: ${reason}`,
    );
  });

  // What JSON.parse lets through and a digest or a signature must not: with two values for one
  // key, which one would the platform see?
  it.each([
    [
      'a duplicate key',
      '{\n  "name": "a",\n  "name": "b"\n}',
      3,
      3,
      'duplicate member name "name"',
    ],
    [
      'a duplicate key in a nested object',
      '{"execution": {"entrypoint": "a.b:C", "entrypoint": "a.b:C"}}',
      1,
      39,
      'duplicate member name "entrypoint"',
    ],
    [
      'a duplicate key spelled with an escape',
      '{"name": "a", "n\\u0061me": "b"}',
      1,
      15,
      'duplicate member name "name"',
    ],
    [
      'a lone surrogate',
      '{"description": "\\ud800"}',
      1,
      18,
      'lone surrogate U+D800: a high surrogate not followed by a low surrogate',
    ],
    [
      'a number beyond binary64',
      '{"version": 1e400}',
      1,
      13,
      'number 1e400 is outside the range of IEEE 754 double precision',
    ],
    [
      'a second byte order mark',
      '\uFEFF\uFEFF{}',
      1,
      1,
      'byte order mark (U+FEFF) before the JSON text',
    ],
  ])('refuses %s, which JSON.parse accepts', (_, text, line, column, reason) => {
    expect(() => JSON.parse(text.replace(/^\uFEFF+/, ''))).not.toThrow();
    expect(refusal(text)).toBe(
      `invalid JSON in manifest at line ${line}, column ${column}: ${reason}`,
    );
  });

  it('keeps a member named __proto__ as data, not as the prototype', () => {
    const parsed = parseManifestText('{"__proto__": {"polluted": true}}');
    if (!parsed.ok) throw new Error(parsed.issue.message);
    expect(Object.keys(parsed.value as object)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(parsed.value)).toBe(Object.prototype);
  });

  it('agrees with JSON.parse on thousands of damaged manifests, but for what it refuses on purpose', () => {
    const original = JSON.stringify(SDK_NO_UI_TEMPLATE, null, 2);
    const alphabet = '{}[]:,"\\ -01eE.tfnu\n\t\f\u00a0x';
    // A fixed linear congruential generator: the same damage on every run.
    let seed = 20_240_601;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      // The low bits of this generator repeat quickly; the high ones do not.
      return Math.floor(seed / 2 ** 12) % below;
    };
    let invalid = 0;
    const disagreements: string[] = [];
    for (let round = 0; round < 3000; round += 1) {
      let text = original;
      for (let edit = 0; edit <= random(3); edit += 1) {
        const at = random(text.length);
        const char = alphabet.charAt(random(alphabet.length));
        const kind = random(3);
        text =
          kind === 0
            ? text.slice(0, at) + text.slice(at + 1)
            : kind === 1
              ? text.slice(0, at) + char + text.slice(at)
              : text.slice(0, at) + char + text.slice(at + 1);
      }
      let expected: { ok: true; value: unknown } | { ok: false };
      try {
        expected = { ok: true, value: JSON.parse(text) };
      } catch {
        expected = { ok: false };
        invalid += 1;
      }
      const parsed = parseManifestText(text);
      const agrees = parsed.ok
        ? expected.ok && JSON.stringify(parsed.value) === JSON.stringify(expected.value)
        : !expected.ok ||
          /duplicate member name|lone surrogate|outside the range/.test(parsed.issue.message);
      if (!agrees) disagreements.push(text);
    }
    expect(disagreements).toEqual([]);
    // The damage must break most texts, or the comparison would prove little.
    expect(invalid).toBeGreaterThan(1500);
  });
});
