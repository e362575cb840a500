// Runs the built CLI (dist/hla-compass.js) as a subprocess, the way users run it, on testkit's
// CLI machine: a sandbox with its own HOME and config directory, so no test touches the real
// ~/.hla-compass. What is this suite's own: the build it runs, and where the output is kept.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CliMachine,
  type CliRunOptions,
  cliMachine,
  type ProcessResult,
  runProcess,
} from '@hla-compass/testkit';

export const CLI_PATH = fileURLToPath(new URL('../dist/hla-compass.js', import.meta.url));

export type CliResult = ProcessResult;

/** Every output of every run in this test file, for the scan that no secret was ever printed. */
export const capturedOutput: string[] = [];

export interface Sandbox extends CliMachine {
  /** A scratch directory commands run in. */
  readonly dir: string;
  cleanup(): Promise<void>;
}

export type RunOptions = CliRunOptions;

/** HOME is `<dir>/home`, the config dir `<dir>/config`; neither exists until something makes it. */
export async function createSandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'hla-cli-test-'));
  const machine = cliMachine({
    home: join(root, 'home'),
    configDir: join(root, 'config'),
    workDir: root,
    runCli,
  });
  return { ...machine, dir: root, cleanup: () => rm(root, { recursive: true, force: true }) };
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
