// parseManifestText: JSON or one manifest.invalid issue with the line and column of the fault,
// and the fault finder agreeing with JSON.parse on what is JSON.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../src/index.js';
import { findJsonSyntaxError } from '../src/json-syntax.js';
import { SDK_NO_UI_TEMPLATE } from './manifests.js';

describe('parseManifestText', () => {
  it('parses JSON, ignoring a leading byte order mark', () => {
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
          'invalid JSON in manifest at line 1, column 10: expected a value (an object, array, string, number, true, false or null), found "}"',
      },
    });
  });
});

describe('findJsonSyntaxError', () => {
  it.each([
    ['{\n  "a": 1,\n}', 3, 1, 'expected a property name in double quotes, found "}"'],
    [
      '[1, 2,]',
      1,
      7,
      'expected a value (an object, array, string, number, true, false or null), found "]"',
    ],
    ['{"a": 1 "b": 2}', 1, 9, `expected ',' or '}' after a property value, found "\\""`],
    ['[1 2]', 1, 4, `expected ',' or ']' after an array element, found "2"`],
    ['{"a" 1}', 1, 6, `expected ':' after the property name, found "1"`],
    ["{'a': 1}", 1, 2, `expected a property name in double quotes, found "'"`],
    [
      '{"a": tru}',
      1,
      7,
      'expected a value (an object, array, string, number, true, false or null), found "t"',
    ],
    ['{"a": 01}', 1, 8, `expected ',' or '}' after a property value, found "1"`],
    [
      '{"a": "x\ty"}',
      1,
      9,
      'expected an escape such as \\n instead of a raw control character, found "\\t"',
    ],
    ['{"a": "\\x"}', 1, 9, 'expected an escape such as \\n, \\" or \\u0041, found "x"'],
    ['{"a": "\\u12G4"}', 1, 10, 'expected four hex digits after \\u, found "1"'],
    ['{"a": "open', 1, 12, 'expected a closing double quote, found the end of the file'],
    [
      '',
      1,
      1,
      'expected a value (an object, array, string, number, true, false or null), found the end of the file',
    ],
    ['{}\n{}', 2, 1, 'expected nothing after the JSON value, found "{"'],
    [
      '{"a": [1,\r\n  {"b": nul}]}',
      2,
      9,
      'expected a value (an object, array, string, number, true, false or null), found "n"',
    ],
  ])('%j fails at line %i, column %i', (text, line, column, message) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(findJsonSyntaxError(text)).toEqual({ line, column, message });
  });

  it.each([
    '{}',
    '[]',
    ' \t\r\n{"a": [1, -0.5e+10, 2E-3, true, false, null, "\\u00e9\\n\\"\\/"]}\n',
    '"\\ud800"',
    '0',
  ])('finds nothing wrong in %j', (text) => {
    expect(findJsonSyntaxError(text)).toBeUndefined();
  });

  it('agrees with JSON.parse on thousands of damaged manifests', () => {
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
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
        invalid += 1;
      }
      if ((findJsonSyntaxError(text) === undefined) !== parses) disagreements.push(text);
    }
    expect(disagreements).toEqual([]);
    // The damage must break most texts, or the comparison would prove little.
    expect(invalid).toBeGreaterThan(1500);
  });
});
