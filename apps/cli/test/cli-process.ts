// Runs the built CLI (dist/hla-compass.js) as a subprocess, the way users run it, in a sandbox
// with its own HOME and config directory so no test touches the real ~/.hla-compass.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProcessResult, runProcess } from '@hla-compass/testkit';

export const CLI_PATH = fileURLToPath(new URL('../dist/hla-compass.js', import.meta.url));

export type CliResult = ProcessResult;

/** Every output of every run in this test file, for the scan that no secret was ever printed. */
export const capturedOutput: string[] = [];

export interface Sandbox {
  /** A scratch directory to run commands in. */
  readonly dir: string;
  readonly configDir: string;
  readonly env: Record<string, string>;
  run(args: readonly string[], options?: RunOptions): Promise<CliResult>;
  cleanup(): Promise<void>;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly stdin?: string;
}

export async function createSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'hla-cli-test-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(root, 'home'),
    HLA_COMPASS_CONFIG_DIR: join(root, 'config'),
  };
  return {
    dir: root,
    configDir: env.HLA_COMPASS_CONFIG_DIR ?? '',
    env,
    run: (args, options = {}) =>
      runCli(args, {
        cwd: options.cwd ?? root,
        env: { ...env, ...options.env },
        stdin: options.stdin,
      }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export async function runCli(
  args: readonly string[],
  options: {
    cwd: string;
    env: Readonly<Record<string, string | undefined>>;
    stdin?: string | undefined;
  },
): Promise<CliResult> {
  const result = await runProcess(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd,
    env: options.env,
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
  capturedOutput.push(result.stdout, result.stderr);
  return result;
}
