// One user's machine in a scenario: a temp HOME with its own hla-compass config dir (config.json
// points every env at the emulator, as the emulator's banner says to) and its own Docker config;
// the installed CLI and the Docker CLI run there as the user runs them, and every output is kept
// for the secret scan that ends each test file.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cliMachine, type ProcessResult, runProcess } from '@hla-compass/testkit';
import { expect, inject, onTestFinished } from 'vitest';
import type { AccountRole } from '../setup/world.js';

export const world = inject('world');

/** Everything any command printed in this test file. */
export const transcript: string[] = [];
/** Tokens and private keys the machines held; collected before their dirs are removed. */
export const machineSecrets: string[] = [];

export interface RunOptions {
  readonly cwd?: string;
  readonly stdin?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface UserMachine {
  readonly home: string;
  readonly configDir: string;
  readonly dockerConfig: string;
  /** The environment every command runs with (no variable of the test process leaks in). */
  readonly env: Readonly<Record<string, string>>;
  /** `hla-compass ARGS`, the one installed from verdaccio. */
  hlaCompass(args: readonly string[], options?: RunOptions): Promise<ProcessResult>;
  /** `docker --host <the test engine> ARGS`, with this machine's DOCKER_CONFIG. */
  docker(args: readonly string[]): Promise<ProcessResult>;
  /** `hla-compass init NAME`; returns the new module's directory. */
  init(name: string): Promise<string>;
  /** `hla-compass auth login --env E --email … --password-stdin` as a seeded account. */
  login(role: AccountRole, environment: string): Promise<void>;
  /** Registry credentials in DOCKER_CONFIG/config.json, as `docker login` writes them. */
  dockerLogin(registry: string, username: string, password: string): Promise<void>;
}

function record(result: ProcessResult): ProcessResult {
  transcript.push(result.stdout, result.stderr);
  return result;
}

/**
 * A new machine on testkit's CLI machine, removed when the test finishes (after its secrets
 * were noted for the scan). What is e2e's own: the installed CLI, the Docker CLI beside it.
 */
export async function newUserMachine(): Promise<UserMachine> {
  // Inside the run's scratch dir, which the global teardown removes even after a Ctrl-C.
  const home = await mkdtemp(join(world.scratchDir, 'user-'));
  const configDir = join(home, '.hla-compass');
  const dockerConfig = join(home, '.docker');
  const workDir = join(home, 'modules');
  await mkdir(dockerConfig);
  await mkdir(workDir);
  const machine = cliMachine({
    home,
    configDir,
    workDir,
    env: { DOCKER_CONFIG: dockerConfig, DOCKER_HOST: world.dockerHost },
    runCli: async (args, options) => record(await runProcess(world.cliBin, args, options)),
  });
  await machine.pointAt((name) => {
    const url = `${world.emulatorUrl}/${name}`;
    return { apiUrl: url, consoleUrl: url };
  });
  onTestFinished(async () => {
    machineSecrets.push(...(await machine.heldSecrets()));
    await rm(home, { recursive: true, force: true });
  });

  return {
    home,
    configDir,
    dockerConfig,
    env: machine.env,
    hlaCompass: machine.run,
    docker: async (args) =>
      record(
        await runProcess(world.dockerCli, ['--host', world.dockerHost, ...args], {
          cwd: workDir,
          env: machine.env,
        }),
      ),
    async init(name) {
      const result = await machine.run(['init', name]);
      expect(result.stderr).not.toMatch(/^error/m);
      expect(result.code).toBe(0);
      return join(workDir, name);
    },
    async login(role, environment) {
      const account = world.accounts[role];
      const result = await machine.login(account, environment);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain(`Logged in to ${environment} as ${account.email}`);
      expect(result.code).toBe(0);
    },
    async dockerLogin(registry, username, password) {
      // Written directly rather than by `docker login`, which would use a desktop keychain if
      // this machine has a credential helper.
      const auth = Buffer.from(`${username}:${password}`).toString('base64');
      await writeFile(
        join(dockerConfig, 'config.json'),
        JSON.stringify({ auths: { [registry]: { auth } } }),
        { mode: 0o600 },
      );
    },
  };
}
