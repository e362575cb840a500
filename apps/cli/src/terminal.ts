// What the CLI writes and where: results to stdout (one JSON document with --json), progress and
// logs to stderr, colour only on a terminal and never when NO_COLOR is set.

import { redactSecrets } from '@hla-compass/platform-api/redaction';
import { Settings } from './config/variables.js';

export interface TextStream {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
}

export interface InputStream extends AsyncIterable<string | Buffer> {
  isTTY?: boolean | undefined;
}

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/**
 * https://no-color.org: a non-empty NO_COLOR disables colour; FORCE_COLOR=0/1 overrides the TTY
 * check. Both are read through `Settings`, as every variable the CLI documents; a caller that has
 * only the raw environment (start-up, before a context exists) passes that.
 */
export function colorEnabled(
  stream: TextStream,
  settings: Settings | Readonly<Record<string, string | undefined>>,
): boolean {
  const read = settings instanceof Settings ? settings : new Settings(settings);
  if (read.get('NO_COLOR') !== undefined) return false;
  const force = read.get('FORCE_COLOR');
  if (force !== undefined) return force !== '0';
  // TERM is the terminal's own description, not a setting of ours: read as the terminal sets it.
  return stream.isTTY === true && read.raw.TERM !== 'dumb';
}

export function createStyle(enabled: boolean): Style {
  const paint =
    (open: number, close: number) =>
    (text: string): string =>
      enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    bold: paint(1, 22),
    dim: paint(2, 22),
    red: paint(31, 39),
    green: paint(32, 39),
    yellow: paint(33, 39),
    cyan: paint(36, 39),
  };
}

/** Logs and progress for humans, on stderr; a log line quoting input is redacted (no credentials). */
export class Logger {
  readonly #stream: TextStream;
  readonly #verbose: boolean;
  readonly #warnings: string[] = [];
  readonly style: Style;

  constructor(stream: TextStream, options: { verbose: boolean; style: Style }) {
    this.#stream = stream;
    this.#verbose = options.verbose;
    this.style = options.style;
  }

  get verbose(): boolean {
    return this.#verbose;
  }

  get isTTY(): boolean {
    return this.#stream.isTTY === true;
  }

  info(message: string): void {
    this.#stream.write(`${redactSecrets(message)}\n`);
  }

  success(message: string): void {
    this.#stream.write(`${this.style.green('✓')} ${redactSecrets(message)}\n`);
  }

  /** Every warning written so far (redacted), e.g. for a cached result to show them again. */
  get warnings(): readonly string[] {
    return this.#warnings;
  }

  warn(message: string): void {
    this.#warnings.push(redactSecrets(message));
    this.#stream.write(`${this.style.yellow('warning:')} ${redactSecrets(message)}\n`);
  }

  error(message: string): void {
    this.#stream.write(`${this.style.red('error:')} ${redactSecrets(message)}\n`);
  }

  hint(message: string): void {
    this.#stream.write(`${this.style.cyan('hint:')} ${redactSecrets(message)}\n`);
  }

  debug(message: string): void {
    if (this.#verbose)
      this.#stream.write(`${this.style.dim(`debug: ${redactSecrets(message)}`)}\n`);
  }

  /** Raw progress text (build steps, push layers); the caller decides on line endings. */
  progress(text: string): void {
    this.#stream.write(text);
  }
}

/** Command results, on stdout: human text, or exactly one JSON document with --json. */
export class Output {
  readonly #stream: TextStream;
  readonly #json: boolean;
  #written = false;
  readonly style: Style;

  constructor(stream: TextStream, options: { json: boolean; style: Style }) {
    this.#stream = stream;
    this.#json = options.json;
    this.style = options.style;
  }

  get json(): boolean {
    return this.#json;
  }

  get isTTY(): boolean {
    return this.#stream.isTTY === true;
  }

  /** Writes the command's result: `data` as JSON with --json, else the lines `render` makes of it. */
  result<T>(data: T, render: (data: T) => string | readonly string[]): void {
    if (this.#written) throw new Error('a command wrote its result twice');
    this.#written = true;
    if (this.#json) {
      this.#stream.write(`${JSON.stringify(data, null, 2)}\n`);
      return;
    }
    const text = render(data);
    const lines = typeof text === 'string' ? [text] : text;
    if (lines.length > 0) this.#stream.write(`${lines.join('\n')}\n`);
  }

  get resultWritten(): boolean {
    return this.#written;
  }
}

/** Left-aligned columns with a header row; cells never wrap, so values stay copy-pasteable. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  style: Style,
): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [style.bold(line(header)), ...rows.map(line)];
}
