// Runs the built CLI (dist/hla-compass.js) as a subprocess, the way users run it, in a sandbox
// with its own HOME and config directory so no test touches the real ~/.hla-compass.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../dist/hla-compass.js', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

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

export function runCli(
  args: readonly string[],
  options: {
    cwd: string;
    env: Readonly<Record<string, string | undefined>>;
    stdin?: string | undefined;
  },
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const env = Object.fromEntries(
      Object.entries(options.env).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: options.cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      capturedOutput.push(stdout, stderr);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
