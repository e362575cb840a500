// Ctrl-C (or a CI job's SIGTERM) while a request that changes the platform is out: the platform
// may act on it whatever happens here, so the user is told what state it may be in and how to go
// on, then the process ends as an interrupted one does (exit 128 + the signal's number).
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type Interruption = keyof typeof EXIT_CODES;

/** Runs `work`; a SIGINT or SIGTERM meanwhile calls `onInterrupt`, then exits. */
export async function uninterruptedOrExplained<T>(
  work: () => Promise<T>,
  onInterrupt: (signal: Interruption) => void,
): Promise<T> {
  const handlers = (Object.keys(EXIT_CODES) as Interruption[]).map((signal) => {
    const handler = () => {
      onInterrupt(signal);
      // Leaves once the explanation is flushed (a pipe's writes are asynchronous on some systems).
      const leave = () => process.exit(EXIT_CODES[signal]);
      process.stderr.write('', leave);
      setTimeout(leave, 1000).unref();
    };
    process.once(signal, handler);
    return { signal, handler };
  });
  try {
    return await work();
  } finally {
    for (const { signal, handler } of handlers) process.off(signal, handler);
  }
}
