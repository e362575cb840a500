// A watchdog on a stream that should keep talking, such as the engine's push progress: a notice at
// each stretch of silence, and after the timeout the stream destroyed with an error, so the read
// loop fails and the far end (the engine) sees its client go away and stops the work.

export interface IdleWatchOptions {
  /** Silence after which the stream is given up. */
  readonly timeoutMs: number;
  /** Silence after which `onQuiet` is called, and again after each further stretch as long. */
  readonly noticeMs: number;
  readonly onQuiet: (silentMs: number) => void;
  /** The error the stream is destroyed with, and the read loop fails with, at the timeout. */
  readonly onTimeout: () => Error;
}

export interface DestroyableStream<T> extends AsyncIterable<T> {
  destroy(error?: Error): unknown;
}

/** The chunks of `stream` as they come, each one resetting the watch. */
export async function* idleWatched<T>(
  stream: DestroyableStream<T>,
  options: IdleWatchOptions,
): AsyncGenerator<T> {
  let last = Date.now();
  let noticed = 0;
  let timer: NodeJS.Timeout | undefined;
  // One timer at a time, set for the next notice or the timeout; a chunk only moves `last`, and
  // a timer that fires early (because a chunk came meanwhile) just sets the next one.
  const schedule = (): void => {
    const silent = Date.now() - last;
    const next = Math.min((noticed + 1) * options.noticeMs, options.timeoutMs);
    timer = setTimeout(check, Math.max(0, next - silent));
  };
  const check = (): void => {
    const silent = Date.now() - last;
    if (silent >= options.timeoutMs) {
      stream.destroy(options.onTimeout());
      return;
    }
    const stretches = Math.floor(silent / options.noticeMs);
    if (stretches > noticed) {
      noticed = stretches;
      options.onQuiet(stretches * options.noticeMs);
    }
    schedule();
  };
  schedule();
  try {
    for await (const chunk of stream) {
      last = Date.now();
      noticed = 0;
      yield chunk;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** A notice at each quarter of the timeout, in whole seconds, at least one apart. */
export function noticeInterval(timeoutMs: number): number {
  return Math.max(1000, Math.round(timeoutMs / 4 / 1000) * 1000);
}
