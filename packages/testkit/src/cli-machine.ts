// One user's machine a test runs hla-compass on: a HOME and an hla-compass config dir of its own,
// an environment no variable of the test process leaks into, config.json pointing every
// environment at the test's emulator (as the emulator's banner says to), a sign-in as the user
// types it, and the secrets the machine came to hold, for the scan that no output printed one.
// Which CLI runs, and where its output is kept, is the caller's: apps/cli's tests run the
// workspace's build, e2e the one installed from verdaccio.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENVIRONMENTS, type Environment } from '@hla-compass/platform-api/environments';
import { allStoredTokens } from './stored-credentials.js';
import type { ProcessResult, RunProcessOptions } from './subprocess.js';

/** How a caller runs its CLI: every option filled in by the machine. */
export type CliRunner = (
  args: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string | undefined>>; stdin?: string },
) => Promise<ProcessResult>;

export interface CliMachineOptions {
  readonly home: string;
  readonly configDir: string;
  /** Where commands run unless told otherwise. */
  readonly workDir: string;
  /** Variables beside PATH, HOME and HLA_COMPASS_CONFIG_DIR (DOCKER_CONFIG, DOCKER_HOST). */
  readonly env?: Readonly<Record<string, string>>;
  readonly runCli: CliRunner;
}

export type CliRunOptions = Pick<RunProcessOptions, 'cwd' | 'env' | 'stdin'>;

export interface CliMachine {
  readonly home: string;
  readonly configDir: string;
  /** The environment every command runs with. */
  readonly env: Readonly<Record<string, string>>;
  /** `hla-compass ARGS` in the work dir; `options.env` adds to (or, undefined, drops from) env. */
  run(args: readonly string[], options?: CliRunOptions): Promise<ProcessResult>;
  /** config.json with one entry per environment (made 0700 when the config dir is missing). */
  pointAt(
    urls: (environment: Environment) => { apiUrl: string; consoleUrl?: string },
  ): Promise<void>;
  /** `hla-compass auth login --env E --email … --password-stdin`, the password on stdin. */
  login(user: { email: string; password: string }, environment: string): Promise<ProcessResult>;
  /** The tokens of credentials/<env>.json and the body of keys/private.pem, when they exist. */
  heldSecrets(): Promise<string[]>;
}

/** A machine in the given directories; nothing is created until a command or pointAt does. */
export function cliMachine(options: CliMachineOptions): CliMachine {
  const { home, configDir } = options;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    HLA_COMPASS_CONFIG_DIR: configDir,
    ...options.env,
  };
  const run: CliMachine['run'] = (args, runOptions = {}) =>
    options.runCli(args, {
      cwd: runOptions.cwd ?? options.workDir,
      env: { ...env, ...runOptions.env },
      ...(runOptions.stdin === undefined ? {} : { stdin: runOptions.stdin }),
    });
  return {
    home,
    configDir,
    env,
    run,
    async pointAt(urls) {
      await mkdir(configDir, { recursive: true, mode: 0o700 });
      const environments = Object.fromEntries(ENVIRONMENTS.map((name) => [name, urls(name)]));
      await writeFile(join(configDir, 'config.json'), JSON.stringify({ environments }, null, 2));
    },
    login: (user, environment) =>
      run(['auth', 'login', '--env', environment, '--email', user.email, '--password-stdin'], {
        stdin: `${user.password}\n`,
      }),
    async heldSecrets() {
      const privateKey = await readFile(join(configDir, 'keys', 'private.pem'), 'utf8').catch(
        () => '',
      );
      return [
        ...(await allStoredTokens(configDir)),
        ...privateKey.split('\n').filter((line) => line !== '' && !line.startsWith('-----')),
      ];
    },
  };
}
