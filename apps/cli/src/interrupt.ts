// Ctrl-C (or a CI job's SIGTERM) in the middle of a command: the one place the CLI listens to
// process signals. Two uses: work that can be stopped cleanly hands an AbortSignal down (`test`
// removes its container and closes its watchers), and a request that changes the platform, which
// the platform may act on whatever happens here, is explained before the process ends (publish).
// Either way the exit code is an interrupted process's: 128 + the signal's number.
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type Interruption = keyof typeof EXIT_CODES;

export interface Interrupt {
  /** Aborted on the first SIGINT or SIGTERM; its reason is an InterruptedError. */
  readonly signal: AbortSignal;
  /** Stops listening; the default handling (ending the process) applies again. */
  dispose(): void;
}

/** What an interrupted signal's `reason` is: which signal, and the exit code it means. */
export class InterruptedError extends Error {
  readonly exitCode: number;

  constructor(readonly interruption: Interruption) {
    super('interrupted');
    this.name = 'InterruptedError';
    this.exitCode = EXIT_CODES[interruption];
  }
}

export function onInterrupt(): Interrupt {
  const controller = new AbortController();
  const handlers = (Object.keys(EXIT_CODES) as Interruption[]).map((interruption) => {
    const handler = () => controller.abort(new InterruptedError(interruption));
    process.once(interruption, handler);
    return { interruption, handler };
  });
  return {
    signal: controller.signal,
    dispose() {
      for (const { interruption, handler } of handlers) process.off(interruption, handler);
    },
  };
}

/** The exit code of a run that `signal` ended: 130 for SIGINT, 143 for SIGTERM. */
export function interruptedExitCode(signal: AbortSignal): number {
  return signal.reason instanceof InterruptedError ? signal.reason.exitCode : EXIT_CODES.SIGINT;
}

/** Runs `work`; a SIGINT or SIGTERM meanwhile calls `onInterrupted`, then exits. */
export async function uninterruptedOrExplained<T>(
  work: () => Promise<T>,
  onInterrupted: (signal: Interruption) => void,
): Promise<T> {
  const interrupt = onInterrupt();
  interrupt.signal.addEventListener('abort', () => {
    const { interruption, exitCode } = interrupt.signal.reason as InterruptedError;
    onInterrupted(interruption);
    // Leaves once the explanation is flushed (a pipe's writes are asynchronous on some systems).
    const leave = () => process.exit(exitCode);
    process.stderr.write('', leave);
    setTimeout(leave, 1000).unref();
  });
  try {
    return await work();
  } finally {
    interrupt.dispose();
  }
}
