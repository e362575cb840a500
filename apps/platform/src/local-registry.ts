// The local image registry that `hla-compass-platform start` brings up on 127.0.0.1:5000 for the
// seeded allowlists: one already listening, else Debian's `docker-registry` binary, else
// `docker compose up -d registry` when a Docker engine answers, else a precise reason why not.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { constants, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

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

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      await access(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** What answers at `/v2/`: a registry (200 or 401), something else, or nothing. */
async function probe(origin: string): Promise<'registry' | 'other' | 'none'> {
  try {
    const response = await fetch(`${origin}/v2/`, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.status === 200 || response.status === 401 ? 'registry' : 'other';
  } catch {
    return 'none';
  }
}

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

async function waitUntilReady(origin: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    if ((await probe(origin)) === 'registry') return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function startBinary(
  binary: string,
  options: LocalRegistryOptions,
  origin: string,
): Promise<LocalRegistry | string> {
  const temporary = options.dataDir === undefined;
  const root =
    options.dataDir === undefined
      ? await mkdtemp(join(tmpdir(), 'hla-compass-registry-'))
      : join(options.dataDir, 'registry');
  mkdirSync(join(root, 'storage'), { recursive: true });
  const config = join(root, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: warn }',
      `http: { addr: "${options.host}:${options.port}" }`,
      `storage: { filesystem: { rootdirectory: "${join(root, 'storage')}" }, delete: { enabled: true } }`,
      '',
    ].join('\n'),
  );
  const logFile = join(root, 'registry.log');
  const log = openSync(logFile, 'a');
  const child = spawn(binary, ['serve', config], { stdio: ['ignore', log, log] });
  if (!(await waitUntilReady(origin, child))) {
    await stopChild(child);
    return `${binary} did not answer on ${origin} within ${READY_TIMEOUT_MS / 1000} s (see ${logFile})`;
  }
  return {
    description: `docker-registry on ${options.host}:${options.port} (storage ${join(root, 'storage')}, log ${logFile})`,
    async stop() {
      await stopChild(child);
      if (temporary) await rm(root, { recursive: true, force: true });
    },
  };
}

async function startCompose(options: LocalRegistryOptions): Promise<LocalRegistry | string> {
  const docker = await onPath('docker');
  if (docker === undefined) return 'the docker CLI is not installed';
  const info = await run(docker, ['info', '--format', '{{.ServerVersion}}']);
  if (!info.ok) {
    return `no Docker engine answers (${process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'}): ${info.output.split('\n')[0] ?? ''}`;
  }
  if (
    options.composeDir === undefined ||
    !existsSync(join(options.composeDir, 'docker-compose.yml'))
  ) {
    return 'no docker-compose.yml (run from a checkout of the hla-compass repository)';
  }
  const composeDir = options.composeDir;
  const compose = (await run(docker, ['compose', 'version'])).ok
    ? { command: docker, prefix: ['compose'] }
    : { command: (await onPath('docker-compose')) ?? 'docker-compose', prefix: [] };
  const up = await run(compose.command, [...compose.prefix, 'up', '-d', 'registry'], composeDir);
  if (!up.ok)
    return `\`docker compose up -d registry\` failed: ${up.output.split('\n').at(-1) ?? ''}`;
  return {
    description: `registry:2 from docker-compose.yml on ${options.host}:${options.port} (docker compose)`,
    async stop() {
      await run(compose.command, [...compose.prefix, 'stop', 'registry'], composeDir);
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
  const origin = `http://${options.host}:${options.port}`;
  const found = await probe(origin);
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
  const binary = await onPath('docker-registry');
  const reasons: string[] = [];
  if (binary !== undefined) {
    const started = await startBinary(binary, options, origin);
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
