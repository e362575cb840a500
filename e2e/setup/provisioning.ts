// The global setup's bookkeeping: every provisioning step timed on one stderr line (so CI logs show
// where the time goes), and what was started stopped in reverse order at the end, after a failed
// start, or on Ctrl-C.

type Stop = () => Promise<void>;

function log(line: string): void {
  process.stderr.write(`[e2e setup] ${line}\n`);
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(2)} s`;
}

export class Provisioning {
  private readonly stops: { readonly name: string; readonly stop: Stop }[] = [];
  private stopping: Promise<void> | undefined;

  /** Runs one step and prints its label, what it found (`describe`) and its duration. */
  async step<T>(
    label: string,
    run: () => Promise<T>,
    describe?: (result: T) => string,
  ): Promise<T> {
    const start = performance.now();
    try {
      const result = await run();
      log(`${label}${describe === undefined ? '' : ` (${describe(result)})`}: ${seconds(start)}`);
      return result;
    } catch (error) {
      log(`${label} FAILED after ${seconds(start)}`);
      throw error;
    }
  }

  /** Remembers how to stop something that now runs (or exists); stopAll undoes it. */
  started(name: string, stop: Stop): void {
    this.stops.push({ name, stop });
  }

  /** Stops everything in reverse order of start, each once; a failure is printed, not thrown. */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      const start = performance.now();
      for (const { name, stop } of this.stops.splice(0).reverse()) {
        try {
          await stop();
        } catch (error) {
          log(`stopping ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      log(`stopped and removed everything it started: ${seconds(start)}`);
    })();
    return this.stopping;
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * On SIGINT or SIGTERM, stops what was provisioned before anything else reacts: vitest's own
 * handler exits the process 1 ms after the signal, too soon for dockerd or verdaccio to stop.
 * Then its handlers are put back and the signal raised again, so they run as they would have.
 * Returns the function that puts them back without a signal.
 */
export function stopOnSignals(provisioning: Provisioning): () => void {
  const restores = SIGNALS.map((signal) => {
    const others = process.listeners(signal);
    process.removeAllListeners(signal);
    const restore = () => {
      process.off(signal, onSignal);
      for (const listener of others) {
        if (!process.listeners(signal).includes(listener)) process.once(signal, listener);
      }
    };
    const onSignal = () => {
      log(`${signal}: stopping what was started (again to abort)`);
      void provisioning.stopAll().then(() => {
        restore();
        process.kill(process.pid, signal);
      });
    };
    process.once(signal, onSignal);
    return restore;
  });
  return () => {
    for (const restore of restores) restore();
  };
}
