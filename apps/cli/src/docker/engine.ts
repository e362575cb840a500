// The Docker engine build and push talk to: DOCKER_HOST (unix://, npipe://, tcp://) or the
// default socket, pinged first so that a missing or stopped engine is reported as such (exit 4).
// dockerode is imported here, on first use, so no other command pays for loading it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type { CommandContext } from '../context.js';
import { ServiceUnavailableError, UsageError } from '../errors.js';

export interface DockerEndpoint {
  /** How Docker names it, e.g. `unix:///var/run/docker.sock`: for messages. */
  readonly address: string;
  readonly options: Dockerode.DockerOptions;
}

export interface DockerEngine {
  readonly docker: Dockerode;
  readonly address: string;
}

const SYSTEM_SOCKET = '/var/run/docker.sock';
const PING_TIMEOUT_MS = 10_000;

/**
 * Where the engine is, from DOCKER_HOST; without it, /var/run/docker.sock, or Docker Desktop's
 * per-user socket when only that one exists. TLS and ssh:// engines are not supported.
 */
export function dockerEndpoint(
  dockerHost: string | undefined,
  system: { homeDir: string; exists(path: string): boolean },
): DockerEndpoint {
  if (dockerHost === undefined) {
    const desktopSocket = join(system.homeDir, '.docker', 'run', 'docker.sock');
    const socketPath =
      !system.exists(SYSTEM_SOCKET) && system.exists(desktopSocket) ? desktopSocket : SYSTEM_SOCKET;
    return { address: `unix://${socketPath}`, options: { socketPath } };
  }
  const scheme = /^([a-z]+):\/\/(.+)$/.exec(dockerHost);
  const [, protocol, rest] = scheme ?? [];
  // `host: undefined` keeps dockerode from taking a host out of the process environment.
  if (protocol === 'unix' || protocol === 'npipe') {
    return { address: dockerHost, options: { socketPath: rest, host: undefined } };
  }
  if ((protocol === 'tcp' || protocol === 'http') && rest !== undefined) {
    let url: URL;
    try {
      url = new URL(`http://${rest}`);
    } catch {
      throw unsupportedHost(dockerHost, 'it is not a host:port');
    }
    return {
      address: dockerHost,
      options: { host: url.hostname, port: url.port || '2375', protocol: 'http' },
    };
  }
  throw unsupportedHost(
    dockerHost,
    'hla-compass talks to unix://, npipe:// and plain tcp:// engines',
  );
}

function unsupportedHost(dockerHost: string, reason: string): UsageError {
  return new UsageError(`DOCKER_HOST=${dockerHost} cannot be used: ${reason}`, {
    code: 'DOCKER_HOST_UNSUPPORTED',
    hint: 'point DOCKER_HOST at the engine socket, e.g. unix:///var/run/docker.sock, or unset it',
  });
}

/** Connects to the engine and checks that it answers; ServiceUnavailableError (exit 4) if not. */
export async function connectDockerEngine(context: CommandContext): Promise<DockerEngine> {
  const endpoint = dockerEndpoint(context.settings.get('DOCKER_HOST'), {
    homeDir: context.homeDir,
    exists: existsSync,
  });
  const { default: Docker } = await import('dockerode');
  const docker = new Docker(endpoint.options);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })),
      PING_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([docker.ping(), timeout]);
  } catch (error) {
    throw engineUnavailable(endpoint.address, error);
  } finally {
    clearTimeout(timer);
  }
  context.logger.debug(`Docker engine at ${endpoint.address}`);
  return { docker, address: endpoint.address };
}

const START_DOCKER =
  'start Docker (Docker Desktop, or `sudo systemctl start docker`), or point DOCKER_HOST at a running engine';
const JOIN_DOCKER_GROUP =
  'add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again), or point DOCKER_HOST at an engine you may use';

/** What each connection failure means for a user, and what to do about it. */
const UNREACHABLE: Readonly<Record<string, { why: string; hint: string }>> = {
  ENOENT: { why: 'there is no engine socket there', hint: START_DOCKER },
  ECONNREFUSED: { why: 'nothing accepts connections there', hint: START_DOCKER },
  EACCES: { why: 'permission denied', hint: JOIN_DOCKER_GROUP },
  EPERM: { why: 'permission denied', hint: JOIN_DOCKER_GROUP },
  ETIMEDOUT: {
    why: `no answer within ${PING_TIMEOUT_MS / 1000} s`,
    hint: 'the engine may be starting or hung: wait, or restart Docker',
  },
};

/** Why the engine did not answer, in words, with the way to fix it. */
export function engineUnavailable(address: string, error: unknown): ServiceUnavailableError {
  const code =
    error instanceof Error && 'code' in error && typeof error.code === 'string'
      ? error.code
      : undefined;
  const known = code === undefined ? undefined : UNREACHABLE[code];
  const why = known?.why ?? (error instanceof Error ? error.message : String(error));
  return new ServiceUnavailableError(`cannot reach the Docker engine at ${address}: ${why}`, {
    code: 'DOCKER_UNAVAILABLE',
    hint: known?.hint ?? START_DOCKER,
    cause: error,
  });
}

/**
 * The engine's own words in a dockerode HTTP error: the body's `message` when dockerode kept the
 * body (`json`), else its `(HTTP code 500) server error - …` text without that prefix.
 */
export function engineMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const body: unknown = 'json' in error ? error.json : undefined;
  if (typeof body === 'object' && body !== null && 'message' in body) {
    return String(body.message).trim();
  }
  return error.message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}
