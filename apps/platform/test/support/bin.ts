// The built `hla-compass-platform` bin as a child process, as the CLI's tests and e2e run it.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin.js');

const started = new Set<ChildProcess>();

/** Kills (SIGKILL) every bin a test started and left running, e.g. after a failed assertion. */
export async function killLeftoverBins(): Promise<void> {
  await Promise.all(
    [...started].map(
      (child) =>
        new Promise<void>((resolve) => {
          started.delete(child);
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

export interface BinProcess {
  child: ChildProcess;
  url: string;
  /** The /_emulator control token its banner printed. */
  controlToken: string;
  output: () => string;
  /** Resolves with the exit code (or the signal) once the process has exited. */
  exited: Promise<number | NodeJS.Signals>;
}

/** Starts the bin and waits for its whole banner; rejects with its output if it exits first. */
export function startBin(args: string[], env: NodeJS.ProcessEnv = {}): Promise<BinProcess> {
  const child = spawn(process.execPath, [BIN, 'start', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal as NodeJS.Signals))),
  );
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /hla-compass-platform listening on (http:\/\/\S+)/.exec(output);
      // The banner ends with the Ctrl-C line: wait for all of it.
      if (match?.[1] !== undefined && output.includes('Ctrl-C stops')) {
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (more: Buffer) => {
          output += more.toString('utf8');
        });
        const controlToken = /X-Emulator-Token: (\S+)/.exec(output)?.[1] ?? '';
        resolve({ child, url: match[1], controlToken, output: () => output, exited });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    void exited.then((code) =>
      reject(new Error(`bin exited (${code}) before listening:\n${output}`)),
    );
  });
}

/** Runs the bin to completion (for commands that exit by themselves). */
export async function runBin(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | NodeJS.Signals; output: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const code = await new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal as NodeJS.Signals))),
  );
  return { code, output };
}

/**
 * Publishes to `bin`'s dev environment from `lanes` writers at once, each sending publish after
 * publish (`body(lane, index)` gives a label and the request body), until `enough` have been
 * acknowledged or one is refused; then kills the process with SIGKILL under them and waits for
 * every writer to see it die. What was acknowledged (202) and refused (anything else) comes back,
 * by label: the durability suites check the restarted databases against it.
 */
export async function publishUntilKilled(
  bin: BinProcess,
  options: {
    lanes: number;
    enough: number;
    apiKey: string;
    body: (lane: number, index: number) => { label: string; json: unknown };
  },
): Promise<{ acknowledged: string[]; refused: string[] }> {
  const acknowledged: string[] = [];
  const refused: string[] = [];
  let killed = false;
  const writer = async (lane: number) => {
    for (let index = 0; !killed; index++) {
      const { label, json } = options.body(lane, index);
      try {
        const response = await fetch(`${bin.url}/dev/v1/modules/publish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey },
          body: JSON.stringify(json),
        });
        if (response.status === 202) acknowledged.push(label);
        else refused.push(`${label}: ${response.status} ${await response.text()}`);
      } catch {
        return; // The connection died with the process.
      }
    }
  };
  const writers = Array.from({ length: options.lanes }, (_, lane) => writer(lane));
  while (acknowledged.length < options.enough && refused.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  bin.child.kill('SIGKILL');
  killed = true;
  const signal = await bin.exited;
  await Promise.all(writers);
  if (signal !== 'SIGKILL') refused.push(`the process ended with ${signal}, not SIGKILL`);
  return { acknowledged, refused };
}
