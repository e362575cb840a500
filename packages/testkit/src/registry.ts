// A real OCI registry for tests on a free loopback port, with storage in a temp dir and optional
// htpasswd auth: Debian's `docker-registry` (the program inside registry:2, run as the emulator
// runs it, by @hla-compass/local-registry), or, where that program cannot be had but Docker can,
// registry:2 from the repository's docker-compose.yml.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  composeCommand as findComposeCommand,
  findExecutable,
  probeRegistry,
  type RegistryProgram,
  RegistryProgramError,
  startRegistryProgram,
} from '@hla-compass/local-registry';
import { ensureDebianPackages } from './debian.js';
import { LOOPBACK_HOST, onFreePort, PortInUseError } from './ports.js';
import { killAtExit } from './service-process.js';
import { ServiceUnavailableError } from './service-unavailable.js';

const SERVICE = 'The test registry (docker-registry)';
const run = promisify(execFile);
const READY_TIMEOUT_MS = 15_000;

export interface RegistryUser {
  readonly username: string;
  readonly password: string;
}

export interface RegistryOptions {
  /** Require HTTP Basic auth for this one user (a bcrypt htpasswd file is generated). */
  readonly htpasswd?: RegistryUser;
  /**
   * `program` runs docker-registry; `compose` runs registry:2 through docker compose. By default
   * the program, and compose only when the program cannot be had.
   */
  readonly via?: 'program' | 'compose';
  /** The engine docker compose talks to (default: DOCKER_HOST, else the default socket). */
  readonly dockerHost?: string;
}

export interface RunningRegistry {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT`, the registry part of image references. */
  readonly host: string;
  readonly port: number;
  readonly storageDir: string;
  readonly credentials?: RegistryUser;
  /** Kills the registry, waits for it to exit and removes its files. Safe to call twice. */
  stop(): Promise<void>;
}

/** The two programs, installing their Debian packages when they are missing. */
async function registryPrograms(
  withHtpasswd: boolean,
): Promise<{ registry: string; htpasswd?: string }> {
  const find = async () => ({
    registry: await findExecutable('docker-registry'),
    htpasswd: withHtpasswd ? await findExecutable('htpasswd') : undefined,
  });
  let found = await find();
  const packages = [
    ...(found.registry === undefined ? ['docker-registry'] : []),
    ...(withHtpasswd && found.htpasswd === undefined ? ['apache2-utils'] : []),
  ];
  if (packages.length > 0) {
    await ensureDebianPackages(packages, { reason: SERVICE });
    found = await find();
  }
  if (found.registry === undefined || (withHtpasswd && found.htpasswd === undefined)) {
    throw new ServiceUnavailableError(
      SERVICE,
      'docker-registry (package docker-registry) or htpasswd (package apache2-utils) is installed but not on PATH',
    );
  }
  return found.htpasswd === undefined
    ? { registry: found.registry }
    : { registry: found.registry, htpasswd: found.htpasswd };
}

function bcryptEntry(htpasswd: string, user: RegistryUser): Promise<string> {
  return new Promise((resolve, reject) => {
    // -i reads the password from stdin, so it never shows in a process list.
    const child = execFile(htpasswd, ['-niB', user.username], (error, stdout) => {
      if (error) reject(new ServiceUnavailableError(SERVICE, `htpasswd failed: ${error.message}`));
      else resolve(stdout.trim());
    });
    child.stdin?.end(user.password);
  });
}

/** docker-registry on `port`; a PortInUseError when the port is taken, for the next one. */
async function startOnPort(
  port: number,
  registry: string,
  configDir: string,
  storageDir: string,
  htpasswdFile: string | undefined,
): Promise<RegistryProgram> {
  try {
    return await startRegistryProgram({
      program: registry,
      configPath: join(configDir, `config-${port}.yml`),
      address: `${LOOPBACK_HOST}:${port}`,
      storageDir,
      ...(htpasswdFile === undefined ? {} : { htpasswdFile }),
      timeoutMs: READY_TIMEOUT_MS,
      pollMs: 25,
    });
  } catch (error) {
    if (!(error instanceof RegistryProgramError)) throw error;
    if (error.reason === 'exited' && /address already in use/i.test(error.log)) {
      throw new PortInUseError(port);
    }
    throw new ServiceUnavailableError(SERVICE, error.message);
  }
}

/**
 * Starts `docker-registry` on a free loopback port and waits until `/v2/` answers. Installs
 * `docker-registry` (and `apache2-utils` for htpasswd) with apt when root on Debian; otherwise
 * a missing program is a ServiceUnavailableError saying how to install it. Never skipped.
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  if (options.via === 'compose') return startComposeRegistry(options);
  let programs: Awaited<ReturnType<typeof registryPrograms>>;
  try {
    programs = await registryPrograms(options.htpasswd !== undefined);
  } catch (error) {
    if (options.via === 'program' || !(error instanceof ServiceUnavailableError)) throw error;
    const compose = await composeCommand(options.dockerHost);
    if (compose === undefined) {
      throw new ServiceUnavailableError(
        SERVICE,
        `${error.message}; registry:2 through docker compose would do instead, but there is no docker compose (or docker-compose) with a running Docker engine either`,
      );
    }
    return startComposeRegistry(options, compose);
  }
  const workDir = await mkdtemp(join(tmpdir(), 'hla-compass-registry-'));
  const storageDir = join(workDir, 'storage');
  try {
    await mkdir(storageDir);
    let htpasswdFile: string | undefined;
    if (options.htpasswd !== undefined && programs.htpasswd !== undefined) {
      htpasswdFile = join(workDir, 'htpasswd');
      await writeFile(htpasswdFile, `${await bcryptEntry(programs.htpasswd, options.htpasswd)}\n`, {
        mode: 0o600,
      });
    }
    const { program, port } = await onFreePort(async (port) => ({
      program: await startOnPort(port, programs.registry, workDir, storageDir, htpasswdFile),
      port,
    }));
    const forget = killAtExit(program.child);
    return runningRegistry(port, storageDir, options.htpasswd, async () => {
      await program.stop();
      forget();
      await rm(workDir, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

const COMPOSE_FILE = fileURLToPath(new URL('../../../docker-compose.yml', import.meta.url));

function dockerEnv(dockerHost: string | undefined): NodeJS.ProcessEnv {
  return dockerHost === undefined ? process.env : { ...process.env, DOCKER_HOST: dockerHost };
}

/** `docker compose` or `docker-compose`, whichever works against a running engine, or undefined. */
async function composeCommand(dockerHost: string | undefined): Promise<string[] | undefined> {
  const found = await findComposeCommand(dockerEnv(dockerHost));
  return 'command' in found ? found.command : undefined;
}

/** The handle both ways of running a registry give; `stop` runs once however often it is called. */
function runningRegistry(
  port: number,
  storageDir: string,
  credentials: RegistryUser | undefined,
  stop: () => Promise<void>,
): RunningRegistry {
  const host = `${LOOPBACK_HOST}:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}`,
    host,
    port,
    storageDir,
    ...(credentials === undefined ? {} : { credentials }),
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
}

/**
 * registry:2 as the repository's docker-compose.yml defines it (service `registry`, or
 * `registry-auth` with htpasswd), moved to a free port and temp storage through the file's own
 * variables, in a compose project of its own that stop() takes down.
 */
async function startComposeRegistry(
  options: RegistryOptions,
  command?: string[],
): Promise<RunningRegistry> {
  const compose = command ?? (await composeCommand(options.dockerHost));
  if (compose === undefined) {
    throw new ServiceUnavailableError(
      SERVICE,
      'registry:2 through docker compose needs a running Docker engine and docker compose (or docker-compose 1.29)',
    );
  }
  const htpasswd = await composeHtpasswd(options.htpasswd);
  const workDir = await mkdtemp(join(tmpdir(), 'hla-compass-registry-'));
  try {
    const project = await composeProject(compose, workDir, options, htpasswd);
    const port = await onFreePort((candidate) => project.upOn(candidate));
    await untilComposeRegistryAnswers(port, project);
    return runningRegistry(port, project.storageDir, options.htpasswd, async () => {
      await project.down();
      await rm(workDir, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

/** The htpasswd program a registry with a user needs, or undefined for one without. */
async function composeHtpasswd(auth: RegistryUser | undefined): Promise<string | undefined> {
  if (auth === undefined) return undefined;
  const htpasswd = await findExecutable('htpasswd');
  if (htpasswd === undefined) {
    throw new ServiceUnavailableError(
      SERVICE,
      'htpasswd is needed for the user file (Debian: apache2-utils)',
    );
  }
  return htpasswd;
}

interface ComposeProject {
  readonly storageDir: string;
  /** `up -d` of the service on `port`; a PortInUseError when the port is taken. */
  upOn(port: number): Promise<number>;
  /** `down -v`, ignoring failures: nothing may be left whatever happened before. */
  down(): Promise<void>;
}

/** A compose project of its own under `workDir`, with storage and the user file in place. */
async function composeProject(
  compose: string[],
  workDir: string,
  options: RegistryOptions,
  htpasswd: string | undefined,
): Promise<ComposeProject> {
  const auth = options.htpasswd;
  const storageDir = join(workDir, 'storage');
  const authDir = join(workDir, 'auth');
  await mkdir(storageDir);
  if (auth !== undefined && htpasswd !== undefined) {
    await mkdir(authDir);
    await writeFile(join(authDir, 'htpasswd'), `${await bcryptEntry(htpasswd, auth)}\n`);
  }
  const name = `hla-compass-test-${randomBytes(4).toString('hex')}`;
  const service = auth === undefined ? 'registry' : 'registry-auth';
  const env = dockerEnv(options.dockerHost);
  let variables: Record<string, string> = {};
  const composeRun = (args: string[]) =>
    run(compose[0] ?? '', [...compose.slice(1), '-p', name, '-f', COMPOSE_FILE, ...args], {
      env: { ...env, ...variables },
    });
  const down = async () => {
    await composeRun(['down', '-v', '--remove-orphans']).catch(() => undefined);
  };
  return {
    storageDir,
    down,
    async upOn(port) {
      variables =
        auth === undefined
          ? { REGISTRY_PORT: String(port), REGISTRY_DATA: storageDir }
          : {
              REGISTRY_AUTH_PORT: String(port),
              REGISTRY_AUTH_DATA: storageDir,
              REGISTRY_AUTH_DIR: authDir,
            };
      try {
        await composeRun(['up', '-d', service]);
      } catch (error) {
        const stderr = String((error as { stderr?: unknown }).stderr ?? error);
        await down();
        if (/address already in use|port is already allocated/i.test(stderr)) {
          throw new PortInUseError(port);
        }
        throw new ServiceUnavailableError(
          SERVICE,
          `docker compose up ${service} failed:\n${stderr.trim()}`,
        );
      }
      return port;
    },
  };
}

/** Waits for `/v2/` of the container; takes the project down when it never answers. */
async function untilComposeRegistryAnswers(port: number, project: ComposeProject): Promise<void> {
  const url = `http://${LOOPBACK_HOST}:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while ((await probeRegistry(url)) !== 'registry') {
    if (Date.now() > deadline) {
      await project.down();
      throw new ServiceUnavailableError(
        SERVICE,
        `registry:2 did not answer ${url}/v2/ within ${READY_TIMEOUT_MS} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
