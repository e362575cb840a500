// The Docker engine build and push talk to, found in the Docker CLI's own order: DOCKER_HOST,
// else DOCKER_CONTEXT, else the config's current context, else the default sockets (the
// system's, rootless Docker's, Docker Desktop's). It is pinged first so that a missing or
// stopped engine is reported as such (exit 4). Finding it reads a few small files synchronously
// and loads nothing else, since the fast path (fast-path.ts) resolves it too; dockerode is
// imported on first use, so no other command pays for loading it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type { CommandContext } from '../context.js';
import { ServiceUnavailableError, UsageError } from '../errors.js';

export interface DockerEndpoint {
  /** How Docker names it, e.g. `unix:///var/run/docker.sock`: for messages. */
  readonly address: string;
  readonly options: Dockerode.DockerOptions;
  /** The Docker context it comes from, when one does (for messages). */
  readonly context?: string;
  /** A tcp:// engine spoken to over TLS (which the fast path leaves to the full command). */
  readonly tls: boolean;
}

export interface DockerEngine {
  readonly docker: Dockerode;
  readonly address: string;
}

export interface EndpointSystem {
  readonly homeDir: string;
  exists(path: string): boolean;
  /** Reads a small file (a context's meta.json, config.json, a certificate); throws if absent. */
  readFile?(path: string): string;
}

type Env = Readonly<Record<string, string | undefined>>;

const SYSTEM_SOCKET = '/var/run/docker.sock';
const PING_TIMEOUT_MS = 10_000;
const TLS_FILES = ['ca.pem', 'cert.pem', 'key.pem'] as const;

function variable(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

/** `$DOCKER_CONFIG`, else `~/.docker`: where config.json, contexts and certificates live. */
function dockerConfigDir(env: Env, homeDir: string): string {
  return variable(env, 'DOCKER_CONFIG') ?? join(homeDir, '.docker');
}

/**
 * Where the engine is, the way the Docker CLI finds it. `env` is the process environment
 * (DOCKER_HOST, DOCKER_CONTEXT, DOCKER_CONFIG, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH,
 * XDG_RUNTIME_DIR). ssh:// engines are refused with the way to reach them over a socket.
 */
export function dockerEndpoint(env: Env, system: EndpointSystem): DockerEndpoint {
  const read = system.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const dockerHost = variable(env, 'DOCKER_HOST');
  const configDir = dockerConfigDir(env, system.homeDir);
  if (dockerHost !== undefined) {
    const tlsVerify = variable(env, 'DOCKER_TLS_VERIFY') !== undefined;
    const certDir = variable(env, 'DOCKER_CERT_PATH') ?? configDir;
    return hostEndpoint(dockerHost, {
      variable: 'DOCKER_HOST',
      tls: tlsVerify ? { dir: certDir, verify: true } : undefined,
      read,
    });
  }
  const contextName = variable(env, 'DOCKER_CONTEXT') ?? currentContext(configDir, read);
  if (contextName !== undefined && contextName !== 'default') {
    return contextEndpoint(contextName, configDir, { ...system, readFile: read });
  }
  return defaultSocket(env, system);
}

/** The first default socket that exists: the system's, rootless Docker's, Docker Desktop's. */
function defaultSocket(env: Env, system: EndpointSystem): DockerEndpoint {
  const runtimeDir = variable(env, 'XDG_RUNTIME_DIR');
  const candidates = [
    SYSTEM_SOCKET,
    ...(runtimeDir === undefined ? [] : [join(runtimeDir, 'docker.sock')]),
    join(system.homeDir, '.docker', 'run', 'docker.sock'),
  ];
  const socketPath = candidates.find((path) => system.exists(path)) ?? SYSTEM_SOCKET;
  return { address: `unix://${socketPath}`, options: { socketPath }, tls: false };
}

/** config.json's `currentContext` (what `docker context use` writes), if it names one. */
function currentContext(configDir: string, read: (path: string) => string): string | undefined {
  let text: string;
  try {
    text = read(join(configDir, 'config.json'));
  } catch {
    return undefined;
  }
  try {
    const config: unknown = JSON.parse(text);
    const name =
      typeof config === 'object' && config !== null && 'currentContext' in config
        ? config.currentContext
        : undefined;
    return typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined;
  } catch {
    // A config.json that is not JSON is reported by what reads credentials from it.
    return undefined;
  }
}

/** A named context: `contexts/meta/<sha256 of name>/meta.json`, TLS files under contexts/tls. */
function contextEndpoint(
  name: string,
  configDir: string,
  system: EndpointSystem & { readFile(path: string): string },
): DockerEndpoint {
  // node:crypto only here, for a named context: a static import loaded it for every build and
  // push, the fast path's too (5.4 ms of a 60 ms no-op push on Node 24).
  const { createHash } = process.getBuiltinModule('node:crypto');
  const id = createHash('sha256').update(name).digest('hex');
  const metaPath = join(configDir, 'contexts', 'meta', id, 'meta.json');
  let meta: unknown;
  try {
    meta = JSON.parse(system.readFile(metaPath));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(
      `the Docker context "${name}" ${missing ? 'does not exist' : `cannot be read (${metaPath})`}`,
      {
        code: 'DOCKER_CONTEXT_INVALID',
        hint: `list the contexts with \`docker context ls\` and choose one with \`docker context use NAME\` (or set DOCKER_CONTEXT, or DOCKER_HOST)`,
      },
    );
  }
  const docker = (meta as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } })
    ?.Endpoints?.docker;
  if (typeof docker?.Host !== 'string' || docker.Host === '') {
    throw new UsageError(`the Docker context "${name}" has no Docker endpoint (${metaPath})`, {
      code: 'DOCKER_CONTEXT_INVALID',
      hint: `recreate it with \`docker context create ${name} --docker host=…\`, or choose another with \`docker context use NAME\``,
    });
  }
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const hasTls = TLS_FILES.some((file) => system.exists(join(tlsDir, file)));
  const endpoint = hostEndpoint(docker.Host, {
    variable: `the Docker context "${name}"`,
    tls: hasTls ? { dir: tlsDir, verify: docker.SkipTLSVerify !== true } : undefined,
    read: system.readFile,
  });
  return { ...endpoint, context: name };
}

interface TlsFiles {
  readonly dir: string;
  readonly verify: boolean;
}

/** An engine address as Docker writes it: unix://, npipe://, tcp:// (TLS or not); not ssh://. */
function hostEndpoint(
  host: string,
  how: { variable: string; tls: TlsFiles | undefined; read: (path: string) => string },
): DockerEndpoint {
  const scheme = /^([a-z]+):\/\/(.+)$/.exec(host);
  const [, protocol, rest] = scheme ?? [];
  // `host: undefined` keeps dockerode from taking a host out of the process environment.
  if (protocol === 'unix' || protocol === 'npipe') {
    return { address: host, options: { socketPath: rest, host: undefined }, tls: false };
  }
  if (protocol === 'ssh') throw sshHost(host, how.variable);
  if ((protocol === 'tcp' || protocol === 'http') && rest !== undefined) {
    let url: URL;
    try {
      url = new URL(`http://${rest}`);
    } catch {
      throw unsupportedHost(host, how.variable, 'it is not a host:port');
    }
    if (how.tls === undefined) {
      return {
        address: host,
        options: { host: url.hostname, port: url.port || '2375', protocol: 'http' },
        tls: false,
      };
    }
    return {
      address: host,
      options: {
        host: url.hostname,
        port: url.port || '2376',
        protocol: 'https',
        ...tlsOptions(how.tls, host, how.read),
      },
      tls: true,
    };
  }
  throw unsupportedHost(
    host,
    how.variable,
    'hla-compass talks to unix://, npipe:// and tcp:// engines',
  );
}

/** The client certificate and CA of a TLS engine (DOCKER_CERT_PATH or the context's files). */
function tlsOptions(
  tls: TlsFiles,
  host: string,
  read: (path: string) => string,
): Pick<Dockerode.DockerOptions, 'ca' | 'cert' | 'key'> {
  const files: Partial<Record<(typeof TLS_FILES)[number], string>> = {};
  for (const file of TLS_FILES) {
    try {
      files[file] = read(join(tls.dir, file));
    } catch {
      if (file === 'ca.pem' && !tls.verify) continue;
      throw new UsageError(
        `the TLS files for ${host} are incomplete: ${join(tls.dir, file)} cannot be read`,
        {
          code: 'DOCKER_TLS_INVALID',
          hint: 'point DOCKER_CERT_PATH at the directory holding ca.pem, cert.pem and key.pem (what `docker --tlsverify` uses), or recreate the context with `docker context create NAME --docker "host=tcp://HOST:2376,ca=…,cert=…,key=…"`',
        },
      );
    }
  }
  return {
    ...(files['ca.pem'] === undefined ? {} : { ca: files['ca.pem'] }),
    cert: files['cert.pem'],
    key: files['key.pem'],
  };
}

function sshHost(host: string, source: string): UsageError {
  const target = host.replace(/^ssh:\/\//, '').replace(/\/.*$/, '');
  return new UsageError(
    `${source === 'DOCKER_HOST' ? `DOCKER_HOST=${host}` : `${source} (${host})`} cannot be used: hla-compass does not speak ssh:// to an engine`,
    {
      code: 'DOCKER_HOST_UNSUPPORTED',
      hint: `forward the engine's socket and point DOCKER_HOST at it: \`ssh -nNT -L /tmp/docker.sock:/var/run/docker.sock ${target}\` in another terminal, then \`DOCKER_HOST=unix:///tmp/docker.sock hla-compass …\``,
    },
  );
}

function unsupportedHost(host: string, source: string, reason: string): UsageError {
  return new UsageError(
    `${source === 'DOCKER_HOST' ? `DOCKER_HOST=${host}` : `${source} (${host})`} cannot be used: ${reason}`,
    {
      code: 'DOCKER_HOST_UNSUPPORTED',
      hint: 'point DOCKER_HOST at the engine socket, e.g. unix:///var/run/docker.sock, or unset it',
    },
  );
}

/** Connects to the engine and checks that it answers; ServiceUnavailableError (exit 4) if not. */
export async function connectDockerEngine(context: CommandContext): Promise<DockerEngine> {
  const endpoint = dockerEndpoint(context.settings.raw, {
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
    throw engineUnavailable(where(endpoint), error);
  } finally {
    clearTimeout(timer);
  }
  context.logger.debug(`Docker engine at ${where(endpoint)}`);
  return { docker, address: endpoint.address };
}

const START_DOCKER =
  'start Docker (Docker Desktop, or `sudo systemctl start docker`), or point DOCKER_HOST at a running engine';
const JOIN_DOCKER_GROUP =
  'add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again), or point DOCKER_HOST at an engine you may use';

/** The address, and the context it comes from: what a user compares with `docker context ls`. */
function where(endpoint: DockerEndpoint): string {
  return endpoint.context === undefined
    ? endpoint.address
    : `${endpoint.address} (Docker context "${endpoint.context}")`;
}

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
