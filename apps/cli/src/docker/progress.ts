// Docker's JSON-lines progress streams (build, push) read event by event, and drawn for people on
// stderr: build steps with their output, one line per pushed layer. On a terminal the drawing is
// compact and redrawn in place; elsewhere it is plain lines, fewer of them.
import type { Logger } from '../terminal.js';

export interface ProgressEvent {
  readonly stream?: string;
  readonly status?: string;
  readonly id?: string;
  readonly progress?: string;
  readonly aux?: Readonly<Record<string, unknown>>;
  /** A failure reported inside the stream (`errorDetail.message`, else `error`). */
  readonly error?: string;
  /** `errorDetail.code`, when the engine gives one (an HTTP status, where it does). */
  readonly errorCode?: number;
}

type JsonRecord = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(record: JsonRecord, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

/** One line of a progress stream; a line that is not a JSON object is taken as plain output. */
export function parseProgressEvent(line: string): ProgressEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { stream: `${line}\n` };
  }
  if (!isRecord(value)) return { stream: `${line}\n` };
  const detail = isRecord(value.errorDetail) ? text(value.errorDetail, 'message') : undefined;
  const error = detail ?? text(value, 'error');
  const code = isRecord(value.errorDetail) ? value.errorDetail.code : undefined;
  return {
    stream: text(value, 'stream'),
    status: text(value, 'status'),
    id: text(value, 'id'),
    progress: text(value, 'progress'),
    aux: isRecord(value.aux) ? value.aux : undefined,
    error:
      error === undefined && ('error' in value || 'errorDetail' in value)
        ? 'the engine reported an error without a message'
        : error,
    ...(typeof code === 'number' && Number.isInteger(code) && code !== 0
      ? { errorCode: code }
      : {}),
  };
}

/** The events of a progress stream as they arrive; lines may be split across chunks. */
export async function* progressEvents(
  stream: AsyncIterable<string | Uint8Array>,
): AsyncGenerator<ProgressEvent> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of stream) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '') yield parseProgressEvent(line);
      newline = pending.indexOf('\n');
    }
  }
  const last = (pending + decoder.decode()).trim();
  if (last !== '') yield parseProgressEvent(last);
}

export interface ProgressMode {
  /** stderr is a terminal: compact, styled, redrawn in place. */
  readonly tty: boolean;
  /** --verbose: every line the engine sends, its bookkeeping included. */
  readonly verbose: boolean;
  /**
   * Colour is on (a terminal without NO_COLOR, or FORCE_COLOR): otherwise the escape sequences a
   * build step prints (coloured pip, apt, test runners) are taken out of its lines too.
   */
  readonly color?: boolean;
}

/** Terminal or not, verbose or not, coloured or not: read from the logger the progress is drawn on. */
export function progressMode(logger: Logger): ProgressMode {
  // The logger's style paints only when colour is on (terminal.ts decides, NO_COLOR included).
  return { tty: logger.isTTY, verbose: logger.verbose, color: logger.style.bold('') !== '' };
}

/** ANSI escape sequences: CSI (colours, cursor moves), OSC (titles, links) and the short ones. */
const ANSI_ESCAPE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what it matches.
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** A line as plain text: without escape sequences or other control characters but tabs. */
export function plainText(line: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes.
  return line.replace(ANSI_ESCAPE, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

const STEP = /^Step \d+\/\d+ : /;
/** The classic builder's bookkeeping lines, which say nothing a user acts on. */
const BUILDER_NOISE = /^ ---> |^Removing intermediate container |^Successfully (built|tagged) /;
const MAX_STEP_WIDTH = 120;

/** Build output: `Step n/m : …` lines and what the steps print; remembers the current step. */
export class BuildLog {
  readonly #logger: Logger;
  readonly #mode: ProgressMode;
  #pending = '';
  #step: string | undefined;

  constructor(logger: Logger, mode: ProgressMode) {
    this.#logger = logger;
    this.#mode = mode;
  }

  /** The step being run, e.g. `Step 4/7 : RUN pip install …`, for failure messages. */
  get step(): string | undefined {
    return this.#step;
  }

  /** Takes the text of a `stream` event; the builder splits lines across events. */
  write(text: string): void {
    this.#pending += text;
    let newline = this.#pending.indexOf('\n');
    while (newline !== -1) {
      this.#line(this.#pending.slice(0, newline));
      this.#pending = this.#pending.slice(newline + 1);
      newline = this.#pending.indexOf('\n');
    }
  }

  end(): void {
    if (this.#pending !== '') this.#line(this.#pending);
    this.#pending = '';
  }

  #line(raw: string): void {
    // A line redrawn with carriage returns (a download bar) shows as its last state.
    const last = raw.split('\r').at(-1) ?? '';
    const line = (this.#mode.color === true ? last : plainText(last)).trimEnd();
    if (line === '') return;
    const style = this.#logger.style;
    if (STEP.test(line)) {
      // The engine joins a multi-line instruction with its indentation: one space reads better.
      const step = line.replace(/\s+/g, ' ');
      this.#step = step;
      const shown =
        this.#mode.tty && step.length > MAX_STEP_WIDTH
          ? `${step.slice(0, MAX_STEP_WIDTH - 1)}…`
          : step;
      this.#logger.progress(`${this.#mode.tty ? style.bold(shown) : shown}\n`);
      return;
    }
    if (BUILDER_NOISE.test(line) && !this.#mode.verbose) return;
    this.#logger.progress(this.#mode.tty ? `${style.dim(`  ${line}`)}\n` : `${line}\n`);
  }
}

/** Layer states after which nothing more happens to that layer. */
const LAYER_DONE = /^(Pushed|Layer already exists|Mounted from )/;
/** The engine's countdown before it tries a failed layer upload again, one event a second. */
const RETRYING = /^Retrying in (\d+) seconds?$/;

/** The seconds of a retry countdown state, or undefined for any other state. */
function retryCountdown(state: string | undefined): number | undefined {
  const match = state === undefined ? null : RETRYING.exec(state);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * Push output: on a terminal one line per layer, redrawn; elsewhere one line per finished layer
 * and one per retry the engine starts, so that a log shows why a push takes its time.
 */
export class PushLog {
  readonly #logger: Logger;
  readonly #mode: ProgressMode;
  readonly #layers = new Map<string, string>();
  #drawn = 0;

  constructor(logger: Logger, mode: ProgressMode) {
    this.#logger = logger;
    this.#mode = mode;
  }

  event(event: ProgressEvent): void {
    const { id, status } = event;
    if (status === undefined) return;
    if (id === undefined) {
      this.#logger.debug(status);
      return;
    }
    const previous = this.#layers.get(id);
    const state = event.progress ? `${status} ${event.progress}` : status;
    this.#layers.set(id, state);
    if (this.#mode.tty) {
      this.#redraw();
    } else if (LAYER_DONE.test(status) && (previous === undefined || !LAYER_DONE.test(previous))) {
      this.#logger.progress(`${id}: ${status}\n`);
    } else if (!this.#mode.verbose && isNewRetry(status, previous)) {
      this.#logger.progress(`${id}: ${status}\n`);
    } else if (this.#mode.verbose) {
      this.#logger.progress(`${id}: ${state}\n`);
    }
  }

  /** A line of its own, e.g. that the push is still waiting; on a terminal the layers go below it. */
  note(line: string): void {
    this.#logger.progress(`${line}\n`);
    this.#drawn = 0;
  }

  #redraw(): void {
    const up = this.#drawn > 0 ? `\u001b[${this.#drawn}A` : '';
    const rows = [...this.#layers].map(([id, state]) => `\u001b[2K${id}: ${state}\n`);
    this.#logger.progress(up + rows.join(''));
    this.#drawn = this.#layers.size;
  }
}

/** A countdown that starts (not its next second): the engine's first retry of a layer, or a later one. */
function isNewRetry(status: string, previous: string | undefined): boolean {
  const seconds = retryCountdown(status);
  if (seconds === undefined) return false;
  const before = retryCountdown(previous);
  return before === undefined || seconds > before;
}
