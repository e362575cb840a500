// A long-running program a test needs (verdaccio, dockerd; docker-registry is started by
// @hla-compass/local-registry, as the emulator starts it): spawned with the tail of its output
// kept for error messages, waited on until it answers, and killed when the test process ends
// without stopping it.
import { type ChildProcess, spawn } from 'node:child_process';
import { PortInUseError } from './ports.js';
import { ServiceUnavailableError } from './service-unavailable.js';
import { processExited } from './subprocess.js';

const MAX_LOG_CHARS = 16 * 1024;

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** The last 16 KiB it printed, trimmed. */
  log(): string;
}

/** Spawns `command` with stdin closed and its stdout and stderr kept for `log()`. */
export function spawnService(
  command: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): ServiceProcess {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(env === undefined ? {} : { env }),
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, log: () => log.trim() };
}

export interface Readiness {
  /** Who is unavailable when it fails, as ServiceUnavailableError names it. */
  readonly service: string;
  /** The program as its failures name it (`verdaccio`, `dockerd`). */
  readonly name: string;
  /** What answers once it is ready (`/v2/`), for the timeout message. */
  readonly endpoint: string;
  readonly answers: () => Promise<boolean>;
  readonly timeoutMs: number;
  readonly pollMs: number;
  /** The port it was told to listen on and how its log says that port is taken. */
  readonly portInUse?: { readonly port: number; readonly log: RegExp };
}

/**
 * Resolves once `answers()` does; throws a ServiceUnavailableError (or a PortInUseError, for the
 * caller's next port) when the program cannot start, exits first or stays silent past the
 * timeout. Stopping what is left is the caller's part, as only it knows how.
 */
export async function untilAnswers(
  { child, log }: ServiceProcess,
  readiness: Readiness,
): Promise<void> {
  // Made once, not per poll: a listener per poll would pile up on the child.
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exit = processExited(child).then(() => 'exited' as const);
  const deadline = Date.now() + readiness.timeoutMs;
  while (Date.now() < deadline) {
    if (await readiness.answers()) return;
    const failure = await Promise.race([
      spawnError,
      exit,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), readiness.pollMs)),
    ]);
    if (failure instanceof Error) {
      throw new ServiceUnavailableError(
        readiness.service,
        `cannot run ${readiness.name}: ${failure.message}`,
      );
    }
    if (failure === 'exited') {
      if (readiness.portInUse?.log.test(log())) throw new PortInUseError(readiness.portInUse.port);
      throw new ServiceUnavailableError(
        readiness.service,
        `${readiness.name} exited with code ${child.exitCode}:\n${log()}`,
      );
    }
  }
  throw new ServiceUnavailableError(
    readiness.service,
    `${readiness.name} did not answer ${readiness.endpoint} within ${readiness.timeoutMs} ms:\n${log()}`,
  );
}

// A test process that ends without stop() must not leave services behind.
const running = new Map<ChildProcess, NodeJS.Signals>();
process.once('exit', () => {
  for (const [child, signal] of running) child.kill(signal);
});

/**
 * Kills `child` with `signal` if the test process exits while it runs (SIGTERM for dockerd, which
 * then takes its containerd and mounts down by itself); the returned function forgets it.
 */
export function killAtExit(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): () => void {
  running.set(child, signal);
  return () => running.delete(child);
}
