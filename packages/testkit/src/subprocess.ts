// Runs a program to completion and hands back its exit code and everything it printed, the way a
// test drives a command line; a non-zero exit is a result to assert on, not an exception.
import { type ChildProcess, spawn } from 'node:child_process';

export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunProcessOptions {
  readonly cwd?: string;
  /** The whole environment of the child (variables set to undefined are left out). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Written to stdin, which is then closed; stdin is closed at once without it. */
  readonly stdin?: string;
}

/** The variables of `env` that have a value, as spawn wants them. */
export function definedEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** Resolves with the exit code (-1 when killed by a signal), stdout and stderr; rejects only when it cannot start. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: definedEnvironment(options.env ?? process.env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    // A child that exits before reading its stdin must not crash the test with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
}

/** Resolves once the child has exited (at once when it already has). */
export function processExited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * SIGTERM, then SIGKILL when the child has not exited after `graceMs`; resolves on the exit with
 * how it ended, so that a caller can clean up after a kill (dockerd leaves its containerd).
 */
export async function stopProcess(
  child: ChildProcess,
  graceMs = 5_000,
): Promise<'exited' | 'killed'> {
  if (child.exitCode !== null || child.signalCode !== null) return 'exited';
  child.kill('SIGTERM');
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, graceMs);
  await processExited(child);
  clearTimeout(timer);
  return killed ? 'killed' : 'exited';
}
