// One run of a module's image on the engine: a container created with the runtime contract's
// mounts, variables and limits, its log followed line by line, stopped when it outlives its
// timeout or the user interrupts, and always removed afterwards.
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { engineMessage } from '../docker/engine.js';
import { RejectedError } from '../errors.js';
import type { ContainerLimits } from './runtime-contract.js';

export interface ContainerMount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

export interface ContainerRunSpec {
  /** An image id or reference the engine has. */
  readonly image: string;
  readonly env: readonly string[];
  readonly mounts: readonly ContainerMount[];
  readonly limits: ContainerLimits;
  readonly labels?: Readonly<Record<string, string>>;
  /** Each line the module logs (stdout and stderr), as it comes. */
  readonly onLog?: (line: string) => void;
  /** Aborting stops the container (Ctrl-C). */
  readonly signal?: AbortSignal;
}

export interface ContainerRunResult {
  /** The process's exit status (137 when it was killed). */
  readonly exitCode: number;
  readonly timedOut: boolean;
  readonly interrupted: boolean;
  readonly oomKilled: boolean;
  /** From start to exit. */
  readonly durationMs: number;
  /** The last lines of the log, for a failure's report. */
  readonly logTail: readonly string[];
}

const TAIL_LINES = 20;
const MAX_LINE = 2000;
/** How long the log may keep flowing once the container has exited. */
const LOG_DRAIN_MS = 2000;

export async function runContainer(
  docker: Dockerode,
  spec: ContainerRunSpec,
): Promise<ContainerRunResult> {
  const { limits } = spec;
  let container: Dockerode.Container;
  try {
    container = await docker.createContainer({
      Image: spec.image,
      Env: [...spec.env],
      Labels: { ...spec.labels },
      Tty: false,
      HostConfig: {
        Mounts: spec.mounts.map((mount) => ({
          Type: 'bind' as const,
          Source: mount.source,
          Target: mount.target,
          ReadOnly: mount.readOnly,
        })),
        NetworkMode: limits.networkMode,
        // No swap beyond the limit: the platform's memory is the memory a run has.
        ...(limits.memoryBytes === undefined
          ? {}
          : { Memory: limits.memoryBytes, MemorySwap: limits.memoryBytes }),
        ...(limits.nanoCpus === undefined ? {} : { NanoCpus: limits.nanoCpus }),
      },
    });
  } catch (error) {
    throw new RejectedError(
      `the Docker engine could not create the test container: ${engineMessage(error)}`,
      { code: 'TEST_RUN_FAILED', cause: error },
    );
  }

  const tail: string[] = [];
  const onLine = (line: string) => {
    const shown = line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
    tail.push(shown);
    if (tail.length > TAIL_LINES) tail.shift();
    spec.onLog?.(shown);
  };
  try {
    await container.start();
    const started = performance.now();
    const logEnded = followLog(docker, container, onLine);
    const waited = container.wait() as Promise<{ StatusCode?: number }>;
    const ending = await untilEnd(waited, limits.timeoutSeconds * 1000, spec.signal);
    if (ending !== 'exited') await container.kill().catch(() => undefined);
    const status = await waited;
    const durationMs = Math.round(performance.now() - started);
    await Promise.race([logEnded, delay(LOG_DRAIN_MS)]);
    const state = (await container.inspect()).State;
    return {
      exitCode: status.StatusCode ?? state.ExitCode,
      timedOut: ending === 'timeout',
      interrupted: ending === 'interrupted',
      oomKilled: state.OOMKilled === true,
      durationMs,
      logTail: tail,
    };
  } catch (error) {
    throw new RejectedError(`the test container failed to run: ${engineMessage(error)}`, {
      code: 'TEST_RUN_FAILED',
      cause: error,
    });
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

type Ending = 'exited' | 'timeout' | 'interrupted';

async function untilEnd(
  waited: Promise<unknown>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Ending> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      waited.then(() => 'exited' as const),
      new Promise<Ending>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      }),
      new Promise<Ending>((resolve) => {
        onAbort = () => resolve('interrupted');
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

/** Follows the container's multiplexed log, calling `onLine` per line; resolves at its end. */
async function followLog(
  docker: Dockerode,
  container: Dockerode.Container,
  onLine: (line: string) => void,
): Promise<void> {
  const stream = await container.logs({ follow: true, stdout: true, stderr: true });
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  const outputs = [new PassThrough(), new PassThrough()] as const;
  for (const output of outputs) {
    let pending = '';
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      const lines = (pending + chunk).split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    output.on('end', () => {
      if (pending !== '') onLine(pending);
    });
  }
  docker.modem.demuxStream(stream, outputs[0], outputs[1]);
  await ended;
  for (const output of outputs) output.end();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
