// Finds where a JSON text breaks and says why, with a line and column: JSON.parse's own messages
// differ between Node versions, some carry no position, and some quote the whole text.

export type JsonSyntaxError = {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units from the start of the line. */
  column: number;
  /** What was expected and what was found instead. */
  message: string;
};

class SyntaxFault extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const ESCAPES = '"\\/bfnrtu';
const WHITESPACE = ' \t\n\r';

/** The first syntax error of `text` by the JSON grammar (RFC 8259), or undefined if it has none. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let at = 0;

  const fail = (expected: string): never => {
    const found = at >= text.length ? 'the end of the file' : JSON.stringify(text.charAt(at));
    throw new SyntaxFault(at, `expected ${expected}, found ${found}`);
  };
  const skipWhitespace = () => {
    while (at < text.length && WHITESPACE.includes(text.charAt(at))) at += 1;
  };
  const match = (pattern: RegExp): boolean => {
    pattern.lastIndex = at;
    if (!pattern.test(text)) return false;
    at = pattern.lastIndex;
    return true;
  };

  const string = () => {
    at += 1;
    for (;;) {
      if (at >= text.length) fail('a closing double quote');
      const char = text.charAt(at);
      if (char === '"') break;
      if (char < ' ') fail('an escape such as \\n instead of a raw control character');
      at += 1;
      if (char !== '\\') continue;
      const escaped = text.charAt(at);
      if (at >= text.length || !ESCAPES.includes(escaped))
        fail('an escape such as \\n, \\" or \\u0041');
      at += 1;
      if (escaped === 'u' && !match(HEX4)) fail('four hex digits after \\u');
    }
    at += 1;
  };

  // Objects and arrays: items separated by commas, no trailing comma.
  const sequence = (close: '}' | ']', item: () => void, after: string) => {
    at += 1;
    skipWhitespace();
    if (text.charAt(at) === close) {
      at += 1;
      return;
    }
    for (;;) {
      item();
      skipWhitespace();
      if (text.charAt(at) === close) break;
      if (text.charAt(at) !== ',') fail(`',' or '${close}' after ${after}`);
      at += 1;
    }
    at += 1;
  };

  const value = (): void => {
    skipWhitespace();
    const char = text.charAt(at);
    if (char === '{') sequence('}', member, 'a property value');
    else if (char === '[') sequence(']', value, 'an array element');
    else if (char === '"') string();
    else if (!match(NUMBER) && !match(LITERAL)) {
      fail('a value (an object, array, string, number, true, false or null)');
    }
  };

  const member = () => {
    skipWhitespace();
    if (text.charAt(at) !== '"') fail('a property name in double quotes');
    string();
    skipWhitespace();
    if (text.charAt(at) !== ':') fail("':' after the property name");
    at += 1;
    value();
  };

  try {
    value();
    skipWhitespace();
    if (at < text.length) fail('nothing after the JSON value');
    return undefined;
  } catch (error) {
    if (!(error instanceof SyntaxFault)) throw error;
    const before = text.slice(0, error.offset);
    return {
      line: before.split('\n').length,
      column: error.offset - before.lastIndexOf('\n'),
      message: error.message,
    };
  }
}
