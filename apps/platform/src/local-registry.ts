// The local image registry that `hla-compass-platform start` brings up on 127.0.0.1:5000 for the
// seeded allowlists: one already listening, else Debian's `docker-registry` binary, else
// `docker compose up -d registry` when a Docker engine answers, else a precise reason why not.
// The program is run as testkit runs its test registries, by @hla-compass/local-registry.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  composeCommand,
  findExecutable,
  probeRegistry,
  RegistryProgramError,
  startRegistryProgram,
} from '@hla-compass/local-registry';

export interface LocalRegistry {
  /** One line for the start-up banner. */
  readonly description: string;
  /** Stops what this process started (nothing when it found one running). */
  stop(): Promise<void>;
}

export interface LocalRegistryOptions {
  host: string;
  port: number;
  /** Storage goes under `<dataDir>/registry`; a temp dir (removed at stop) when undefined. */
  dataDir: string | undefined;
  /** The repository root holding docker-compose.yml, when running from a checkout. */
  composeDir: string | undefined;
}

const READY_TIMEOUT_MS = 10_000;

function run(
  command: string,
  args: string[],
  cwd?: string,
): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ ok: error === null, output: `${stdout}${stderr}`.trim() }),
    );
  });
}

async function startBinary(
  binary: string,
  options: LocalRegistryOptions,
): Promise<LocalRegistry | string> {
  const temporary = options.dataDir === undefined;
  const root =
    options.dataDir === undefined
      ? await mkdtemp(join(tmpdir(), 'hla-compass-registry-'))
      : join(options.dataDir, 'registry');
  const storageDir = join(root, 'storage');
  mkdirSync(storageDir, { recursive: true });
  const logFile = join(root, 'registry.log');
  try {
    const program = await startRegistryProgram({
      program: binary,
      configPath: join(root, 'config.yml'),
      address: `${options.host}:${options.port}`,
      storageDir,
      logLevel: 'warn',
      logFile,
      timeoutMs: READY_TIMEOUT_MS,
    });
    return {
      description: `docker-registry on ${options.host}:${options.port} (storage ${storageDir}, log ${logFile})`,
      async stop() {
        await program.stop();
        if (temporary) await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (error instanceof RegistryProgramError) return error.message;
    throw error;
  }
}

async function startCompose(options: LocalRegistryOptions): Promise<LocalRegistry | string> {
  if (
    options.composeDir === undefined ||
    !existsSync(join(options.composeDir, 'docker-compose.yml'))
  ) {
    return 'no docker-compose.yml (run from a checkout of the hla-compass repository)';
  }
  const composeDir = options.composeDir;
  const found = await composeCommand();
  if ('unavailable' in found) return found.unavailable;
  const [command = 'docker', ...prefix] = found.command;
  const up = await run(command, [...prefix, 'up', '-d', 'registry'], composeDir);
  if (!up.ok)
    return `\`docker compose up -d registry\` failed: ${up.output.split('\n').at(-1) ?? ''}`;
  return {
    description: `registry:2 from docker-compose.yml on ${options.host}:${options.port} (docker compose)`,
    async stop() {
      await run(command, [...prefix, 'stop', 'registry'], composeDir);
    },
  };
}

/**
 * Starts (or finds) the registry; on failure, returns why in words a user can act on. Never
 * throws: the emulator works without a registry, only publishes fail (REGISTRY_UNAVAILABLE).
 */
export async function startLocalRegistry(
  options: LocalRegistryOptions,
): Promise<LocalRegistry | { unavailable: string }> {
  const found = await probeRegistry(`http://${options.host}:${options.port}`);
  if (found === 'registry') {
    return {
      description: `a registry already listening on ${options.host}:${options.port} (not started here)`,
      stop: async () => {},
    };
  }
  if (found === 'other') {
    return {
      unavailable: `${options.host}:${options.port} is taken by something that is not a registry`,
    };
  }
  const binary = await findExecutable('docker-registry');
  const reasons: string[] = [];
  if (binary !== undefined) {
    const started = await startBinary(binary, options);
    if (typeof started !== 'string') return started;
    reasons.push(started);
  } else {
    reasons.push('`docker-registry` is not installed (Debian: apt-get install docker-registry)');
  }
  const composed = await startCompose(options);
  if (typeof composed !== 'string') return composed;
  reasons.push(composed);
  return { unavailable: reasons.join('; and ') };
}
