// Debian's `docker-registry` (the distribution registry, the program inside registry:2) on a
// loopback address, the one way the emulator's `start` and testkit's test registries run it:
// found on PATH, given a config, started until `/v2/` answers, stopped; and the docker compose
// command that runs registry:2 where the program cannot be had. No dependencies: the emulator
// needs this at run time, and testkit, which the emulator's own tests use, may not be one.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

const PROGRAM = 'docker-registry';
const MAX_LOG_CHARS = 16 * 1024;
const STOP_GRACE_MS = 5_000;

/** The absolute path of `name` on `path` (default: PATH), or undefined. */
export async function findExecutable(
  name: string,
  path: string = process.env.PATH ?? '',
): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; keep looking.
    }
  }
  return undefined;
}

/** What answers at `/v2/`: a registry (200, or 401 asking for a login), something else, or nothing. */
export type RegistryAnswer = 'registry' | 'other' | 'none';

/** Asks `<origin>/v2/` once, for at most a second. */
export async function probeRegistry(origin: string): Promise<RegistryAnswer> {
  try {
    const response = await fetch(`${origin}/v2/`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.status === 200 || response.status === 401 ? 'registry' : 'other';
  } catch {
    return 'none';
  }
}

export interface RegistryConfig {
  /** `host:port` to listen on. */
  readonly address: string;
  readonly storageDir: string;
  /** Requires HTTP Basic auth against this bcrypt htpasswd file. */
  readonly htpasswdFile?: string;
  /** `warn` keeps warnings and one access line per request; `error` (the default) only errors. */
  readonly logLevel?: 'warn' | 'error';
}

/** docker-registry's config.yml: filesystem storage with deletes, a random HTTP secret. */
export function registryConfig(config: RegistryConfig): string {
  const verbose = config.logLevel === 'warn';
  // JSON strings are valid YAML scalars, which keeps any path safe to embed.
  const lines = [
    'version: 0.1',
    'log:',
    `  level: ${verbose ? 'warn' : 'error'}`,
    '  accesslog:',
    `    disabled: ${!verbose}`,
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(config.storageDir)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${JSON.stringify(config.address)}`,
    `  secret: ${JSON.stringify(randomBytes(24).toString('hex'))}`,
  ];
  if (config.htpasswdFile !== undefined) {
    lines.push(
      'auth:',
      '  htpasswd:',
      '    realm: hla-compass',
      `    path: ${JSON.stringify(config.htpasswdFile)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface RegistryProgramOptions extends RegistryConfig {
  /** docker-registry's path, as findExecutable('docker-registry') finds it. */
  readonly program: string;
  /** Where its config is written. */
  readonly configPath: string;
  /** A file its output is appended to; without one, the last 16 KiB are kept for errors. */
  readonly logFile?: string;
  readonly timeoutMs: number;
  /** How often `/v2/` is asked while it starts (default 50 ms). */
  readonly pollMs?: number;
}

/** Why it did not start: it could not be run, it exited, or it stayed silent; and what it printed. */
export class RegistryProgramError extends Error {
  constructor(
    message: string,
    readonly reason: 'spawn' | 'exited' | 'timeout',
    /** Its output, when kept (not with a log file, which the message names instead). */
    readonly log: string,
  ) {
    super(message);
    this.name = 'RegistryProgramError';
  }
}

export interface RegistryProgram {
  readonly child: ChildProcess;
  /** `http://host:port` */
  readonly origin: string;
  /** SIGTERM, SIGKILL after 5 s; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Writes its config, starts it and resolves once `/v2/` answers; otherwise stops it and throws
 * a RegistryProgramError (an address already in use shows in the log of one that exited).
 */
export async function startRegistryProgram(
  options: RegistryProgramOptions,
): Promise<RegistryProgram> {
  await writeFile(options.configPath, registryConfig(options));
  const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(options.program, ['serve', options.configPath], {
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
  });
  // The child holds its own copy of the descriptor.
  if (logFd !== undefined) closeSync(logFd);
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const origin = `http://${options.address}`;
  const program: RegistryProgram = { child, origin, stop: () => stopChild(child) };
  const failure = await untilAnswers(child, origin, options);
  if (failure === undefined) return program;
  await program.stop();
  const shown = options.logFile === undefined ? `:\n${log.trim()}` : ` (see ${options.logFile})`;
  const message = {
    spawn: `cannot run ${PROGRAM}: ${failure.error?.message ?? ''}`,
    exited: `${PROGRAM} exited with code ${child.exitCode}${shown}`,
    timeout: `${PROGRAM} did not answer ${origin}/v2/ within ${options.timeoutMs} ms${shown}`,
  }[failure.reason];
  throw new RegistryProgramError(message, failure.reason, log.trim());
}

/** Undefined once `/v2/` answers; else why not. */
async function untilAnswers(
  child: ChildProcess,
  origin: string,
  options: Pick<RegistryProgramOptions, 'timeoutMs' | 'pollMs'>,
): Promise<{ reason: RegistryProgramError['reason']; error?: Error } | undefined> {
  // Made once, not per poll: a listener per poll would pile up on the child.
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exit = exited(child).then(() => 'exited' as const);
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if ((await probeRegistry(origin)) === 'registry') return undefined;
    const failure = await Promise.race([
      spawnError,
      exit,
      new Promise<undefined>((resolve) =>
        setTimeout(() => resolve(undefined), options.pollMs ?? 50),
      ),
    ]);
    if (failure instanceof Error) return { reason: 'spawn', error: failure };
    if (failure === 'exited') return { reason: 'exited' };
  }
  return { reason: 'timeout' };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  child.kill('SIGTERM');
  await exited(child);
  clearTimeout(timer);
}

function succeeds(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ ok: error === null, output: `${stdout}${stderr}`.trim() }),
    );
  });
}

/**
 * `docker compose` or `docker-compose`, whichever works against the engine `env` names
 * (DOCKER_HOST, else the default socket), as a command line; or why neither can run registry:2.
 */
export async function composeCommand(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ command: string[] } | { unavailable: string }> {
  const docker = await findExecutable('docker', env.PATH);
  if (docker === undefined) return { unavailable: 'the docker CLI is not installed' };
  const engine = await succeeds(docker, ['version', '--format', '{{.Server.Version}}'], env);
  if (!engine.ok) {
    return {
      unavailable: `no Docker engine answers (${env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'}): ${engine.output.split('\n')[0] ?? ''}`,
    };
  }
  if ((await succeeds(docker, ['compose', 'version'], env)).ok) {
    return { command: [docker, 'compose'] };
  }
  const standalone = await findExecutable('docker-compose', env.PATH);
  if (standalone !== undefined && (await succeeds(standalone, ['version'], env)).ok) {
    return { command: [standalone] };
  }
  return { unavailable: 'neither `docker compose` nor docker-compose is installed' };
}
