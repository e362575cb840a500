// Reads the block-style YAML subset the CI recipes in docs/ci are written in (mappings, sequences,
// `|` literal blocks, plain, quoted and `[a, b]` scalars), so a test can run their steps without a
// YAML dependency; whether a file is YAML at all is the linter's verdict. Anything outside the
// subset is an error, never a guess.

export type BlockYaml = string | readonly BlockYaml[] | { readonly [key: string]: BlockYaml };

interface Line {
  readonly number: number;
  readonly indent: number;
  readonly text: string;
}

const KEY = /^([A-Za-z0-9_.-]+):(?: +(.*))?$/;

export function parseBlockYaml(source: string): BlockYaml {
  const raw = source.split('\n');
  const reader = { raw, index: 0 };
  skipBlank(reader);
  const first = peek(reader);
  if (first === undefined) throw new Error('empty document');
  const value = parseNode(reader, first.indent);
  skipBlank(reader);
  const rest = peek(reader);
  if (rest !== undefined) throw unsupported(rest, 'a line outside the document’s structure');
  return value;
}

interface Reader {
  readonly raw: readonly string[];
  index: number;
}

function lineAt(reader: Reader, index: number): Line | undefined {
  const text = reader.raw[index];
  if (text === undefined) return undefined;
  if (text.includes('\t')) throw new Error(`line ${index + 1}: tab characters are not supported`);
  const trimmed = text.trimStart();
  return { number: index + 1, indent: text.length - trimmed.length, text: trimmed.trimEnd() };
}

function isBlank(line: Line): boolean {
  return line.text === '' || line.text.startsWith('#');
}

function skipBlank(reader: Reader): void {
  for (let line = lineAt(reader, reader.index); line && isBlank(line); ) {
    reader.index += 1;
    line = lineAt(reader, reader.index);
  }
}

function peek(reader: Reader): Line | undefined {
  skipBlank(reader);
  return lineAt(reader, reader.index);
}

function unsupported(line: Line, what: string): Error {
  return new Error(`line ${line.number}: ${what} is outside the YAML subset: ${line.text}`);
}

function parseNode(reader: Reader, indent: number): BlockYaml {
  const line = peek(reader);
  if (line === undefined || line.indent !== indent) throw new Error('expected a block');
  return line.text.startsWith('- ') || line.text === '-'
    ? parseSequence(reader, indent)
    : parseMapping(reader, indent, line.text);
}

function parseSequence(reader: Reader, indent: number): BlockYaml[] {
  const items: BlockYaml[] = [];
  for (let line = peek(reader); line?.indent === indent; line = peek(reader)) {
    if (!line.text.startsWith('- ')) throw unsupported(line, 'a mapping key beside sequence items');
    const content = line.text.slice(2).trimStart();
    const contentIndent = indent + (line.text.length - content.length);
    if (KEY.test(content)) {
      // `- key: value` opens a mapping whose further keys sit under `key`.
      items.push(parseMapping(reader, contentIndent, content));
    } else {
      reader.index += 1;
      items.push(parseScalar(content, line));
    }
  }
  return items;
}

function parseMapping(
  reader: Reader,
  indent: number,
  firstText: string,
): Record<string, BlockYaml> {
  const mapping: Record<string, BlockYaml> = {};
  let text: string | undefined = firstText;
  while (text !== undefined) {
    const line = lineAt(reader, reader.index) as Line;
    const match = KEY.exec(text);
    if (match === null) throw unsupported(line, 'this line');
    const [, key = '', value] = match;
    if (key in mapping) throw unsupported(line, `a second "${key}"`);
    reader.index += 1;
    if (value === undefined || value.startsWith('#')) {
      const next = peek(reader);
      mapping[key] =
        next !== undefined && next.indent > indent
          ? parseNode(reader, next.indent)
          : next !== undefined && next.indent === indent && next.text.startsWith('- ')
            ? parseSequence(reader, indent)
            : '';
    } else if (value === '|' || value === '|-') {
      mapping[key] = parseLiteral(reader, indent, value === '|-');
    } else {
      mapping[key] = parseScalar(value, line);
    }
    const next = peek(reader);
    text = next?.indent === indent && !next.text.startsWith('- ') ? next.text : undefined;
  }
  return mapping;
}

/** A `|` block: the lines indented deeper than its key, dedented, with one final newline. */
function parseLiteral(reader: Reader, keyIndent: number, strip: boolean): string {
  const lines: string[] = [];
  let blockIndent: number | undefined;
  for (let index = reader.index; index < reader.raw.length; index += 1) {
    const text = reader.raw[index] ?? '';
    if (text.trim() === '') {
      lines.push('');
      continue;
    }
    const indent = text.length - text.trimStart().length;
    if (indent <= keyIndent) break;
    blockIndent ??= indent;
    if (indent < blockIndent) throw new Error(`line ${index + 1}: a literal block line dedented`);
    lines.push(text.slice(blockIndent).trimEnd());
    reader.index = index + 1;
  }
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return strip ? lines.join('\n') : `${lines.join('\n')}\n`;
}

function parseScalar(text: string, line: Line): BlockYaml {
  if (/^[&*!{>|%@`]/.test(text)) throw unsupported(line, 'this scalar');
  if (text.startsWith('"') || text.startsWith("'")) {
    const quote = text[0];
    const end = quote === '"' ? /^"(?:[^"\\]|\\.)*"/.exec(text) : /^'(?:[^']|'')*'/.exec(text);
    if (end === null) throw unsupported(line, 'an unclosed quote');
    const rest = text.slice(end[0].length).trim();
    if (rest !== '' && !rest.startsWith('#')) throw unsupported(line, 'text after a quoted scalar');
    return quote === '"'
      ? (JSON.parse(end[0]) as string)
      : end[0].slice(1, -1).replaceAll("''", "'");
  }
  const plain = text.replace(/\s+#.*$/, '');
  if (plain.startsWith('[')) {
    if (!plain.endsWith(']')) throw unsupported(line, 'an unclosed flow sequence');
    return plain
      .slice(1, -1)
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
      .map((item) => parseScalar(item, line));
  }
  if (plain.includes(': ')) throw unsupported(line, 'a plain scalar holding ": "');
  return plain;
}
