// A Docker engine for tests: the one that already answers (DOCKER_HOST, /var/run/docker.sock),
// else a private dockerd started as root with all its state in a temp dir, removed by stop().
import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { aptInstallCommand, currentDebianHost, ensureDebianPackages } from './debian.js';
import { pingEngine, socketPathOf } from './engine-api.js';
import { findExecutable } from './executables.js';
import { killAtExit, spawnService, untilAnswers } from './service-process.js';
import { ServiceUnavailableError } from './service-unavailable.js';
import { stopProcess } from './subprocess.js';

const run = promisify(execFile);

const SERVICE = 'The Docker engine for tests';
const DEFAULT_SOCKET = '/var/run/docker.sock';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
// dockerd lives in /usr/sbin, which a non-login PATH may lack.
const SYSTEM_PATHS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];
// A unix socket path has at most 107 bytes; dockerd's own sockets nest two levels below ours.
const MAX_TEMP_ROOT_LENGTH = 40;

export interface RunningDockerEngine {
  /** `unix:///…/docker.sock`: what the CLI gets as DOCKER_HOST. */
  readonly dockerHost: string;
  readonly socketPath: string;
  /** True when this call started the engine, so stop() ends it; false for a shared engine. */
  readonly private: boolean;
  /** Ends a private engine, unmounts what it left and removes its files; no-op otherwise. */
  stop(): Promise<void>;
}

export interface DockerEngineOptions {
  /** Where DOCKER_HOST and PATH are read (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Give a private engine the default docker0 bridge, so that containers can publish ports on
   * 127.0.0.1 (the registry:2 through docker compose tests). stop() deletes docker0 again when
   * this engine created it. Only one such engine should run at a time.
   */
  readonly bridge?: boolean;
  /**
   * Always start an engine of this process's own, even where one already answers: a test that
   * compares what two engines build needs two that share nothing (images, build cache).
   */
  readonly fresh?: boolean;
}

/** The unix sockets an engine may already answer on, in the order Docker's CLI looks. */
export function existingEngineSockets(env: Readonly<Record<string, string | undefined>>): string[] {
  const dockerHost = env.DOCKER_HOST?.trim();
  const fromEnv = dockerHost?.startsWith('unix://') ? [socketPathOf(dockerHost)] : [];
  return [...new Set([...fromEnv, DEFAULT_SOCKET])];
}

/** The dockerd command line of a private engine whose state all lives under `dir`. */
export function privateDaemonArguments(dir: string, options: { bridge?: boolean } = {}): string[] {
  return [
    '--config-file',
    join(dir, 'daemon.json'),
    // No host firewall rules and (unless asked) no docker0 bridge: nothing outside `dir` changes,
    // and engines started by concurrent test processes cannot collide. Builds and pushes need
    // neither; only publishing a container's port does.
    '--iptables=false',
    '--ip6tables=false',
    ...(options.bridge ? [] : ['--bridge=none']),
    // No --storage-driver: dockerd takes the first of its drivers that works on the data root,
    // as a stock install does: overlay2 on ext4, xfs or tmpfs (a layer costs only its changes),
    // vfs on an overlay root such as a container's (every layer a whole copy). A three-step build
    // on a 118-MB base took 7.0-8.5 CPU-s on vfs and 1.0-1.3 on overlay2 (issue 18).
    '--data-root',
    join(dir, 'data'),
    '--exec-root',
    join(dir, 'exec'),
    '--pidfile',
    join(dir, 'docker.pid'),
    '--host',
    `unix://${join(dir, 'docker.sock')}`,
  ];
}

/**
 * A Docker engine that answers `/_ping`: DOCKER_HOST (unix://) or /var/run/docker.sock when one
 * answers there, else a private dockerd, installing Debian's docker.io first when root on Debian.
 * Anything else is a ServiceUnavailableError that says what to install or start, never a skip.
 */
export async function startDockerEngine(
  options: DockerEngineOptions = {},
): Promise<RunningDockerEngine> {
  const env = options.env ?? process.env;
  const dockerHost = env.DOCKER_HOST?.trim();
  if (dockerHost && !dockerHost.startsWith('unix://')) {
    throw new ServiceUnavailableError(
      SERVICE,
      `DOCKER_HOST=${dockerHost} is not a unix:// socket, which is all the tests use; point it at the engine's socket or unset it`,
    );
  }
  for (const socketPath of options.fresh ? [] : existingEngineSockets(env)) {
    if (await pingEngine(socketPath)) {
      return {
        dockerHost: `unix://${socketPath}`,
        socketPath,
        private: false,
        stop: async () => {},
      };
    }
  }
  return startPrivateEngine(await dockerdProgram(env), options.bridge ?? false);
}

async function dockerdProgram(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const path = [env.PATH ?? '', ...SYSTEM_PATHS].join(':');
  const host = currentDebianHost();
  if (!host.root) {
    throw new ServiceUnavailableError(
      SERVICE,
      `no engine answers on ${existingEngineSockets(env).join(' or ')}, and only root may start a private dockerd. ` +
        'Start Docker (`sudo systemctl start docker`, or Docker Desktop) or set DOCKER_HOST=unix:///path/to/docker.sock; ' +
        `to install it on Debian or Ubuntu: ${aptInstallCommand(['docker.io'])}`,
    );
  }
  const found = await findExecutable('dockerd', path);
  if (found !== undefined) return found;
  await ensureDebianPackages(['docker.io'], { reason: SERVICE });
  const installed = await findExecutable('dockerd', path);
  if (installed === undefined) {
    throw new ServiceUnavailableError(SERVICE, 'docker.io is installed but dockerd is not on PATH');
  }
  return installed;
}

async function startPrivateEngine(dockerd: string, bridge: boolean): Promise<RunningDockerEngine> {
  // The one thing a bridged engine adds outside its dir; stop() takes it away again.
  const ownsBridge = bridge && !existsSync(BRIDGE_DEVICE);
  const tempRoot = tmpdir().length <= MAX_TEMP_ROOT_LENGTH ? tmpdir() : '/tmp';
  const dir = await mkdtemp(join(tempRoot, 'hcd-'));
  const socketPath = join(dir, 'docker.sock');
  let daemon: Daemon | undefined;
  try {
    // An empty config file keeps a host's /etc/docker/daemon.json out of the test engine.
    await writeFile(join(dir, 'daemon.json'), '{}\n');
    const service = spawnService(dockerd, privateDaemonArguments(dir, { bridge }));
    // SIGTERM at exit lets dockerd stop its containerd and unmount its data root by itself.
    daemon = { child: service.child, forget: killAtExit(service.child, 'SIGTERM') };
    await untilAnswers(service, {
      service: SERVICE,
      name: 'dockerd',
      endpoint: '/_ping',
      answers: () => pingEngine(socketPath),
      timeoutMs: READY_TIMEOUT_MS,
      pollMs: 50,
    });
  } catch (error) {
    if (daemon !== undefined) await stopDaemon(daemon, dir);
    await removeStateDirectory(dir);
    if (ownsBridge) await deleteBridge();
    throw error;
  }
  const running = daemon;
  let stopping: Promise<void> | undefined;
  return {
    dockerHost: `unix://${socketPath}`,
    socketPath,
    private: true,
    stop() {
      stopping ??= (async () => {
        await stopDaemon(running, dir);
        await removeStateDirectory(dir);
        if (ownsBridge) await deleteBridge();
      })();
      return stopping;
    },
  };
}

interface Daemon {
  readonly child: ChildProcess;
  /** Drops it from the kill at exit. */
  readonly forget: () => void;
}

const BRIDGE_DEVICE = '/sys/class/net/docker0';

async function deleteBridge(): Promise<void> {
  if (existsSync(BRIDGE_DEVICE)) await run('ip', ['link', 'delete', 'docker0']).catch(() => {});
}

/** SIGTERM, then SIGKILL (and its containerd) when dockerd does not stop in time. */
async function stopDaemon(daemon: Daemon, dir: string): Promise<void> {
  daemon.forget();
  if ((await stopProcess(daemon.child, STOP_TIMEOUT_MS)) === 'killed') {
    await killManagedContainerd(dir);
  }
}

async function killManagedContainerd(dir: string): Promise<void> {
  try {
    const pid = Number(
      (await readFile(join(dir, 'exec', 'containerd', 'containerd.pid'))).toString(),
    );
    if (Number.isSafeInteger(pid) && pid > 1) process.kill(pid, 'SIGKILL');
  } catch {
    // No pid file, or containerd is gone already.
  }
}

/** Mount points at or below `dir`, deepest first, from /proc/self/mountinfo text. */
export function mountsBelow(mountinfo: string, dir: string): string[] {
  const decodeOctal = (field: string) =>
    field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
      String.fromCharCode(Number.parseInt(octal, 8)),
    );
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => field !== undefined)
    .map(decodeOctal)
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

// dockerd unmounts its data root when it stops cleanly; after a SIGKILL the mounts stay, and
// rm would fail on them (or, worse, reach through a bind mount).
async function removeStateDirectory(dir: string): Promise<void> {
  let mountinfo = '';
  try {
    mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  } catch {
    // Not Linux: nothing can be mounted there by a test engine.
  }
  for (const mountPoint of mountsBelow(mountinfo, dir)) {
    await run('umount', ['-l', mountPoint]).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
