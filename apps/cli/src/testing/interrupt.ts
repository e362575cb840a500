// Ctrl-C during `hla-compass test`: a signal the run and the watch loop stop on, so the container
// is removed and the watchers closed before the process ends (exit 130, the shell's code for it).
// The one place the CLI listens to process signals.

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Stops listening; the default handling (ending the process) applies again. */
  dispose(): void;
}

export function onInterrupt(): Interrupt {
  const controller = new AbortController();
  const abort = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    },
  };
}
